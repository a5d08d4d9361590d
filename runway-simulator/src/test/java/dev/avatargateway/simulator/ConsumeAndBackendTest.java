package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code /consume} (runway-api.md §2.5) and {@code /connect_backend} (§2.6). */
class ConsumeAndBackendTest {
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder()
              .clock(Clock.fixed(T0, ZoneOffset.UTC))
              .tokenSecret(SECRET)
              .livekitUrl("wss://rooms.example.test")
              .build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  @Test
  void consumeReturnsLiveKitCredentialsAndStartsTheSession() throws Exception {
    String id = api.createRaw(SessionLifecycleTest.body(120)).json().get("id").stringValue();
    String key = readyKey(id);

    Response r = api.consume(id, key);

    assertThat(r.status()).isEqualTo(200);
    JsonNode json = r.json();
    assertThat(json.propertyNames()).containsExactlyInAnyOrder("url", "token", "roomName");
    assertThat(json.get("url").stringValue()).isEqualTo("wss://rooms.example.test");
    // ASSUMPTION under test (runway-api.md §8 hint): roomName is the session id.
    assertThat(json.get("roomName").stringValue()).isEqualTo(id);
    assertThat(api.retrieve(id).json().get("status").stringValue()).isEqualTo("RUNNING");
    assertThat(admin.session(id).orElseThrow().consumedAt()).contains(T0.plusMillis(1_500));

    SignedJWT jwt = SignedJWT.parse(json.get("token").stringValue());
    assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
    assertThat(jwt.verify(new MACVerifier(SECRET))).isTrue();
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo("APIsimulator");
    assertThat(claims.getSubject()).startsWith("client-");
    assertThat(claims.getStringClaim("name")).isNotBlank();
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(claims.getNotBeforeTime().toInstant())
        .isEqualTo(T0.plusMillis(1_500).minusMillis(500));
    // The token lives as long as the session may run: min(maxDuration 120 s, 300 s).
    assertThat(claims.getExpirationTime().toInstant())
        .isEqualTo(T0.plusMillis(1_500).plusSeconds(120).minusMillis(500));
    Map<String, Object> video = claims.getJSONObjectClaim("video");
    assertThat(video)
        .containsEntry("roomJoin", true)
        .containsEntry("room", json.get("roomName").stringValue())
        .containsEntry("canPublish", true)
        .containsEntry("canSubscribe", true);
  }

