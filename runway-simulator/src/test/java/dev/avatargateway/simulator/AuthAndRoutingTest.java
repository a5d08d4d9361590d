package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Authentication, the version header, routing and the headers every response carries. */
class AuthAndRoutingTest {
  private static final String OTHER_KEY = "key_" + "ab".repeat(64);

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(SimulatorConfig.builder().apiKey(OTHER_KEY).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private String sessionId;
  private String avatarId;

  @BeforeEach
  void seed() {
    sessionId = api.create();
    avatarId = SIMULATOR.admin().createAvatar("Ada", AvatarStatus.READY);
  }

  /** Every route that needs the API key, as (name, request builder from ids). */
  static Stream<Arguments> apiKeyRoutes() {
    return Stream.of(
        route("create", (s, a) -> post("/v1/realtime_sessions", TestApi.PRESET_BODY)),
        route("retrieve", (s, a) -> get("/v1/realtime_sessions/" + s)),
        route("cancel", (s, a) -> b("/v1/realtime_sessions/" + s).DELETE()),
        route(
            "connect_backend",
            (s, a) -> post("/v1/realtime_sessions/" + s + "/connect_backend", "")),
        route("avatar list", (s, a) -> get("/v1/avatars")),
        route("avatar retrieve", (s, a) -> get("/v1/avatars/" + a)),
        route("conversation list", (s, a) -> get("/v1/avatar_conversations")),
        route("conversation retrieve", (s, a) -> get("/v1/avatar_conversations/" + s)),
        route("conversation delete", (s, a) -> b("/v1/avatar_conversations/" + s).DELETE()),
        route("usage", (s, a) -> get("/v1/avatar_usage?startDate=2026-07-01&endDate=2026-07-02")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiKeyRoutes")
  void missingOrUnknownApiKeyIs401WithoutEchoingIt(
      String name, BiFunction<String, String, HttpRequest.Builder> route) {
    Response missing =
        api.send(route.apply(sessionId, avatarId).header("X-Runway-Version", TestApi.VERSION));
    Response wrong =
        api.send(
            route
                .apply(sessionId, avatarId)
                .header("X-Runway-Version", TestApi.VERSION)
                .header("Authorization", "Bearer key_wrong_secret_value"));
    Response notBearer =
        api.send(
            route
                .apply(sessionId, avatarId)
                .header("X-Runway-Version", TestApi.VERSION)
                .header("Authorization", "Basic " + SimulatorConfig.DEFAULT_API_KEY));

    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.error()).isNotBlank();
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("key_wrong_secret_value");
    assertThat(notBearer.status()).isEqualTo(401);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiKeyRoutes")
  void missingOrWrongVersionHeaderIs400(
      String name, BiFunction<String, String, HttpRequest.Builder> route) {
    Response missing =
        api.send(
            route
                .apply(sessionId, avatarId)
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY));
    Response wrong =
        api.send(
            route
                .apply(sessionId, avatarId)
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .header("X-Runway-Version", "2023-01-01"));

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).contains("X-Runway-Version");
    assertThat(wrong.status()).isEqualTo(400);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiKeyRoutes")
  void everyConfiguredKeyIsAccepted(
      String name, BiFunction<String, String, HttpRequest.Builder> route) {
    Response r =
        api.send(
            route
                .apply(sessionId, avatarId)
                .header("Authorization", "Bearer " + OTHER_KEY)
                .header("X-Runway-Version", TestApi.VERSION));
    // After authentication passed: connect_backend on a NOT_READY session is a 409, and that
    // session has no conversation record yet (404).
    assertThat(r.status()).isIn(200, 204, 404, 409);
  }

  @Test
  void apiKeysReplacesTheDefaultKey() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(SimulatorConfig.builder().apiKeys(Set.of(OTHER_KEY)).build())) {
      Response r = new TestApi(sim).createRaw(TestApi.PRESET_BODY);
      assertThat(r.status()).isEqualTo(401);
    }
  }

  @Test
  void everyResponseCarriesAFreshRequestId() {
    Set<String> ids = new HashSet<>();
    for (Response r :
        new Response[] {
          api.retrieve(sessionId),
          api.get("/v1/nothing-here"),
          api.send(api.bare("/v1/realtime_sessions").GET()),
          api.send(api.bare("/_simulator/stats").GET()),
          api.createRaw("{")
        }) {
      String id = r.header("x-request-id").orElseThrow();
      assertThat(id).matches("[0-9a-f-]{36}");
      ids.add(id);
    }
    assertThat(ids).hasSize(5);
  }

  @Test
  void unknownPathsAre404() {
    assertThat(api.get("/v1/unknown").status()).isEqualTo(404);
    assertThat(api.get("/").status()).isEqualTo(404);
    assertThat(api.get("/v2/realtime_sessions").status()).isEqualTo(404);
    assertThat(api.get("/v1/realtime_sessions/" + sessionId + "/extra").status()).isEqualTo(404);
    assertThat(api.get("/v1/realtime_sessions/").status()).isEqualTo(404);
    Response r = api.get("/v1/unknown");
    assertThat(r.error()).isNotBlank();
    assertThat(r.header("content-type")).contains("application/json");
  }

  @Test
  void wrongMethodsAre405WithAllow() {
    Response list = api.get("/v1/realtime_sessions");
    assertThat(list.status()).isEqualTo(405);
    assertThat(list.header("allow")).contains("POST");
    Response put =
        api.send(api.request("/v1/realtime_sessions/" + sessionId).PUT(BodyPublishers.noBody()));
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.header("allow")).contains("GET, DELETE");
    assertThat(api.get("/v1/realtime_sessions/" + sessionId + "/consume").status()).isEqualTo(405);
    assertThat(api.post("/v1/avatars", "{}").status()).isEqualTo(405);
    Response conversations = api.post("/v1/avatar_conversations", "{}");
    assertThat(conversations.status()).isEqualTo(405);
    assertThat(conversations.header("allow")).contains("GET");
    Response patch =
        api.send(
            api.request("/v1/avatar_conversations/" + sessionId)
                .method("PATCH", BodyPublishers.noBody()));
    assertThat(patch.status()).isEqualTo(405);
    assertThat(patch.header("allow")).contains("GET, DELETE");
    assertThat(api.post("/v1/avatar_usage", "{}").status()).isEqualTo(405);
  }

