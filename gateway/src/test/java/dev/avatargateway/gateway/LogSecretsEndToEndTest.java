package dev.avatargateway.gateway;

import static dev.avatargateway.gateway.TestIdentityProvider.AUDIENCE;
import static dev.avatargateway.gateway.TestIdentityProvider.ISSUER;
import static dev.avatargateway.gateway.TestIdentityProvider.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import dev.avatargateway.gateway.internal.observability.LogCapture;
import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 3 §3.4: "never the API key, a session key, a LiveKit token or an Authorization header" in a
 * log line. One scenario drives real gateways over real HTTP through every path (success in both
 * response modes, every error code that can be provoked, a client that leaves, shutdown, a real and
 * a refused Runway secret) with the gateway's loggers at DEBUG, collects every secret value it
 * sees, and then searches what was logged for them: the lines as production writes them (JSON,
 * masked), and the same events before masking, so that the masking is a second line of defence
 * rather than the only one. It also checks that every connect request left exactly one summary
 * line, with its request id, outcome and code.
 */
class LogSecretsEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String ALIAS = "/api/avatar/session";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String ORIGIN = "https://app.example.com";
  private static final String MISSING_AVATAR = "9f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Long enough that nothing gets READY until the test moves the simulated clock. */
  private static final Duration HELD = Duration.ofMinutes(1);

  /** As {@code runway.simulatedReadyAfter: 100ms} in the phases on the embedded simulator. */
  private static final Duration READY_QUICKLY = Duration.ofMillis(100);

  /** Runway API keys are {@code key_} + 128 hex digits (runway-api.md §1). */
  private static final int RUNWAY_KEY_BYTES = 64;

  /** Every limit off, for the phases that are not about limits. */
  private static final String NO_LIMITS =
      """
      rateLimit:
        perPrincipal: {capacity: 0}
        perClientAddress: {capacity: 0}
        maxConcurrentConnectsPerPrincipal: 0
        maxUpstreamCreatesInFlight: 0
      """;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Every secret value the scenario saw; none may be logged. */
  private final Set<String> secrets = ConcurrentHashMap.newKeySet();

  private final AtomicInteger requestIds = new AtomicInteger();

  /** Each connect request's id, and the code its summary line must carry. */
  private final Map<String, String> expectedCodes = new ConcurrentHashMap<>();

  /** Every error answer's body; none may hold a secret either. */
  private final List<String> errorBodies = new CopyOnWriteArrayList<>();

  @Test
  void noSecretReachesAnyLogLineOnAnyPath() throws Exception {
    try (LogCapture logs = LogCapture.startAtDebug();
        RawEvents raw = RawEvents.capture()) {
      apiKeysAndCredentials();
      jwtAndSessionKeys();
      aRealRunwaySecret();
      aRefusedRunwaySecret(logs);

      assertThat(secrets).hasSizeGreaterThan(20);
      String[] all = secrets.toArray(String[]::new);
      logs.assertNoneContain(all);
      raw.assertNoneContain(all);
      // Not vacuous: the raw events include at least every summary line.
      assertThat(raw.count()).isGreaterThanOrEqualTo(expectedCodes.size());
      assertThat(holdingSecrets(errorBodies, all)).as("error answers holding a secret").isEmpty();
      everyConnectHasOneSummaryLine(logs);
    }
  }

  /**
   * {@code api-key} mode, credentials answers, every limit off: successes, every 4xx, the upstream
   * failures, a time-out, a client that leaves and a shutdown with a connect in flight.
   */
  private void apiKeysAndCredentials() throws Exception {
    String alice = TestIdentityProvider.randomSecret("gw_", 24);
    String bob = TestIdentityProvider.randomSecret("gw_", 24);
    secrets.add(alice);
    secrets.add(bob);
    try (GatewayHarness gateway =
        GatewayHarness.start(
            "runway:\n  simulatedReadyAfter: 100ms\n  requestTimeout: 1s\n"
                + "server:\n  shutdownGrace: 500ms\n"
                + "connect:\n  deadline: 2s\n  queuedDeadline: 3s\n"
                + "auth:\n  mode: api-key\n  apiKeys:\n"
                + ("    - {name: alice, key: " + alice + "}\n")
                + ("    - {name: bob, key: " + bob + "}\n")
                + "avatars:\n  allowedPresets: [cat-character, influencer]\n"
                + ("  allowedCustom: [" + MISSING_AVATAR + "]\n")
                + ("cors:\n  allowedOrigins: [" + ORIGIN + "]\n")
                + NO_LIMITS)) {
      secrets.addAll(gateway.simulator().config().apiKeys());
      SimulatorAdmin upstream = gateway.upstream();
      String[] asAlice = {"Authorization", "Bearer " + alice};

      credentials(expect(connect(gateway, CONNECT, CAT, asAlice), 200, "ok"));
      credentials(
          expect(
              connect(gateway, ALIAS, "{\"avatarId\":\"influencer\"}", "X-Api-Key", bob),
              200,
              "ok"));

      expect(connect(gateway, CONNECT, "{not json", asAlice), 400, "invalid_request");
      expect(connect(gateway, CONNECT, "{\"avatarId\":5}", asAlice), 400, "invalid_request");
      expect(
          connect(gateway, CONNECT, "{\"avatarId\":\"space-pirate\"}", asAlice),
          400,
          "invalid_avatar");
      expect(connect(gateway, CONNECT, "", asAlice), 400, "avatar_required");

      String wrongKey = secret(TestIdentityProvider.randomSecret("gw_", 24));
      String strangersJwt =
          secret(
              TestIdentityProvider.hs256(
                  TestIdentityProvider.randomSecret("", 32), claims("stranger").build()));
      expect(connect(gateway, CONNECT, CAT), 401, "unauthenticated");
      expect(
          connect(gateway, CONNECT, CAT, "Authorization", "Bearer " + wrongKey),
          401,
          "unauthenticated");
      expect(connect(gateway, CONNECT, CAT, "X-Api-Key", wrongKey), 401, "unauthenticated");
      expect(
          connect(gateway, CONNECT, CAT, "Authorization", "Bearer " + strangersJwt),
          401,
          "unauthenticated");
      expect(
          connect(gateway, CONNECT, CAT, "Authorization", "Bearer " + alice, "X-Api-Key", bob),
          401,
          "unauthenticated");

      expect(
          connect(gateway, CONNECT, "{\"avatarId\":\"music-superstar\"}", asAlice),
          403,
          "avatar_not_allowed");
      GatewayHarness.Response preflight =
          notAConnect(
              gateway.send(
                  HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                      .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                      .header("Origin", "https://evil.example.com")
                      .header("Access-Control-Request-Method", "POST")
                      .build()));
      assertThat(preflight.code()).isEqualTo("forbidden");

      // The custom avatar check hangs until its time-out, then (without the fault) finds nothing.
      upstream.injectFault(FaultRule.builder().route(Route.AVATAR_RETRIEVE).hang().build());
      String missingAvatar = "{\"customAvatarId\":\"" + MISSING_AVATAR + "\"}";
      expect(connect(gateway, CONNECT, missingAvatar, asAlice), 504, "upstream_timeout");
      upstream.clearFaults();
      expect(connect(gateway, CONNECT, missingAvatar, asAlice), 404, "avatar_not_found");
      assertThat(notAConnect(gateway.get("/nope")).code()).isEqualTo("not_found");
      assertThat(notAConnect(gateway.get(CONNECT)).status()).isIn(404, 405);

      expect(
          connect(gateway, CONNECT, "{\"avatarId\":\"" + "x".repeat(17 * 1024) + "\"}", asAlice),
          413,
          "body_too_large");
      expect(
          send(
              gateway,
              HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                  .header("Content-Type", "text/plain")
                  .header("Authorization", "Bearer " + alice)
                  .POST(HttpRequest.BodyPublishers.ofString(CAT))),
          415,
          "unsupported_media_type");

      upstream.failNextSessions(1, "INTERNAL", "Worker crashed");
      expect(connect(gateway, CONNECT, CAT, asAlice), 502, "session_failed");
      upstream.injectFault(FaultRule.builder().route(Route.CONSUME).status(500).build());
      expect(connect(gateway, CONNECT, CAT, asAlice), 502, "upstream_error");
      upstream.clearFaults();
      upstream.injectFault(
          FaultRule.builder()
              .route(Route.CREATE)
              .status(429)
              .retryAfter(RetryAfter.seconds(61))
              .build());
      expect(connect(gateway, CONNECT, CAT, asAlice), 503, "upstream_busy");
      upstream.clearFaults();
      upstream.setCreditsExhausted(true);
      expect(connect(gateway, CONNECT, CAT, asAlice), 503, "upstream_credits_exhausted");
      upstream.setCreditsExhausted(false);

      upstream.setReadyAfter(DelayDistribution.fixed(HELD));
      expect(connect(gateway, CONNECT, CAT, asAlice), 504, "session_timeout");
      clientLeaves(gateway, alice);
      shutDownWithAConnectInFlight(gateway, bob);

      finish(upstream);
    }
  }

  /** A raw HTTP/1.1 client sends its key, waits until the session exists, and hangs up. */
  private void clientLeaves(GatewayHarness gateway, String key) throws IOException {
    String requestId = nextRequestId();
    expectedCodes.put(requestId, "client_gone");
    int before = gateway.upstream().sessions().size();
    byte[] body = CAT.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.app().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + CONNECT
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + ("Authorization: Bearer " + key + "\r\n")
                  + ("X-Request-Id: " + requestId + "\r\n")
                  + ("Content-Length: " + body.length + "\r\n\r\n"))
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gateway.upstream().sessions().size() == before + 1);
    }
    String id = gateway.upstream().sessions().get(before).id();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "CANCELLED".equals(gateway.upstream().session(id).orElseThrow().status()));
  }

  private void shutDownWithAConnectInFlight(GatewayHarness gateway, String key) throws Exception {
    int before = gateway.upstream().sessions().size();
    CompletableFuture<GatewayHarness.Response> waiting =
        CompletableFuture.supplyAsync(() -> connect(gateway, CONNECT, CAT, "X-Api-Key", key));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gateway.upstream().sessions().size() == before + 1);

    gateway.app().close();

    expect(waiting.get(), 503, "shutting_down");
  }

  /**
   * {@code jwt} mode with an HMAC secret, session-key answers that the test consumes itself as a
   * browser would, and the limits on: the principal's bucket, its concurrency cap, the cap on
   * upstream creations.
   */
  private void jwtAndSessionKeys() throws Exception {
    String hmacSecret = secret(TestIdentityProvider.randomSecret("", 32));
    try (GatewayHarness gateway =
        GatewayHarness.start(
            "runway:\n  simulatedReadyAfter: 100ms\n"
                + "connect:\n  responseMode: session-key\n"
                + "auth:\n  mode: jwt\n  jwt:\n"
                + ("    hs256Secret: " + hmacSecret + "\n")
                + ("    issuer: " + ISSUER + "\n")
                + ("    audience: " + AUDIENCE + "\n")
                + "rateLimit:\n"
                + "  perPrincipal: {capacity: 2, refillTokens: 1, refillPeriod: 1h}\n"
                + "  perClientAddress: {capacity: 0}\n"
                + "  maxConcurrentConnectsPerPrincipal: 1\n"
                + "  maxUpstreamCreatesInFlight: 1\n"
                // A full gate refuses at once without the waiting line.
                + "line:\n  maxWaiting: 0\n")) {
      secrets.addAll(gateway.simulator().config().apiKeys());
      SimulatorAdmin upstream = gateway.upstream();
      String[] asAlice = bearer(TestIdentityProvider.hs256(hmacSecret, claims("alice").build()));

      consumeAsTheBrowser(gateway, expect(connect(gateway, CONNECT, CAT, asAlice), 200, "ok"));
      consumeAsTheBrowser(gateway, expect(connect(gateway, CONNECT, CAT, asAlice), 200, "ok"));
      expect(connect(gateway, CONNECT, CAT, asAlice), 429, "rate_limited");

      String genuine = TestIdentityProvider.hs256(hmacSecret, claims("alice").build());
      String forged = TestIdentityProvider.withSwappedClaims(genuine, claims("admin").build());
      String expired =
          TestIdentityProvider.hs256(
              hmacSecret,
              claims("alice")
                  .issueTime(TestIdentityProvider.fromNow(Duration.ofHours(-2)))
                  .expirationTime(TestIdentityProvider.fromNow(Duration.ofHours(-1)))
                  .build());
      String unsigned = TestIdentityProvider.unsigned(claims("alice").build());
      for (String token : List.of(forged, expired, unsigned)) {
        expect(connect(gateway, CONNECT, CAT, bearer(token)), 401, "unauthenticated");
      }

      upstream.setReadyAfter(DelayDistribution.fixed(HELD));
      String[] asCarol = bearer(TestIdentityProvider.hs256(hmacSecret, claims("carol").build()));
      int before = upstream.sessions().size();
      CompletableFuture<GatewayHarness.Response> carol =
          CompletableFuture.supplyAsync(() -> connect(gateway, CONNECT, CAT, asCarol));
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.sessions().size() == before + 1);
      expect(connect(gateway, CONNECT, CAT, asCarol), 429, "too_many_concurrent_connects");
      expect(
          connect(
              gateway,
              CONNECT,
              CAT,
              bearer(TestIdentityProvider.hs256(hmacSecret, claims("dave").build()))),
          503,
          "upstream_busy");
      upstream.advanceClock(HELD);
      consumeAsTheBrowser(gateway, expect(carol.get(), 200, "ok"));

      finish(upstream);
    }
  }

  /** The browser's part in session-key mode: consume with the key, as the official SDK does. */
  private void consumeAsTheBrowser(GatewayHarness gateway, GatewayHarness.Response response)
      throws IOException, InterruptedException {
    JsonNode body = response.json();
    assertThat(body.propertyNames()).containsExactly("sessionId", "sessionKey", "baseUrl");
    String sessionKey = secret(body.get("sessionKey").asString());
    HttpResponse<String> consumed =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(body.get("baseUrl").asString())
                        .resolve(
                            "/v1/realtime_sessions/"
                                + body.get("sessionId").asString()
                                + "/consume"))
                .header("Authorization", "Bearer " + sessionKey)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(consumed.statusCode()).isEqualTo(200);
    secret(JSON.readTree(consumed.body()).get("token").asString());
    assertThat(gateway.upstream().session(body.get("sessionId").asString()).orElseThrow().status())
        .isEqualTo("RUNNING");
  }

  /**
   * A separately started simulator plays "the real Runway", with a key of the real shape that only
   * the environment holds; custom avatars are checked upstream.
   */
  private void aRealRunwaySecret() {
    String runwaySecret = secret(TestIdentityProvider.randomSecret("key_", RUNWAY_KEY_BYTES));
    try (RunwaySimulator runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .apiKeys(Set.of(runwaySecret))
                .readyAfter(DelayDistribution.fixed(READY_QUICKLY))
                .build())) {
      String ready = runway.admin().createAvatar("Ada", AvatarStatus.READY);
      String processing = runway.admin().createAvatar("Bo", AvatarStatus.PROCESSING);
      try (GatewayHarness gateway =
          GatewayHarness.start(
              "runway:\n  simulatedReadyAfter: 100ms\n"
                  + "auth:\n  allowUnauthenticatedWithRealRunway: true\n"
                  + ("avatars:\n  allowedCustom: [" + ready + ", " + processing + ", ")
                  + (MISSING_AVATAR + "]\n")
                  + NO_LIMITS,
              realRunway(runwaySecret, runway))) {
        credentials(
            expect(connect(gateway, CONNECT, "{\"customAvatarId\":\"" + ready + "\"}"), 200, "ok"));
        expect(
            connect(gateway, CONNECT, "{\"customAvatarId\":\"" + processing + "\"}"),
            409,
            "avatar_not_ready");
        expect(
            connect(gateway, CONNECT, "{\"customAvatarId\":\"" + MISSING_AVATAR + "\"}"),
            404,
            "avatar_not_found");
      }
      finish(runway.admin());
    }
  }

  /** The upstream refuses the gateway's secret: 502 and one ERROR line, without the secret. */
  private void aRefusedRunwaySecret(LogCapture logs) {
    String wrongSecret = secret(TestIdentityProvider.randomSecret("key_", RUNWAY_KEY_BYTES));
    try (RunwaySimulator runway = RunwaySimulator.start();
        GatewayHarness gateway =
            GatewayHarness.start(
                "auth:\n  allowUnauthenticatedWithRealRunway: true\n" + NO_LIMITS,
                realRunway(wrongSecret, runway))) {
      expect(connect(gateway, CONNECT, CAT), 502, "gateway_misconfigured");
      expect(connect(gateway, CONNECT, CAT), 502, "gateway_misconfigured");
      assertThat(runway.admin().sessions()).isEmpty();
    }
    List<JsonNode> errors =
        logs.events().stream()
            .filter(event -> "ERROR".equals(event.path("level").asString()))
            .filter(event -> event.path("code").asString().equals("gateway_misconfigured"))
            .toList();
    assertThat(errors).hasSize(1);
    assertThat(errors.getFirst().get("message").asString()).contains("RUNWAYML_API_SECRET");
  }

  private static Map<String, String> realRunway(String secret, RunwaySimulator runway) {
    return Map.of(
        ConfigLoader.SECRET_ENV, secret, "RUNWAYML_BASE_URL", runway.baseUrl().toString());
  }

  /**
   * Collects the session keys the upstream issued and checks that no session was left behind (those
   * handed out in session-key mode were consumed by this test, as a browser would).
   */
  private void finish(SimulatorAdmin upstream) {
    for (SessionRecord session : upstream.sessions()) {
      session.sessionKey().ifPresent(secrets::add);
    }
    // Far past every READY window: an abandoned session would now count as leaked.
    upstream.advanceClock(Duration.ofHours(1));
    assertThat(upstream.leakedCount()).isZero();
  }

  private void everyConnectHasOneSummaryLine(LogCapture logs) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(logs.events(LogCapture.CONNECT_SUMMARY)).hasSize(expectedCodes.size()));
    Map<String, List<JsonNode>> byRequest =
        logs.events(LogCapture.CONNECT_SUMMARY).stream()
            .collect(Collectors.groupingBy(event -> event.path("requestId").asString()));
    assertThat(byRequest.keySet()).containsExactlyInAnyOrderElementsOf(expectedCodes.keySet());
    expectedCodes.forEach(
        (requestId, code) -> {
          List<JsonNode> lines = byRequest.get(requestId);
          assertThat(lines).as(requestId).hasSize(1);
          JsonNode summary = lines.getFirst();
          assertThat(summary.path("code").asString()).as(requestId).isEqualTo(code);
          assertThat(summary.path("outcome").asString())
              .as(requestId)
              .isEqualTo("ok".equals(code) ? "success" : "error");
        });
  }

  /** A connect request with its own request id, remembered with the answer's code. */
  private GatewayHarness.Response connect(
      GatewayHarness gateway, String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(gateway, request);
  }

  private GatewayHarness.Response send(GatewayHarness gateway, HttpRequest.Builder request) {
    String requestId = nextRequestId();
    expectedCodes.put(requestId, "(no answer)");
    GatewayHarness.Response response =
        gateway.send(request.header("X-Request-Id", requestId).build());
    assertThat(response.header("X-Request-Id")).isEqualTo(requestId);
    expectedCodes.put(requestId, response.status() == 200 ? "ok" : response.code());
    if (response.status() != 200) {
      errorBodies.add(response.body());
    }
    return response;
  }

  private String nextRequestId() {
    return "secrets-" + requestIds.incrementAndGet();
  }

  private static GatewayHarness.Response expect(
      GatewayHarness.Response response, int status, String code) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    if (status != 200) {
      assertThat(response.code()).isEqualTo(code);
    }
    return response;
  }

  /** An error answer to something other than a connect: no summary line, but no secret either. */
  private GatewayHarness.Response notAConnect(GatewayHarness.Response response) {
    assertThat(response.status()).isGreaterThanOrEqualTo(400);
    errorBodies.add(response.body());
    return response;
  }

  private void credentials(GatewayHarness.Response response) {
    JsonNode body = response.json();
    assertThat(body.propertyNames()).containsExactly("sessionId", "serverUrl", "token", "roomName");
    secret(body.get("token").asString());
  }

  private String secret(String value) {
    secrets.add(value);
    return value;
  }

  /** The texts that hold any of the secrets, each secret shown as {@code <SECRET#n>}. */
  private static List<String> holdingSecrets(List<String> texts, String[] secrets) {
    return texts.stream()
        .filter(text -> Arrays.stream(secrets).anyMatch(text::contains))
        .map(
            text -> {
              String shown = text;
              for (int i = 0; i < secrets.length; i++) {
                shown = shown.replace(secrets[i], "<SECRET#" + i + ">");
              }
              return shown;
            })
        .toList();
  }

  /** Authorization header name and value for this token, which is remembered as a secret. */
  private String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + secret(token)};
  }

  /**
   * Every event as the code logged it, before any encoder masks it: the formatted message, the
   * arguments (structured ones as {@code name=value}), key-value pairs, the MDC, and each
   * exception's class and message down its causes and suppressed ones.
   */
  private static final class RawEvents extends AppenderBase<ILoggingEvent>
      implements AutoCloseable {
    /** Deeper cause chains are cut: no real chain is this long, a cycle would be endless. */
    private static final int MAX_CAUSES = 20;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<String> events = new CopyOnWriteArrayList<>();

    static RawEvents capture() {
      RawEvents raw = new RawEvents();
      raw.setContext(raw.root.getLoggerContext());
      raw.setName("raw-events");
      raw.start();
      raw.root.addAppender(raw);
      return raw;
    }

    @Override
    protected void append(ILoggingEvent event) {
      StringBuilder text = new StringBuilder(event.getLoggerName());
      text.append(' ').append(event.getFormattedMessage());
      if (event.getArgumentArray() != null) {
        for (Object argument : event.getArgumentArray()) {
          text.append(' ').append(argument);
        }
      }
      if (event.getKeyValuePairs() != null) {
        event.getKeyValuePairs().forEach(pair -> text.append(' ').append(pair));
      }
      event.getMDCPropertyMap().forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
      appendThrowable(text, event.getThrowableProxy(), 0);
      events.add(text.toString());
    }

    private static void appendThrowable(StringBuilder text, IThrowableProxy throwable, int depth) {
      if (throwable == null || depth > MAX_CAUSES) {
        return;
      }
      text.append(' ').append(throwable.getClassName()).append(": ").append(throwable.getMessage());
      for (IThrowableProxy suppressed : throwable.getSuppressed()) {
        appendThrowable(text, suppressed, depth + 1);
      }
      appendThrowable(text, throwable.getCause(), depth + 1);
    }

    /**
     * Fails if an event holds any of these values, showing the events with every secret replaced by
     * {@code <SECRET#n>}, so that no secret is printed.
     */
    void assertNoneContain(String... secrets) {
      assertThat(holdingSecrets(events, secrets))
          .as("events holding a secret before masking, of %d", events.size())
          .isEmpty();
    }

    /** How many events were seen. */
    int count() {
      return events.size();
    }

    @Override
    public void close() {
      root.detachAppender(this);
      stop();
    }
  }
}
