package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CORS on consume, the route the browser SDKs call straight from a page (client-contract.md §1.5),
 * and its absence everywhere else. Requests are sent the way a browser sends them: the preflight
 * with {@code Origin} and {@code Access-Control-Request-*} but no {@code Authorization}, the
 * consume with {@code Origin}, {@code Content-Type: application/json} and the session key.
 */
class CorsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
  private static final String PAGE = "http://localhost:5173";
  private static final String OTHER_PAGE = "https://evil.example.test";
  private static final String CONSUME = "/v1/realtime_sessions/%s/consume";

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();
  private String sessionId;

  @BeforeEach
  void createSession() {
    sessionId = api.create();
  }

  // ---------------------------------------------------------------- default: any origin

  @Test
  void theDefaultAdmitsAnyOrigin() {
    assertThat(SimulatorConfig.defaults().consumeCorsOrigins()).containsExactly("*");
  }

  @Test
  void aPreflightWithoutAuthorizationIsAnsweredForAnyOrigin() {
    Response r = api.send(preflight(consumePath(sessionId), PAGE));

    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.header("Access-Control-Allow-Origin")).contains("*");
    assertThat(r.header("Access-Control-Allow-Methods")).contains("POST");
    assertThat(headerList(r, "Access-Control-Allow-Headers"))
        .containsExactlyInAnyOrder("content-type", "authorization", "x-runway-version");
    assertThat(r.header("Access-Control-Max-Age")).contains("600");
    // `*` is the same for every origin: nothing for a cache to tell apart.
    assertThat(r.header("Vary")).isEmpty();
  }

  @Test
  void aPreflightNeedsNoSessionOnlyTheConsumePath() {
    // The browser preflights before it knows anything; the session is checked by the POST.
    String unknown = "00000000-0000-4000-8000-000000000000";
    assertThat(api.send(preflight(consumePath(unknown), PAGE)).status()).isEqualTo(204);
    assertThat(api.send(preflight(consumePath("not-a-uuid"), PAGE)).status()).isEqualTo(204);
  }

  @Test
  void aSuccessfulConsumeCarriesAllowOriginAndExposesTheSimulatorsHeaders() {
    String key = readyKey(sessionId);

    Response r = api.send(browserConsume(sessionId, key, PAGE));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("token").stringValue()).isNotBlank();
    assertThat(r.header("Access-Control-Allow-Origin")).contains("*");
    assertThat(headerList(r, "Access-Control-Expose-Headers"))
        .contains("x-request-id", "retry-after", "retry-after-ms", "x-should-retry");
    assertThat(r.header("x-request-id")).isPresent();
  }

  /** Every way consume can fail, as (name, the failing request from the session id). */
  static Stream<Arguments> consumeErrors() {
    return Stream.of(
        error(
            "401 wrong session key",
            401,
            (t, id) -> {
              t.readyKey(id);
              return browserConsume(id, "stk_wrong", PAGE);
            }),
        error(
            "404 unknown session",
            404,
            (t, id) -> browserConsume("00000000-0000-4000-8000-000000000000", "stk_x", PAGE)),
        error("400 malformed id", 400, (t, id) -> browserConsume("nope", "stk_x", PAGE)),
        error("409 not READY yet", 409, (t, id) -> browserConsume(id, "stk_x", PAGE)),
        error(
            "409 second consume",
            409,
            (t, id) -> {
              String key = t.readyKey(id);
              assertThat(t.api.send(browserConsume(id, key, PAGE)).status()).isEqualTo(200);
              return browserConsume(id, key, PAGE);
            }),
        error(
            "413 body too large",
            413,
            (t, id) ->
                t.api
                    .bare(consumePath(id))
                    .header("Origin", PAGE)
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("[" + "0,".repeat(600_000) + "0]"))),
        error(
            "429 injected, with Retry-After",
            429,
            (t, id) -> {
              t.admin.injectFault(FaultRule.parse("consume:429:retry-after=2"));
              return browserConsume(id, "stk_x", PAGE);
            }),
        error(
            "503 injected after a real consume",
            503,
            (t, id) -> {
              String key = t.readyKey(id);
              t.admin.injectFault(FaultRule.parse("consume:503:after-commit"));
              return browserConsume(id, key, PAGE);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consumeErrors")
  void everyConsumeErrorCarriesAllowOriginSoThePageCanReadIt(
      String name, int status, FailingRequest request) {
    Response r = api.send(request.build(this, sessionId));

    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("Access-Control-Allow-Origin")).contains("*");
    assertThat(headerList(r, "Access-Control-Expose-Headers")).contains("retry-after");
    assertThat(r.error()).isNotBlank();
  }

  @Test
  void theSecondConsumeStatusCarriesAllowOriginWhateverItIs() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .secondConsumeStatus(410)
                .build())) {
      TestApi other = new TestApi(sim);
      String id = other.create();
      sim.admin().advanceClock(Duration.ofMillis(1_500));
      String key = other.retrieve(id).json().get("sessionKey").stringValue();
      assertThat(other.send(browserConsume(other, id, key, PAGE)).status()).isEqualTo(200);

      Response second = other.send(browserConsume(other, id, key, PAGE));

      assertThat(second.status()).isEqualTo(410);
      assertThat(second.header("Access-Control-Allow-Origin")).contains("*");
    }
  }

  @Test
  void anInjectedRetryAfterIsExposedToThePage() {
    admin.injectFault(FaultRule.parse("consume:429:retry-after=2"));

    Response r = api.send(browserConsume(sessionId, "stk_x", PAGE));

    assertThat(r.header("Retry-After")).contains("2");
    assertThat(headerList(r, "Access-Control-Expose-Headers")).contains("retry-after");
  }

  // ---------------------------------------------------------------- stats, log and faults

  @Test
  void preflightsAreCountedApartAndNeverAsConsumes() {
    api.send(preflight(consumePath(sessionId), PAGE));
    api.send(preflight(consumePath(sessionId), PAGE));

    SimulatorStats stats = admin.stats();
    assertThat(stats.preflights()).isEqualTo(2);
    assertThat(stats.count(Route.CONSUME)).isZero();
    // Only the create of @BeforeEach.
    assertThat(stats.requests()).isEqualTo(1);
    assertThat(stats.responses()).containsOnlyKeys("CREATE");
    // Recorded as they arrived: the method tells them from consumes.
    assertThat(admin.requests())
        .filteredOn(q -> q.path().endsWith("/consume"))
        .extracting(RecordedRequest::method)
        .containsExactly("OPTIONS", "OPTIONS");

    Response json = api.send(api.bare("/_simulator/stats").GET());
    assertThat(json.json().get("preflights").asLong()).isEqualTo(2);
  }

  @Test
  void aPreflightNeitherHitsNorUsesUpAConsumeFault() {
    admin.injectFault(FaultRule.parse("consume:503:times=1"));

    Response pre = api.send(preflight(consumePath(sessionId), PAGE));
    Response consume = api.send(browserConsume(sessionId, "stk_x", PAGE));

    assertThat(pre.status()).isEqualTo(204);
    assertThat(consume.status()).isEqualTo(503);
    assertThat(consume.header("Access-Control-Allow-Origin")).contains("*");
    assertThat(admin.stats().faultsInjected()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- routes that need the secret

  /** Every route that needs the API key, as (name, path from the session id, method). */
  static Stream<Arguments> secretRoutes() {
    return Stream.of(
        Arguments.of("create", "/v1/realtime_sessions", "POST"),
        Arguments.of("retrieve", "/v1/realtime_sessions/%s", "GET"),
        Arguments.of("cancel", "/v1/realtime_sessions/%s", "DELETE"),
        Arguments.of("connect_backend", "/v1/realtime_sessions/%s/connect_backend", "POST"),
        Arguments.of("avatar list", "/v1/avatars", "GET"),
        Arguments.of("avatar retrieve", "/v1/avatars/%s", "GET"),
        Arguments.of("conversation list", "/v1/avatar_conversations", "GET"),
        Arguments.of("conversation retrieve", "/v1/avatar_conversations/%s", "GET"),
        Arguments.of("conversation delete", "/v1/avatar_conversations/%s", "DELETE"),
        Arguments.of("usage", "/v1/avatar_usage?startDate=2026-12-01&endDate=2026-12-02", "GET"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secretRoutes")
  void routesThatNeedTheSecretAnswerNoCorsAndKeepTheir405ToOptions(
      String name, String pathTemplate, String method) {
    String path = pathTemplate.formatted(sessionId);

    Response withKey =
        api.send(
            api.request(path)
                .header("Origin", PAGE)
                .header("Content-Type", "application/json")
                .method(
                    method,
                    method.equals("POST")
                        ? BodyPublishers.ofString(TestApi.PRESET_BODY)
                        : BodyPublishers.noBody()));
    Response withoutKey = api.send(api.bare(path).header("Origin", PAGE).method(method, noBody()));
    Response options = api.send(preflight(path, PAGE));

    // Authenticated and routed (some answer 404 or 409 for this session, which is fine here).
    assertThat(withKey.status()).isNotIn(400, 401, 405);
    assertThat(withoutKey.status()).isEqualTo(401);
    assertThat(options.status()).isEqualTo(405);
    for (Response r : List.of(withKey, withoutKey, options)) {
      assertThat(r.headers().map().keySet())
          .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-"));
    }
    assertThat(admin.stats().preflights()).isZero();
  }

  // ---------------------------------------------------------------- a list of origins

  @Test
  void aListedOriginIsEchoedWithVaryOrigin() {
    try (RunwaySimulator sim = started(List.of(PAGE, "https://app.example.test"))) {
      TestApi other = new TestApi(sim);
      String id = other.create();

      Response pre = other.send(preflight(other, consumePath(id), "https://app.example.test"));
      Response consume = other.send(browserConsume(other, id, "stk_x", PAGE));

      assertThat(pre.status()).isEqualTo(204);
      assertThat(pre.header("Access-Control-Allow-Origin")).contains("https://app.example.test");
      assertThat(pre.header("Vary")).contains("Origin");
      assertThat(consume.status()).isEqualTo(409);
      assertThat(consume.header("Access-Control-Allow-Origin")).contains(PAGE);
      assertThat(consume.header("Vary")).contains("Origin");
    }
  }

  @Test
  void anUnlistedOrMissingOriginGetsNoCorsHeaders() {
    try (RunwaySimulator sim = started(List.of(PAGE))) {
      TestApi other = new TestApi(sim);
      String id = other.create();

      Response pre = other.send(preflight(other, consumePath(id), OTHER_PAGE));
      Response preWithoutOrigin =
          other.send(
              other
                  .bare(consumePath(id))
                  .header("Access-Control-Request-Method", "POST")
                  .method("OPTIONS", noBody()));
      Response consume = other.send(browserConsume(other, id, "stk_x", OTHER_PAGE));

      assertThat(pre.status()).isEqualTo(403);
      assertThat(pre.error()).isEqualTo("Origin not allowed");
      assertThat(preWithoutOrigin.status()).isEqualTo(403);
      // The server still answers a non-browser client; only the browser withholds the answer.
      assertThat(consume.status()).isEqualTo(409);
      for (Response r : List.of(pre, preWithoutOrigin, consume)) {
        assertThat(r.header("Access-Control-Allow-Origin")).isEmpty();
        assertThat(r.header("Vary")).contains("Origin");
      }
    }
  }

  @Test
  void listedOriginsAreMatchedInTheFormBrowsersSend() {
    try (RunwaySimulator sim = started(List.of("HTTP://LocalHost:80", "https://a.test:443"))) {
      assertThat(sim.config().consumeCorsOrigins())
          .containsExactly("http://localhost", "https://a.test");
      TestApi other = new TestApi(sim);

      Response r = other.send(preflight(other, consumePath(other.create()), "http://localhost"));

      assertThat(r.header("Access-Control-Allow-Origin")).contains("http://localhost");
    }
  }

  // ---------------------------------------------------------------- CORS off

  @Test
  void withNoOriginsThereIsNoCorsAtAll() {
    try (RunwaySimulator sim = started(List.of())) {
      TestApi other = new TestApi(sim);
      String id = other.create();

      Response pre = other.send(preflight(other, consumePath(id), PAGE));
      Response consume = other.send(browserConsume(other, id, "stk_x", PAGE));

      assertThat(pre.status()).isEqualTo(405);
      assertThat(pre.header("Allow")).contains("POST");
      assertThat(consume.status()).isEqualTo(409);
      for (Response r : List.of(pre, consume)) {
        assertThat(r.headers().map().keySet())
            .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-"));
      }
      assertThat(sim.admin().stats().preflights()).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- the admin binding

  @Test
  void theAdminApiReadsAndChangesTheOriginsAndResetRestoresThem() {
    Response put =
        adminPut(
            "{\"consumeCorsOrigins\": [\"http://localhost:5173\", \"http://LOCALHOST:3000\"]}");

    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().get("consumeCorsOrigins").toString())
        .isEqualTo("[\"http://localhost:5173\",\"http://localhost:3000\"]");
    assertThat(api.send(preflight(consumePath(sessionId), OTHER_PAGE)).status()).isEqualTo(403);
    assertThat(api.send(preflight(consumePath(sessionId), PAGE)).header("Vary")).contains("Origin");

    assertThat(adminPut("{\"consumeCorsOrigins\": []}").status()).isEqualTo(200);
    assertThat(api.send(preflight(consumePath(sessionId), PAGE)).status()).isEqualTo(405);

    admin.reset();
    assertThat(api.send(api.bare("/_simulator/config").GET()).json().get("consumeCorsOrigins"))
        .hasToString("[\"*\"]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"consumeCorsOrigins\": \"*\"}",
        "{\"consumeCorsOrigins\": [1]}",
        "{\"consumeCorsOrigins\": [\"localhost:5173\"]}",
        "{\"consumeCorsOrigins\": [\"*\", \"http://localhost:5173\"]}"
      })
  void theAdminApiRejectsBadOrigins(String body) {
    Response r = adminPut(body);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).contains("consumeCorsOrigins");
    assertThat(SIMULATOR.simulator().config().consumeCorsOrigins()).containsExactly("*");
  }

  // ---------------------------------------------------------------- validation

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "localhost:5173",
        "localhost",
        "http://localhost:5173/",
        "http://localhost:5173/app",
        "http://localhost:5173?x=1",
        "http://localhost:5173#x",
        "http://user@localhost:5173",
        "ftp://localhost",
        "file:///tmp/page.html",
        "null",
        "http://",
        "http://local host"
      })
  void anEntryThatIsNotAnOriginIsRejectedByName(String entry) {
    assertThatThrownBy(() -> SimulatorConfig.builder().consumeCorsOrigins(List.of(entry)).build())
        .isInstanceOf(SimulatorException.class)
        .hasMessageContaining("consumeCorsOrigins");
  }

  @Test
  void aStarCannotBeCombinedAndNullsAreRejectedByName() {
    assertThatThrownBy(
            () ->
                SimulatorConfig.builder()
                    .consumeCorsOrigins(List.of("*", "http://localhost:5173"))
                    .build())
        .isInstanceOf(SimulatorException.class)
        .hasMessageContaining("consumeCorsOrigins")
        .hasMessageContaining("cannot be combined");
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> SimulatorConfig.builder().consumeCorsOrigins(withNull).build())
        .isInstanceOf(SimulatorException.class)
        .hasMessageContaining("consumeCorsOrigins");
  }

  @Test
  void validEntriesAreNormalisedDeduplicatedAndShownByToString() {
    SimulatorConfig c =
        SimulatorConfig.builder()
            .consumeCorsOrigins(
                List.of(
                    " http://localhost:5173 ",
                    "http://LOCALHOST:5173",
                    "https://[::1]:8443",
                    "http://127.0.0.1"))
            .build();

    assertThat(c.consumeCorsOrigins())
        .containsExactly("http://localhost:5173", "https://[::1]:8443", "http://127.0.0.1");
    assertThat(c.toString())
        .contains(
            "consumeCorsOrigins=[http://localhost:5173, https://[::1]:8443, http://127.0.0.1]");
    assertThat(c.toBuilder().build().consumeCorsOrigins()).isEqualTo(c.consumeCorsOrigins());
    assertThat(
            SimulatorConfig.builder().consumeCorsOrigins(List.of("*")).build().consumeCorsOrigins())
        .containsExactly(SimulatorConfig.ANY_ORIGIN);
  }

  // ---------------------------------------------------------------- helpers

  /** A request that consume answers with an error, given the test (for its API) and a session. */
  @FunctionalInterface
  interface FailingRequest {
    HttpRequest.Builder build(CorsTest test, String sessionId);
  }

  private static Arguments error(String name, int status, FailingRequest request) {
    return Arguments.of(name, status, request);
  }

  private static String consumePath(String id) {
    return CONSUME.formatted(id);
  }

  private HttpRequest.Builder preflight(String path, String origin) {
    return preflight(api, path, origin);
  }

  /** What Chromium sends before core streamTo's consume: no Authorization, no body. */
  private static HttpRequest.Builder preflight(TestApi to, String path, String origin) {
    return to.bare(path)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type")
        .method("OPTIONS", noBody());
  }

  private static HttpRequest.Builder browserConsume(String id, String key, String origin) {
    return browserConsume(new TestApi(SIMULATOR.baseUrl()), id, key, origin);
  }

  /** core consumeSession: POST, Content-Type JSON, the session key, no body, no version header. */
  private static HttpRequest.Builder browserConsume(
      TestApi to, String id, String key, String origin) {
    return to.bare(consumePath(id))
        .header("Origin", origin)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + key)
        .POST(noBody());
  }

  private String readyKey(String id) {
    admin.advanceClock(Duration.ofMillis(1_500));
    return api.retrieve(id).json().get("sessionKey").stringValue();
  }

  private Response adminPut(String body) {
    return api.send(
        api.bare("/_simulator/config")
            .header("Content-Type", "application/json")
            .PUT(BodyPublishers.ofString(body)));
  }

  private static HttpRequest.BodyPublisher noBody() {
    return BodyPublishers.noBody();
  }

  /** A comma-separated header's items, lower case (header names are case-insensitive). */
  private static List<String> headerList(Response r, String name) {
    return r.header(name).stream()
        .flatMap(v -> Arrays.stream(v.split(",")))
        .map(s -> s.strip().toLowerCase(Locale.ROOT))
        .toList();
  }

  private static RunwaySimulator started(List<String> origins) {
    return RunwaySimulator.start(
        SimulatorConfig.builder()
            .clock(Clock.fixed(T0, ZoneOffset.UTC))
            .consumeCorsOrigins(origins)
            .build());
  }
}
