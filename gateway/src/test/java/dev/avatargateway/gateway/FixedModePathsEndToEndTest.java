package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The two connect paths whose answer's shape is fixed, over real HTTP against a real gateway and
 * its embedded simulator: {@code /api/avatar/credentials} for the React SDK, {@code
 * /api/avatar/session-key} for the core package (client-contract.md §1.3-1.5). Each answers its
 * shape whatever {@code connect.responseMode} says, records it in the ledger, and shares everything
 * else with connect: authentication, limits, idempotency (a key never replays the other shape),
 * CORS.
 */
class FixedModePathsEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CREDENTIALS = "/api/avatar/credentials";
  private static final String SESSION_KEY = "/api/avatar/session-key";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String KEY_HEADER = "Idempotency-Key";
  private static final List<String> CREDENTIALS_SHAPE =
      List.of("sessionId", "serverUrl", "token", "roomName");
  private static final List<String> KEY_SHAPE = List.of("sessionId", "sessionKey", "baseUrl");

  private GatewayHarness gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private GatewayHarness start(String yaml) {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST + yaml);
    return gateway;
  }

  @ParameterizedTest
  @ValueSource(strings = {"credentials", "session-key"})
  void eachPathAnswersItsShapeWhateverTheConfiguredMode(String configured) throws Exception {
    start("connect:\n  responseMode: " + configured + "\n");

    JsonNode credentials = ok(gateway.postJson(CREDENTIALS, CAT));
    JsonNode key = ok(gateway.postJson(SESSION_KEY, CAT));
    JsonNode connect = ok(gateway.postJson(CONNECT, CAT));

    assertThat(credentials.propertyNames()).containsExactlyElementsOf(CREDENTIALS_SHAPE);
    assertThat(status(credentials)).isEqualTo("RUNNING");
    assertThat(key.propertyNames()).containsExactlyElementsOf(KEY_SHAPE);
    // The browser consumes at the simulator, not at Runway's default host.
    assertThat(key.get("baseUrl").asString()).isEqualTo(gateway.simulator().baseUrl().toString());
    assertThat(status(key)).isEqualTo("READY");
    // The connect path still answers in the configured mode.
    assertThat(connect.propertyNames())
        .containsExactlyElementsOf(
            "credentials".equals(configured) ? CREDENTIALS_SHAPE : KEY_SHAPE);
    // The browser's part, as the core package does it: the key consumes once.
    assertThat(consume(key).statusCode()).isEqualTo(200);
    assertThat(status(key)).isEqualTo("RUNNING");
    assertThat(consume(key).statusCode()).isBetween(400, 499);
    if (connect.has("sessionKey")) {
      assertThat(consume(connect).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theLedgerRecordsTheModeEachPathAnsweredIn() {
    start("");

    String viaCredentials = ok(gateway.postJson(CREDENTIALS, CAT)).get("sessionId").asString();
    String viaKey = ok(gateway.postJson(SESSION_KEY, CAT)).get("sessionId").asString();

    JsonNode sessions = gateway.get("/api/avatar/sessions").json().get("sessions");
    assertThat(sessions).hasSize(2);
    for (JsonNode session : sessions) {
      String upstreamId = session.get("sessionId").asString();
      if (upstreamId.equals(viaCredentials)) {
        assertThat(session.get("responseMode").asString()).isEqualTo("credentials");
        assertThat(session.get("state").asString()).isEqualTo("consumed");
      } else {
        assertThat(upstreamId).isEqualTo(viaKey);
        assertThat(session.get("responseMode").asString()).isEqualTo("session-key");
        assertThat(session.get("state").asString()).isEqualTo("handed_out");
      }
    }
  }

  @Test
  void aKeyUsedOnOnePathIsRefusedOnThePathOfTheOtherShapeNeverReplayed() {
    start("");
    String key = UUID.randomUUID().toString();
    GatewayHarness.Response first = gateway.postJson(CREDENTIALS, CAT, KEY_HEADER, key);
    assertThat(first.status()).isEqualTo(200);

    GatewayHarness.Response otherShape = gateway.postJson(SESSION_KEY, CAT, KEY_HEADER, key);
    GatewayHarness.Response sameShape = gateway.postJson(CREDENTIALS, CAT, KEY_HEADER, key);
    // The connect path answers credentials here (the default mode): the same request.
    GatewayHarness.Response sameShapeOnConnect = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);

    assertRefusedAsReused(otherShape, first.json().get("token").asString());
    assertReplayOf(sameShape, first);
    assertReplayOf(sameShapeOnConnect, first);
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  @Test
  void aKeyFromTheSessionKeyPathIsRefusedOnConnectInTheCredentialsMode() {
    start("");
    String key = UUID.randomUUID().toString();
    GatewayHarness.Response first = gateway.postJson(SESSION_KEY, CAT, KEY_HEADER, key);
    assertThat(first.status()).isEqualTo(200);

    GatewayHarness.Response onConnect = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    GatewayHarness.Response again = gateway.postJson(SESSION_KEY, CAT, KEY_HEADER, key);

    assertRefusedAsReused(onConnect, first.json().get("sessionKey").asString());
    assertReplayOf(again, first);
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  @Test
  void bothPathsAnswerTheCorsPreflightOfAnAllowedOriginOnly() {
    start("cors:\n  allowedOrigins: [https://app.example.com]\n");

    for (String path : List.of(CREDENTIALS, SESSION_KEY)) {
      GatewayHarness.Response allowed = preflight(path, "https://app.example.com");
      GatewayHarness.Response other = preflight(path, "https://evil.example");

      assertThat(allowed.status()).as(path).isEqualTo(204);
      assertThat(allowed.header("Access-Control-Allow-Origin"))
          .as(path)
          .isEqualTo("https://app.example.com");
      assertThat(allowed.header("Access-Control-Allow-Methods")).as(path).contains("POST");
      assertThat(allowed.header("Access-Control-Allow-Headers"))
          .as(path)
          .contains("Content-Type", "Authorization", "Idempotency-Key");
      assertThat(other.status()).as(path).isEqualTo(403);
      assertThat(other.header("Access-Control-Allow-Origin")).as(path).isNull();

      GatewayHarness.Response answer =
          gateway.postJson(path, CAT, "Origin", "https://app.example.com");
      assertThat(answer.status()).as(path).isEqualTo(200);
      assertThat(answer.header("Access-Control-Allow-Origin"))
          .as(path)
          .isEqualTo("https://app.example.com");
    }
  }

  @Test
  void anotherMethodIs405AndAuthenticationAppliesAsOnConnect() {
    start(
        "auth:\n  mode: api-key\n  apiKeys:\n    - {name: alice, key: "
            + TestIdentityProvider.randomSecret("gw_", 24)
            + "}\n");

    for (String path : List.of(CREDENTIALS, SESSION_KEY)) {
      GatewayHarness.Response get = gateway.get(path);
      GatewayHarness.Response anonymous = gateway.postJson(path, CAT);

      assertThat(get.status()).as(path).isEqualTo(405);
      assertThat(get.header("Allow")).as(path).isEqualTo("POST, OPTIONS");
      assertThat(anonymous.status()).as(path).isEqualTo(401);
      assertThat(anonymous.code()).as(path).isEqualTo("unauthenticated");
    }
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void thePathsAreSettings() {
    start("server:\n  credentialsPath: /v2/creds\n  sessionKeyPath: /v2/key\n");

    assertThat(ok(gateway.postJson("/v2/creds", CAT)).has("token")).isTrue();
    assertThat(ok(gateway.postJson("/v2/key", CAT)).has("sessionKey")).isTrue();
    assertThat(gateway.postJson(CREDENTIALS, CAT).status()).isEqualTo(404);
    assertThat(gateway.postJson(SESSION_KEY, CAT).status()).isEqualTo(404);
  }

  private static JsonNode ok(GatewayHarness.Response response) {
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  private String status(JsonNode answer) {
    return gateway.upstream().session(answer.get("sessionId").asString()).orElseThrow().status();
  }

  private GatewayHarness.Response preflight(String path, String origin) {
    return gateway.send(
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type, authorization")
            .build());
  }

  /** Consumes a handed-out key at the base URL the answer names, as the core package does. */
  private static HttpResponse<String> consume(JsonNode key) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(
                  java.net
                      .URI
                      .create(key.get("baseUrl").asString())
                      .resolve(
                          "/v1/realtime_sessions/" + key.get("sessionId").asString() + "/consume"))
              .header("Authorization", "Bearer " + key.get("sessionKey").asString())
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  /** A key used for the other answer's shape: 422, without the first answer's {@code secret}. */
  private static void assertRefusedAsReused(GatewayHarness.Response refused, String secret) {
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.code()).isEqualTo("idempotency_key_reused");
    assertThat(refused.body()).doesNotContain(secret);
  }

  /** The first answer again, byte for byte, marked as replayed. */
  private static void assertReplayOf(
      GatewayHarness.Response replayed, GatewayHarness.Response first) {
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.body()).isEqualTo(first.body());
  }
}
