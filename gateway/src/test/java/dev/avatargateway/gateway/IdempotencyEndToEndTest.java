package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule.Route;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on {@code POST /api/avatar/connect} over real HTTP, against a real
 * gateway, its embedded simulator and its ledger (H2 in memory, read directly by the test).
 */
class IdempotencyEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String CAT_REORDERED =
      "{ \"ignored\": 1,\n \"avatarId\" : \"cat-character\" }";
  private static final String INFLUENCER = "{\"avatarId\":\"influencer\"}";
  private static final String KEY_HEADER = "Idempotency-Key";

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String bobKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String ledgerUrl =
      "jdbc:h2:mem:idempotency-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(String yaml) {
    start(yaml, Map.of());
  }

  private void start(String yaml, Map<String, String> environment) {
    startWithout(ConnectEndToEndTest.FAST + yaml, environment);
  }

  /** Without {@link ConnectEndToEndTest#FAST}'s settings. */
  private void startWithout(String yaml, Map<String, String> environment) {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.put("GATEWAY_LEDGER_URL", ledgerUrl);
    gateway = GatewayHarness.start(yaml, env);
  }

  private String apiKeys() {
    return "auth:\n  mode: api-key\n  apiKeys:\n"
        + ("    - {name: alice, key: " + aliceKey + "}\n")
        + ("    - {name: bob, key: " + bobKey + "}\n");
  }

  private long creates() {
    return gateway.upstream().stats().count(Route.CREATE);
  }

  private static String newKey() {
    return UUID.randomUUID().toString();
  }

  @Test
  void aRepeatGetsTheFirstAnswerByteForByteAndStartsNothing() {
    start("");
    String key = newKey();

    GatewayHarness.Response first = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    GatewayHarness.Response repeat = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    // The same request: another spelling of the same JSON, and the draft's quoted form of the key.
    GatewayHarness.Response respelt =
        gateway.postJson(CONNECT, CAT_REORDERED, KEY_HEADER, "\"" + key + "\"");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(first.json().get("token").asString()).isNotBlank();
    for (GatewayHarness.Response replayed : List.of(repeat, respelt)) {
      assertThat(replayed.status()).isEqualTo(200);
      assertThat(replayed.body()).isEqualTo(first.body());
      assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replayed.header("Content-Type")).isEqualTo(first.header("Content-Type"));
      assertThat(replayed.header("X-Request-Id")).isNotEqualTo(first.header("X-Request-Id"));
    }
    assertThat(creates()).isEqualTo(1);
    assertThat(gateway.upstream().sessions()).hasSize(1);
    assertThat(ledgerSessions()).isEqualTo(1);
  }

  @Test
  void withoutAKeyEveryRequestStartsASession() {
    start("");

    gateway.postJson(CONNECT, CAT);
    gateway.postJson(CONNECT, CAT);

    assertThat(creates()).isEqualTo(2);
  }

  @Test
  void theSameKeyWithAnotherBodyIs422AndStartsNothing() {
    start("");
    String key = newKey();
    assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, key).status()).isEqualTo(200);

    GatewayHarness.Response reused = gateway.postJson(CONNECT, INFLUENCER, KEY_HEADER, key);

    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.code()).isEqualTo("idempotency_key_reused");
    assertThat(reused.header("Idempotent-Replayed")).isNull();
    assertThat(creates()).isEqualTo(1);
  }

  @Test
  void concurrentRepeatsRunOnceTheOthersAre409UntilTheAnswerIsStored() throws Exception {
    start("");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(3)));
    String key = newKey();
    int requests = 6;
    ExecutorService clients = Executors.newFixedThreadPool(requests);
    List<CompletableFuture<GatewayHarness.Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < requests; i++) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> gateway.postJson(CONNECT, CAT, KEY_HEADER, key), clients));
      }
      List<GatewayHarness.Response> responses = new ArrayList<>();
      for (CompletableFuture<GatewayHarness.Response> answer : answers) {
        responses.add(answer.get());
      }

      assertThat(responses).filteredOn(r -> r.status() == 200).hasSize(1);
      assertThat(responses)
          .filteredOn(r -> r.status() != 200)
          .hasSize(requests - 1)
          .allSatisfy(
              r -> {
                assertThat(r.status()).isEqualTo(409);
                assertThat(r.code()).isEqualTo("idempotency_key_in_use");
                assertThat(r.header("Retry-After")).isEqualTo("2");
              });
      assertThat(creates()).isEqualTo(1);

      // Once the first answered, a repeat gets its answer.
      GatewayHarness.Response after = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
      String first =
          responses.stream().filter(r -> r.status() == 200).findFirst().orElseThrow().body();
      assertThat(after.body()).isEqualTo(first);
      assertThat(after.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(creates()).isEqualTo(1);
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void theStoredAnswerHoldsNoTokenInClear() throws Exception {
    start("");
    String key = newKey();
    GatewayHarness.Response first = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    String token = first.json().get("token").asString();
    String sessionId = first.json().get("sessionId").asString();

    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(ledgerUrl, "sa", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT scope_digest, principal_name, operation, fingerprint, state,"
                    + " answer_sealed FROM idempotency_keys")) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
          row.append(rs.getString(i)).append('|');
        }
        rows.add(row.toString());
        String sealed = rs.getString("answer_sealed");
        String decoded =
            new String(
                Base64.getDecoder().decode(sealed), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(decoded).doesNotContain(token).doesNotContain(sessionId);
        assertThat(rs.getString("state")).isEqualTo("done");
        assertThat(rs.getString("principal_name")).isEqualTo("anonymous");
      }
    }
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst()).doesNotContain(token).doesNotContain(sessionId).doesNotContain(key);
  }

  @Test
  void keysAreScopedToThePrincipal() {
    start(apiKeys());
    String key = newKey();

    GatewayHarness.Response alice =
        gateway.postJson(CONNECT, CAT, KEY_HEADER, key, "X-Api-Key", aliceKey);
    GatewayHarness.Response bob =
        gateway.postJson(CONNECT, CAT, KEY_HEADER, key, "X-Api-Key", bobKey);
    GatewayHarness.Response aliceAgain =
        gateway.postJson(CONNECT, CAT, KEY_HEADER, key, "X-Api-Key", aliceKey);

    assertThat(alice.status()).isEqualTo(200);
    assertThat(bob.status()).isEqualTo(200);
    assertThat(bob.header("Idempotent-Replayed")).isNull();
    assertThat(bob.json().get("sessionId").asString())
        .isNotEqualTo(alice.json().get("sessionId").asString());
    assertThat(aliceAgain.body()).isEqualTo(alice.body());
    assertThat(creates()).isEqualTo(2);
  }

  @Test
  void anErrorAfterTheSessionStartedIsStoredAndReplayed() {
    start("");
    gateway.upstream().failNextSessions(1, "INTERNAL", "Worker crashed");
    String key = newKey();

    GatewayHarness.Response failed = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    GatewayHarness.Response repeat = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);

    assertThat(failed.status()).isEqualTo(502);
    assertThat(failed.code()).isEqualTo("session_failed");
    assertThat(repeat.status()).isEqualTo(502);
    assertThat(repeat.body()).isEqualTo(failed.body());
    assertThat(repeat.json().get("requestId").asString()).isEqualTo(failed.header("X-Request-Id"));
    assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(creates()).isEqualTo(1);
  }

  @Test
  void answersBeforeAnySideEffectAreNotStoredSoARetrySucceeds() {
    start(apiKeys() + "avatars:\n  allowedPresets: [cat-character]\n");
    String key = newKey();

    GatewayHarness.Response unauthenticated = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    GatewayHarness.Response notAllowed =
        gateway.postJson(CONNECT, INFLUENCER, KEY_HEADER, key, "X-Api-Key", aliceKey);
    GatewayHarness.Response retried =
        gateway.postJson(CONNECT, CAT, KEY_HEADER, key, "X-Api-Key", aliceKey);

    assertThat(unauthenticated.status()).isEqualTo(401);
    assertThat(notAllowed.code()).isEqualTo("avatar_not_allowed");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.header("Idempotent-Replayed")).isNull();
    assertThat(creates()).isEqualTo(1);
  }

  @Test
  void aRepeatIsNotChargedAgainstTheRateLimit() {
    startWithout(
        "runway:\n  simulatedReadyAfter: 100ms\n"
            // Anonymous callers are limited by their address.
            + "rateLimit:\n  perClientAddress: {capacity: 1, refillPeriod: 1h}\n",
        Map.of());
    String key = newKey();

    assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, key).status()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, key).status()).isEqualTo(200);
    }
    assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, newKey()).code())
        .isEqualTo("rate_limited");
    assertThat(creates()).isEqualTo(1);
  }

  @Test
  void anInvalidKeyIs400AndStartsNothing() {
    start("");

    GatewayHarness.Response tooLong = gateway.postJson(CONNECT, CAT, KEY_HEADER, "k".repeat(256));
    GatewayHarness.Response spaced = gateway.postJson(CONNECT, CAT, KEY_HEADER, "two words");

    for (GatewayHarness.Response response : List.of(tooLong, spaced)) {
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.code()).isEqualTo("invalid_idempotency_key");
    }
    assertThat(creates()).isZero();
  }

  @Test
  void anAnswerSealedWithAnotherKeyIsNeverReplacedByASecondSession() {
    String oldKey = Base64.getEncoder().encodeToString(new byte[32]);
    byte[] rotated = new byte[32];
    rotated[0] = 1;
    start("", Map.of("GATEWAY_IDEMPOTENCY_KEY", oldKey));
    String key = newKey();
    assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, key).status()).isEqualTo(200);
    gateway.closeAssertingNothingLeaked();

    // The same books, the encryption key rotated.
    start("", Map.of("GATEWAY_IDEMPOTENCY_KEY", Base64.getEncoder().encodeToString(rotated)));
    GatewayHarness.Response unreadable = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);

    assertThat(unreadable.status()).isEqualTo(409);
    assertThat(unreadable.code()).isEqualTo("idempotency_answer_unavailable");
    assertThat(creates()).isZero();
  }

  @Test
  void corsAllowsTheKeyAndExposesTheReplayMarker() {
    start("cors:\n  allowedOrigins: [https://app.example.com]\n");

    GatewayHarness.Response preflight =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, idempotency-key")
                .build());
    GatewayHarness.Response post =
        gateway.postJson(CONNECT, CAT, KEY_HEADER, newKey(), "Origin", "https://app.example.com");

    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Headers")).contains("Idempotency-Key");
    assertThat(post.header("Access-Control-Expose-Headers")).contains("Idempotent-Replayed");
  }

  @Test
  void aKeyUsedWhileItsRequestRunsIsFreedByAClientThatLeaves() throws Exception {
    start("");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    String key = newKey();
    byte[] body = CAT.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", gateway.app().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + CONNECT
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + KEY_HEADER
                  + ": "
                  + key
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> creates() == 1);
      assertThat(gateway.postJson(CONNECT, CAT, KEY_HEADER, key).code())
          .isEqualTo("idempotency_key_in_use");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(gateway.upstream().sessions().getFirst().status())
                    .isEqualTo("CANCELLED"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.app().connectsInFlight() == 0);

    // The first client's session was cancelled, its answer never received: the key is free.
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMillis(100)));
    GatewayHarness.Response retried = gateway.postJson(CONNECT, CAT, KEY_HEADER, key);
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.header("Idempotent-Replayed")).isNull();
    assertThat(creates()).isEqualTo(2);
  }

  private long ledgerSessions() {
    try (Connection c = DriverManager.getConnection(ledgerUrl, "sa", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ledger_sessions")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
