package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/avatar/connect} over real HTTP against a real gateway and its embedded
 * simulator: every answer of the flow, and the promise that no upstream session is left behind.
 */
class ConnectEndToEndTest {
  /** Fast sessions, and the rate limits off: they have their own test. */
  static final String FAST =
      "runway:\n  simulatedReadyAfter: 100ms\n"
          + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
          + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 0\n";

  private static final String REAL_WITHOUT_AUTH =
      "auth:\n  allowUnauthenticatedWithRealRunway: true\n";
  private static final String CONNECT = "/api/avatar/connect";

  private GatewayHarness gateway;

  private GatewayHarness start(String yaml) {
    gateway = GatewayHarness.start(FAST + yaml);
    return gateway;
  }

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  @Test
  void answersCredentialsForAPresetAvatar() {
    start("");

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(200);
    JsonNode body = response.json();
    assertThat(body.propertyNames()).containsExactly("sessionId", "serverUrl", "token", "roomName");
    assertThat(body.get("serverUrl").asString()).startsWith("wss://");
    SessionRecord upstream =
        gateway.upstream().session(body.get("sessionId").asString()).orElseThrow();
    assertThat(upstream.status()).isEqualTo("RUNNING");
    assertThat(upstream.createBody())
        .contains("\"presetId\":\"cat-character\"")
        .contains("\"maxDuration\":300");
    assertThat(response.header("X-Request-Id")).isNotBlank();
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void theSessionAliasAndUnknownFieldsWork() {
    start("");

    GatewayHarness.Response response =
        gateway.postJson(
            "/api/avatar/session", "{\"avatarId\":\"influencer\",\"apiKey\":\"ignored\",\"x\":1}");

    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void anEmptyBodyTakesTheDefaultAvatarOrIsRefused() {
    start("avatars:\n  defaultAvatar: tennis-coach\n");
    assertThat(gateway.postJson(CONNECT, "").status()).isEqualTo(200);
    assertThat(gateway.postJson(CONNECT, "{}").status()).isEqualTo(200);
    assertThat(gateway.upstream().sessions())
        .allSatisfy(s -> assertThat(s.createBody()).contains("tennis-coach"));
    gateway.close();

    start("");
    GatewayHarness.Response refused = gateway.postJson(CONNECT, "");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.code()).isEqualTo("avatar_required");
    assertThat(refused.json().get("requestId").asString())
        .isEqualTo(refused.header("X-Request-Id"));
  }

  @Test
  void avatarIdsAreClassifiedAndAllowListed() {
    String allowed = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
    start("avatars:\n  allowedPresets: [cat-character]\n  allowedCustom: [" + allowed + "]\n");

    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"space-pirate\"}").code())
        .isEqualTo("invalid_avatar");
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"influencer\"}").code())
        .isEqualTo("avatar_not_allowed");
    assertThat(
            gateway
                .postJson(CONNECT, "{\"avatarId\":\"9f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10\"}")
                .status())
        .isEqualTo(403);
    // Allowed here, but the upstream account has no such avatar.
    GatewayHarness.Response missing =
        gateway.postJson(CONNECT, "{\"customAvatarId\":\"" + allowed + "\"}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.code()).isEqualTo("avatar_not_found");
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void customAvatarsAreCheckedUpstreamWithTheRealSecret() {
    // The simulator started here plays "the real Runway": the gateway gets its key as the secret.
    try (RunwaySimulator runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .readyAfter(DelayDistribution.fixed(Duration.ofMillis(100)))
                .build())) {
      String ready = runway.admin().createAvatar("Ada", AvatarStatus.READY);
      String processing = runway.admin().createAvatar("Bo", AvatarStatus.PROCESSING);
      String unknown = "9f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
      try (GatewayHarness real =
          GatewayHarness.start(
              FAST
                  + REAL_WITHOUT_AUTH
                  + "avatars:\n  allowedCustom: ["
                  + ready
                  + ", "
                  + processing
                  + ", "
                  + unknown
                  + "]\n",
              Map.of(
                  "RUNWAYML_API_SECRET",
                  SimulatorConfig.DEFAULT_API_KEY,
                  "RUNWAYML_BASE_URL",
                  runway.baseUrl().toString()))) {
        assertThat(real.app().simulator()).isEmpty();

        assertThat(real.postJson(CONNECT, "{\"customAvatarId\":\"" + ready + "\"}").status())
            .isEqualTo(200);
        assertThat(real.postJson(CONNECT, "{\"avatarId\":\"" + ready + "\"}").status())
            .isEqualTo(200);
        GatewayHarness.Response notReady =
            real.postJson(CONNECT, "{\"customAvatarId\":\"" + processing + "\"}");
        assertThat(notReady.status()).isEqualTo(409);
        assertThat(notReady.code()).isEqualTo("avatar_not_ready");
        GatewayHarness.Response missing =
            real.postJson(CONNECT, "{\"customAvatarId\":\"" + unknown + "\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("avatar_not_found");
        // Checked upstream once per avatar (then cached), and only the READY one got sessions.
        assertThat(runway.admin().stats().count(Route.AVATAR_RETRIEVE)).isEqualTo(3);
        assertThat(runway.admin().sessions())
            .hasSize(2)
            .allSatisfy(x -> assertThat(x.createBody()).contains(ready));
      }
      runway.admin().advanceClock(Duration.ofHours(1));
      assertThat(runway.admin().leakedCount()).isZero();
    }
  }

  @Test
  void aRefusedSecretIsReportedAsMisconfiguration() {
    try (RunwaySimulator runway = RunwaySimulator.start();
        GatewayHarness real =
            GatewayHarness.start(
                FAST + REAL_WITHOUT_AUTH,
                Map.of(
                    "RUNWAYML_API_SECRET",
                    "key_wrong_secret_value",
                    "RUNWAYML_BASE_URL",
                    runway.baseUrl().toString()))) {
      GatewayHarness.Response response = real.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

      assertThat(response.status()).isEqualTo(502);
      assertThat(response.code()).isEqualTo("gateway_misconfigured");
      assertThat(response.body()).doesNotContain("key_wrong_secret_value");
      assertThat(real.get("/readyz").status()).isEqualTo(503);
    }
  }

  @Test
  void malformedRequestsGetClearErrors() {
    start("");

    assertThat(gateway.postJson(CONNECT, "{not json").code()).isEqualTo("invalid_request");
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":5}").code()).isEqualTo("invalid_request");
    assertThat(gateway.postJson(CONNECT, "[1,2]").code()).isEqualTo("invalid_request");
    GatewayHarness.Response tooLarge =
        gateway.postJson(CONNECT, "{\"avatarId\":\"" + "x".repeat(17 * 1024) + "\"}");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("body_too_large");
    GatewayHarness.Response wrongType =
        gateway.send(
            java.net.http.HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .header("Content-Type", "text/plain")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"avatarId\":\"cat-character\"}"))
                .build());
    assertThat(wrongType.status()).isEqualTo(415);
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void sessionKeyModeNeverAnswersBothShapes() throws Exception {
    start("connect:\n  responseMode: session-key\n");

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(200);
    JsonNode body = response.json();
    assertThat(body.propertyNames()).containsExactly("sessionId", "sessionKey", "baseUrl");
    assertThat(body.get("baseUrl").asString()).isEqualTo(gateway.simulator().baseUrl().toString());
    // The browser's part: consume with the key, as the official core SDK does.
    java.net.http.HttpResponse<String> consumed =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        gateway
                            .simulator()
                            .baseUrl()
                            .resolve(
                                "/v1/realtime_sessions/"
                                    + body.get("sessionId").asString()
                                    + "/consume"))
                    .header("Authorization", "Bearer " + body.get("sessionKey").asString())
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(consumed.statusCode()).isEqualTo(200);
  }

  @Test
  void aFailedSessionIsA502WithItsFailureCode() {
    start("");
    gateway.upstream().failNextSessions(1, "INTERNAL", "Worker crashed");

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(502);
    assertThat(response.code()).isEqualTo("session_failed");
    assertThat(response.json().get("failureCode").asString()).isEqualTo("INTERNAL");
    assertThat(response.body()).doesNotContain("Worker crashed");
  }

  @Test
  void theDeadlineIsA504AndTheSessionIsCancelled() {
    start("connect:\n  deadline: 1s\n  queuedDeadline: 2s\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(504);
    assertThat(response.code()).isEqualTo("session_timeout");
    assertThat(onlySession().status()).isEqualTo("CANCELLED");
  }

  @Test
  void aQueuedSessionGetsTheLongerDeadline() throws Exception {
    start(
        "connect:\n  deadline: 1s\n  queuedDeadline: 20s\n"
            + "avatars:\n  sessionDefaults: {maxDuration: 10}\n");
    gateway.upstream().setConcurrencyCap(1);
    // The first call takes the organisation's only slot and keeps it while it runs.
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}").status())
        .isEqualTo(200);
    long started = System.nanoTime();
    CompletableFuture<GatewayHarness.Response> queued =
        CompletableFuture.supplyAsync(
            () -> gateway.postJson(CONNECT, "{\"avatarId\":\"influencer\"}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);
    String waiting = gateway.upstream().sessions().get(1).id();
    assertThat(gateway.upstream().session(waiting).orElseThrow().queued()).isTrue();

    // Past the 1 s deadline the connect still waits, because the session is queued.
    await()
        .pollDelay(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !queued.isDone());
    // The first call ends (its 10 s maxDuration passes in simulated time), freeing the slot.
    gateway.upstream().advanceClock(Duration.ofSeconds(11));
    GatewayHarness.Response second = queued.get();

    assertThat(second.status()).as(second.body()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(1));
    assertThat(gateway.upstream().session(waiting).orElseThrow().status()).isEqualTo("RUNNING");
  }

  @Test
  void aConsumeFailureIsA502AndTheSessionIsCancelled() {
    start("");
    gateway.upstream().injectFault(FaultRule.builder().route(Route.CONSUME).status(500).build());

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(502);
    assertThat(response.code()).isEqualTo("upstream_error");
    assertThat(onlySession().status()).isEqualTo("CANCELLED");
  }

  @Test
  void upstreamRateLimitsAre503WithRetryAfter() {
    start("");
    gateway
        .upstream()
        .injectFault(
            FaultRule.builder()
                .route(Route.CREATE)
                .status(429)
                .retryAfter(RetryAfter.seconds(61))
                .build());

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.code()).isEqualTo("upstream_busy");
    assertThat(response.header("Retry-After")).isEqualTo("61");
  }

  @Test
  void exhaustedCreditsAre503() {
    start("");
    gateway.upstream().setCreditsExhausted(true);

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.code()).isEqualTo("upstream_credits_exhausted");
  }

  @Test
  void aClientThatLeavesGetsItsSessionCancelled() throws Exception {
    start("");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));

    try (Socket socket = new Socket("127.0.0.1", gateway.app().port())) {
      OutputStream out = socket.getOutputStream();
      writeConnect(out);
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(onlySession().status()).isEqualTo("CANCELLED"));
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.app().connectsInFlight() == 0);
  }

  @Test
  void aByteOfANextRequestSentWhileTheConnectWaitsClosesTheConnectionAfterTheAnswer()
      throws Exception {
    start("");
    // Long enough for the watcher's look (every 100 ms) to find the byte before READY.
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(2)));

    try (Socket socket = new Socket("127.0.0.1", gateway.app().port())) {
      OutputStream out = socket.getOutputStream();
      writeConnect(out);
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
      // Jetty has read the whole request by now: the next one's first byte is the watcher's to
      // consume, and Jetty cannot take it back.
      out.write('G');
      out.flush();
      // Without Connection: close, Jetty would wait on the rest of that request: fail, not hang.
      socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());

      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertThat(answer).startsWith("HTTP/1.1 200 ");
      assertThat(answer.substring(0, answer.indexOf("\r\n\r\n") + 2).toLowerCase(Locale.ROOT))
          .contains("\r\nconnection: close\r\n");
    }
    assertThat(onlySession().status()).isNotEqualTo("CANCELLED");
  }

  @Test
  void oneSharedThreadNoticesEachOfManyClientsThatLeave() throws Exception {
    start("");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    int clients = 12;
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        Socket socket = new Socket("127.0.0.1", gateway.app().port());
        sockets.add(socket);
        writeConnect(socket.getOutputStream());
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gateway.upstream().sessions().size() == clients);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gateway.app().connectsInFlight() == clients);
      // Platform threads only: the watcher is one of them, however many connects wait.
      assertThat(
              Thread.getAllStackTraces().keySet().stream()
                  .filter(t -> t.getName().equals("avatar-gateway-disconnects")))
          .hasSize(1);

      // Half of the clients leave: exactly their sessions are cancelled, the others keep waiting.
      for (Socket socket : sockets.subList(0, clients / 2)) {
        socket.close();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gateway.app().connectsInFlight() == clients - clients / 2);
      assertThat(gateway.upstream().sessions())
          .filteredOn(session -> session.status().equals("CANCELLED"))
          .hasSize(clients / 2);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.app().connectsInFlight() == 0);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(gateway.upstream().sessions())
                    .allSatisfy(session -> assertThat(session.status()).isEqualTo("CANCELLED")));
  }

  @Test
  void shutdownCancelsConnectsInFlight() throws Exception {
    start("server:\n  shutdownGrace: 500ms\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    List<CompletableFuture<GatewayHarness.Response>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(
          CompletableFuture.supplyAsync(
              () -> gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 3);

    gateway.app().close();

    for (CompletableFuture<GatewayHarness.Response> response : waiting) {
      assertThat(response.get().code()).isEqualTo("shutting_down");
      assertThat(response.get().header("Retry-After")).isEqualTo("1");
    }
    assertThat(gateway.upstream().sessions())
        .allSatisfy(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
  }

  @Test
  void anUnknownRouteIs404() {
    start("");

    GatewayHarness.Response notFound = gateway.get("/nope");

    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.code()).isEqualTo("not_found");
    assertThat(notFound.json().get("requestId").asString())
        .isEqualTo(notFound.header("X-Request-Id"));
  }

  @Test
  void anotherMethodOnTheConnectPathsIs405WithAllow() {
    start("");

    for (String path : List.of(CONNECT, "/api/avatar/session", CONNECT + "/")) {
      for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
        GatewayHarness.Response response =
            gateway.send(
                HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build());

        assertThat(response.status()).as(method + " " + path).isEqualTo(405);
        assertThat(response.code()).isEqualTo("method_not_allowed");
        assertThat(response.header("Allow")).isEqualTo("POST, OPTIONS");
        assertThat(response.json().get("requestId").asString())
            .isEqualTo(response.header("X-Request-Id"));
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
      }
    }
    GatewayHarness.Response head =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.status()).isEqualTo(405);
    assertThat(head.header("Allow")).isEqualTo("POST, OPTIONS");
    for (String method : List.of("TRACE", "PROPFIND")) {
      try (RawHttp http = RawHttp.connect(gateway)) {
        RawHttp.Answer answer =
            http.send(method + " " + CONNECT + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
        assertThat(answer.status()).as(method).isEqualTo(405);
        assertThat(answer.code()).isEqualTo("method_not_allowed");
        assertThat(answer.header("Allow")).isEqualTo("POST, OPTIONS");
      }
    }
    // The other routes say what they accept too.
    GatewayHarness.Response postToHealth = gateway.postJson("/healthz", "{}");
    assertThat(postToHealth.status()).isEqualTo(405);
    assertThat(postToHealth.header("Allow")).isEqualTo("GET");
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void avatarIdsAreMatchedExactly() {
    start("");
    String uuid = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";

    for (String body :
        List.of(
            "{\"avatarId\":\"influencer\\u0000\"}",
            "{\"avatarId\":\"\\u0000influencer\"}",
            "{\"avatarId\":\" influencer\"}",
            "{\"avatarId\":\"influencer \"}",
            "{\"avatarId\":\"influencer\\t\"}",
            "{\"avatarId\":\"influencer\\n\"}",
            "{\"avatarId\":\"influencer\\u001f\"}",
            "{\"avatarId\":\"influencer\\u00a0\"}",
            "{\"avatarId\":\"Influencer\"}",
            "{\"avatarId\":\"" + uuid + "\\u0000\"}",
            "{\"customAvatarId\":\" " + uuid + "\"}")) {
      GatewayHarness.Response response = gateway.postJson(CONNECT, body);

      assertThat(response.status()).as(body).isEqualTo(400);
      assertThat(response.code()).as(body).isEqualTo("invalid_avatar");
    }
    assertThat(gateway.upstream().sessions()).isEmpty();
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"influencer\"}").status()).isEqualTo(200);
  }

  @Test
  void aWellFormedRequestIdIsKeptAndABadOneReplaced() {
    start("");

    GatewayHarness.Response kept = gateway.postJson(CONNECT, "", "X-Request-Id", "trace-123.abc");
    GatewayHarness.Response replaced =
        gateway.postJson(CONNECT, "", "X-Request-Id", "bad id with spaces");

    assertThat(kept.header("X-Request-Id")).isEqualTo("trace-123.abc");
    assertThat(kept.json().get("requestId").asString()).isEqualTo("trace-123.abc");
    assertThat(replaced.header("X-Request-Id")).isNotEqualTo("bad id with spaces").hasSize(36);
  }

  @Test
  void corsIsOfferedToConfiguredOriginsOnly() {
    start("cors:\n  allowedOrigins: [https://app.example.com]\n");

    GatewayHarness.Response preflight =
        gateway.send(
            java.net.http.HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, authorization")
                .build());
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://app.example.com");
    assertThat(preflight.header("Access-Control-Allow-Headers"))
        .contains("Content-Type")
        .contains("Authorization");
    assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");

    GatewayHarness.Response stranger =
        gateway.send(
            java.net.http.HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "POST")
                .build());
    assertThat(stranger.status()).isEqualTo(403);
    assertThat(stranger.header("Access-Control-Allow-Origin")).isNull();

    GatewayHarness.Response actual =
        gateway.postJson(
            CONNECT, "{\"avatarId\":\"cat-character\"}", "Origin", "https://app.example.com");
    assertThat(actual.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void presetsHealthReadinessAndMetrics() {
    start("avatars:\n  allowedPresets: [cat-character, influencer]\n");
    gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    JsonNode presets = gateway.get("/api/avatar/presets").json();
    assertThat(presets.get("avatars")).hasSize(2);
    assertThat(presets.get("avatars").get(0).get("name").asString()).isEqualTo("Mochi");
    assertThat(gateway.get("/healthz").status()).isEqualTo(200);
    JsonNode readiness = gateway.get("/readyz").json();
    assertThat(readiness.get("status").asString()).isEqualTo("ready");
    assertThat(readiness.get("upstream").asString()).isEqualTo("simulator");
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics).contains("avatar_gateway_connects_total").contains("code=\"ok\"");
    assertThat(metrics).contains("avatar_gateway_upstream_requests");
    assertThat(metrics).contains("avatar_gateway_upstream_simulated 1.0");
  }

  /** A connect over a raw socket, which the test then closes or writes on as a client would. */
  private static void writeConnect(OutputStream out) throws IOException {
    byte[] body = "{\"avatarId\":\"cat-character\"}".getBytes(StandardCharsets.UTF_8);
    out.write(
        ("POST "
                + CONNECT
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private SessionRecord onlySession() {
    assertThat(gateway.upstream().sessions()).hasSize(1);
    return gateway.upstream().sessions().getFirst();
  }
}