  @Test
  void consumeNeedsNoVersionHeaderContentTypeOrBody() {
    // official-sdk-behaviour.md §1.3: the @runwayml/avatars client sends no X-Runway-Version,
    // the SDK's generic post sends no content-type and an empty body.
    String id = api.create();
    String key = readyKey(id);
    Response r =
        api.send(
            api.bare("/v1/realtime_sessions/" + id + "/consume")
                .header("Authorization", "Bearer " + key)
                .POST(BodyPublishers.noBody()));
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void consumeAcceptsTheVersionHeaderAndAnEmptyObjectBody() {
    String id = api.create();
    String key = readyKey(id);
    Response r =
        api.send(
            api.bare("/v1/realtime_sessions/" + id + "/consume")
                .header("Authorization", "Bearer " + key)
                .header("X-Runway-Version", TestApi.VERSION)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}")));
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void consumeRejectsAMalformedJsonBody() {
    String id = api.create();
    String key = readyKey(id);
    Response r =
        api.send(
            api.bare("/v1/realtime_sessions/" + id + "/consume")
                .header("Authorization", "Bearer " + key)
                .POST(BodyPublishers.ofString("{oops")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(api.retrieve(id).json().get("status").stringValue()).isEqualTo("READY");
  }

  @Test
  void aSecondConsumeIsAConflictByDefault() {
    String id = api.create();
    String key = readyKey(id);
    assertThat(api.consume(id, key).status()).isEqualTo(200);

    Response second = api.consume(id, key);

    assertThat(second.status()).isEqualTo(409);
    assertThat(second.body()).doesNotContain(key);
    assertThat(admin.session(id).orElseThrow().consumeAttempts()).isEqualTo(2);
  }

  @Test
  void theSecondConsumeStatusIsConfigurable() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(SimulatorConfig.builder().secondConsumeStatus(410).build())) {
      TestApi other = new TestApi(sim);
      String id = other.create();
      sim.admin().advanceClock(Duration.ofMillis(1_500));
      String key = sim.admin().session(id).orElseThrow().sessionKey().orElseThrow();
      other.consume(id, key);
      assertThat(other.consume(id, key).status()).isEqualTo(410);
    }
  }

  @Test
  void aWrongKeyOrTheApiKeyIsUnauthorized() {
    String id = api.create();
    String key = readyKey(id);

    Response wrong = api.consume(id, "stk_not-the-key");
    Response apiKey = api.consume(id, SimulatorConfig.DEFAULT_API_KEY);
    Response none =
        api.send(
            api.bare("/v1/realtime_sessions/" + id + "/consume").POST(BodyPublishers.noBody()));

    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("stk_not-the-key").doesNotContain(key);
    assertThat(apiKey.status()).isEqualTo(401);
    assertThat(apiKey.body()).doesNotContain(SimulatorConfig.DEFAULT_API_KEY);
    assertThat(none.status()).isEqualTo(401);
    assertThat(api.retrieve(id).json().get("status").stringValue()).isEqualTo("READY");
  }

  @Test
  void consumeBeforeReadyOrAfterTheEndIsAConflict() {
    String notReady = api.create();
    assertThat(api.consume(notReady, "stk_anything").status()).isEqualTo(409);

    String cancelled = api.create();
    String key = readyKey(cancelled);
    api.delete("/v1/realtime_sessions/" + cancelled);
    assertThat(api.consume(cancelled, key).status()).isEqualTo(409);

    String expired = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    String expiredKey = admin.session(expired).orElseThrow().sessionKey().orElseThrow();
    admin.advanceClock(Duration.ofSeconds(25));
    assertThat(api.consume(expired, expiredKey).status()).isEqualTo(409);
  }

  @Test
  void consumeOfAnUnknownSessionIs404AndOfAMalformedIdIs400() {
    assertThat(api.consume("7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10", "stk_x").status())
        .isEqualTo(404);
    assertThat(api.consume("nope", "stk_x").status()).isEqualTo(400);
  }

  @Test
  void connectBackendGivesBackendCredentialsWhileReadyOrRunning() throws Exception {
    String id = api.create();
    String key = readyKey(id);

    Response ready = connectBackend(id);
    assertThat(ready.status()).isEqualTo(200);
    JsonNode json = ready.json();
    assertThat(json.propertyNames()).containsExactlyInAnyOrder("url", "token", "roomName");
    assertThat(json.get("roomName").stringValue()).isEqualTo(id);
    SignedJWT jwt = SignedJWT.parse(json.get("token").stringValue());
    assertThat(jwt.verify(new MACVerifier(SECRET))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getSubject()).startsWith("backend-");
    assertThat(jwt.getJWTClaimsSet().getJSONObjectClaim("video")).containsEntry("room", id);

    // connect_backend does not consume: the browser can still consume once.
    assertThat(api.consume(id, key).status()).isEqualTo(200);
    assertThat(connectBackend(id).status()).isEqualTo(200);

    admin.advanceClock(Duration.ofMinutes(5));
    assertThat(connectBackend(id).status()).isEqualTo(409);
  }

  @Test
  void connectBackendNeedsTheApiKeyAndTheVersionHeader() {
    String id = api.create();
    String key = readyKey(id);
    String path = "/v1/realtime_sessions/" + id + "/connect_backend";

    Response withSessionKey =
        api.send(
            api.bare(path)
                .header("Authorization", "Bearer " + key)
                .header("X-Runway-Version", TestApi.VERSION)
                .POST(BodyPublishers.noBody()));
    Response withoutVersion =
        api.send(
            api.bare(path)
                .header("Authorization", "Bearer " + SimulatorConfig.DEFAULT_API_KEY)
                .POST(BodyPublishers.noBody()));

    assertThat(withSessionKey.status()).isEqualTo(401);
    assertThat(withoutVersion.status()).isEqualTo(400);
  }

  @Test
  void connectBackendIsAConflictBeforeReadyAnd404ForUnknownSessions() {
    String id = api.create();
    assertThat(connectBackend(id).status()).isEqualTo(409);
    assertThat(connectBackend("7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10").status()).isEqualTo(404);
  }

  private Response connectBackend(String id) {
    return api.send(
        api.request("/v1/realtime_sessions/" + id + "/connect_backend")
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.noBody()));
  }

  private String readyKey(String id) {
    admin.advanceClock(Duration.ofMillis(1_500));
    return api.retrieve(id).json().get("sessionKey").stringValue();
  }
}
