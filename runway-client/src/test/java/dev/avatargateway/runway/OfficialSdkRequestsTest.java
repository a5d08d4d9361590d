package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Our requests, field by field, against what the official Node SDK sent in the same scenario
 * (src/test/resources/upstream/official-sdk-requests.json): method, path, body, and every header
 * the SDK itself sets. Left out of the comparison, on purpose: {@code user-agent} (ours names this
 * library), the {@code x-stainless-*} family (Stainless telemetry), and the headers Node's fetch
 * adds on its own ({@code accept-language}, {@code sec-fetch-mode}, {@code accept-encoding}, {@code
 * connection}); {@code content-length} follows from the body, which is compared.
 */
class OfficialSdkRequestsTest {
  private static final String SESSION_ID = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
  private static final Set<String> NOT_COMPARED =
      Set.of(
          "user-agent",
          "accept-language",
          "sec-fetch-mode",
          "accept-encoding",
          "connection",
          "content-length",
          "host");
  private static final JsonNode CAPTURE = load();

  private final MockWebServer server = new MockWebServer();
  private final List<Duration> sleeps = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static List<Arguments> scenarios() {
    return List.of(
        scenario(
            "create-200",
            "key_test_probe",
            List.of(json(200, "{\"id\":\"" + SESSION_ID + "\"}")),
            c ->
                c.realtimeSessions()
                    .create(
                        RealtimeSessionCreateParams.of(
                            SessionAvatar.preset(AvatarPreset.INFLUENCER)))),
        scenario(
            "retrieve-notready-then-ready",
            "key_test_probe",
            List.of(json(200, notReady()), json(200, notReady())),
            c -> {
              c.realtimeSessions().retrieve(SESSION_ID);
              c.realtimeSessions().retrieve(SESSION_ID);
            }),
        scenario(
            "delete-204",
            "key_test_probe",
            List.of(new MockResponse.Builder().code(204).build()),
            c -> c.realtimeSessions().cancel(SESSION_ID)),
        scenario(
            "create-429-retry-after-ms-300",
            "key_test_probe",
            List.of(
                new MockResponse.Builder()
                    .code(429)
                    .addHeader("retry-after-ms", "300")
                    .body("{\"error\":\"Too many requests\"}")
                    .build(),
                json(200, "{\"id\":\"" + SESSION_ID + "\"}")),
            c ->
                c.realtimeSessions()
                    .create(
                        RealtimeSessionCreateParams.of(
                            SessionAvatar.custom("3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10")))),
        scenario(
            "retrieve-503-then-200",
            "key_test_probe",
            List.of(json(503, "{\"error\":\"busy\"}"), json(200, notReady())),
            c -> c.realtimeSessions().retrieve(SESSION_ID)),
        scenario(
            "delete-502-then-204",
            "key_test_probe",
            List.of(
                json(502, "{\"error\":\"bad gateway\"}"),
                new MockResponse.Builder().code(204).build()),
            c -> c.realtimeSessions().cancel(SESSION_ID)),
        scenario(
            "sdk-generic-post-consume",
            "key_test_probe",
            List.of(json(200, "{\"url\":\"wss://lk\",\"token\":\"t\",\"roomName\":\"r\"}")),
            c -> c.realtimeSessions().consume(SESSION_ID, "stk_probe")),
        scenario(
            "env-RUNWAYML_BASE_URL",
            "key_from_env",
            List.of(json(200, notReady())),
            c -> c.realtimeSessions().retrieve(SESSION_ID)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void sendsWhatTheOfficialSdkSends(
      String name, String apiKey, List<MockResponse> responses, Consumer<RunwayClient> action)
      throws InterruptedException {
    responses.forEach(server::enqueue);
    RunwayClient client =
        RunwayClient.builder()
            .apiKey(apiKey)
            .baseUrl(server.url("/").uri())
            .sleeper(sleeps::add)
            .build();

    action.accept(client);

    JsonNode expected = scenario(name).get("requests");
    assertThat(server.getRequestCount()).isEqualTo(expected.size());
    for (JsonNode want : expected) {
      RecordedRequest got = server.takeRequest();
      assertThat(got.getMethod()).isEqualTo(want.get("method").asString());
      assertThat(got.getTarget()).isEqualTo(want.get("url").asString());
      assertThat(got.getBody() == null ? "" : got.getBody().utf8())
          .isEqualTo(want.get("body").asString());
      assertThat(comparedHeaders(got)).isEqualTo(comparedHeaders(want.get("headers")));
      assertThat(got.getHeaders().get("user-agent")).startsWith("avatar-gateway-runway-client/");
    }
  }

  private static Map<String, String> comparedHeaders(RecordedRequest request) {
    Map<String, String> headers = new TreeMap<>();
    request
        .getHeaders()
        .forEach(
            pair -> {
              String name = pair.getFirst().toLowerCase(java.util.Locale.ROOT);
              if (!NOT_COMPARED.contains(name) && !name.startsWith("x-stainless-")) {
                headers.put(name, pair.getSecond());
              }
            });
    return headers;
  }

  private static Map<String, String> comparedHeaders(JsonNode headers) {
    Map<String, String> compared = new TreeMap<>();
    headers
        .properties()
        .forEach(
            e -> {
              if (!NOT_COMPARED.contains(e.getKey()) && !e.getKey().startsWith("x-stainless-")) {
                compared.put(e.getKey(), e.getValue().asString());
              }
            });
    return compared;
  }

  private static String notReady() {
    return "{\"id\":\""
        + SESSION_ID
        + "\",\"createdAt\":\"2026-11-23T22:23:19.129Z\",\"status\":\"NOT_READY\",\"queued\":true}";
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static Arguments scenario(
      String name, String apiKey, List<MockResponse> responses, Consumer<RunwayClient> action) {
    return Arguments.of(name, apiKey, responses, action);
  }

  private static JsonNode scenario(String name) {
    for (JsonNode scenario : CAPTURE.get("scenarios")) {
      if (scenario.get("scenario").asString().equals(name)) {
        return scenario;
      }
    }
    throw new IllegalArgumentException("no scenario " + name);
  }

  private static JsonNode load() {
    try (InputStream in =
        OfficialSdkRequestsTest.class.getResourceAsStream("/upstream/official-sdk-requests.json")) {
      return JsonMapper.builder().build().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