  @Test
  void unknownConversationAndUsagePathsAre404() {
    assertThat(api.get("/v1/avatar_conversations/").status()).isEqualTo(404);
    assertThat(api.get("/v1/avatar_conversations/" + sessionId + "/transcript").status())
        .isEqualTo(404);
    assertThat(api.get("/v1/avatar_usage/daily").status()).isEqualTo(404);
  }

  @Test
  void anOversizedBodyIs413() {
    Response r = api.createRaw("{\"personality\":\"" + "x".repeat(1 << 20) + "\"}");
    assertThat(r.status()).isEqualTo(413);
  }

  @Test
  void statsCountResponsesPerRouteAndStatus() {
    api.retrieve(sessionId);
    api.send(api.bare("/v1/realtime_sessions/" + sessionId).GET());
    api.get("/v1/unknown");

    SimulatorStats stats = SIMULATOR.admin().stats();
    assertThat(stats.count(FaultRule.Route.RETRIEVE, 200)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.RETRIEVE, 401)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.RETRIEVE)).isEqualTo(2);
    assertThat(stats.count(FaultRule.Route.CREATE, 200)).isEqualTo(1);
    assertThat(stats.responses().get("UNROUTED")).containsEntry(404, 1L);
    assertThat(stats.requests()).isEqualTo(4);
    assertThat(stats.sessionsCreated()).isEqualTo(1);
  }

  private static Arguments route(
      String name, BiFunction<String, String, HttpRequest.Builder> request) {
    return Arguments.of(name, request);
  }

  private static HttpRequest.Builder b(String path) {
    return HttpRequest.newBuilder(SIMULATOR.baseUrl().resolve(path));
  }

  private static HttpRequest.Builder get(String path) {
    return b(path).GET();
  }

  private static HttpRequest.Builder post(String path, String body) {
    return b(path).header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
  }
}
