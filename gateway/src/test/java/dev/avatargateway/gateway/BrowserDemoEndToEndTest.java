package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.browsertest.BrowserDriver;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.SessionRecord;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo page (gateway/web/index.html) in headless Chromium against a real gateway and its
 * embedded simulator: the picker, Start with its live progress, the official React SDK receiving
 * the credentials and opening its LiveKit connection with them, End, the messages of a 429 and a
 * 503, a tab closed before READY, and a start waiting in the line. No media server exists here: the
 * browser's WebSocket to the answered {@code serverUrl} is caught and held by the driver, and the
 * tests assert on its URL. Screenshots of each state: {@code
 * gateway/target/browser-screenshots/BrowserDemoEndToEndTest-<test>/}.
 */
class BrowserDemoEndToEndTest {
  private static final String DEMO = "/demo/";
  private static final String SESSIONS = "/api/avatar/sessions";
  private static final String CONNECT = "/api/avatar/connect";

  /** Two of the nine presets: the picker must show exactly these. */
  private static final String ALLOWED =
      "avatars:\n  allowedPresets: [cat-character, music-superstar]\n";

  /** Sessions READY at once, every rate limit off (the browser and the test share 127.0.0.1). */
  private static final String FAST = ConnectEndToEndTest.FAST + ALLOWED;

  private GatewayHarness gateway;
  private BrowserDriver browser;
  private String name;

  @org.junit.jupiter.api.BeforeEach
  void name(TestInfo info) {
    name = "BrowserDemoEndToEndTest-" + info.getTestMethod().orElseThrow().getName();
    DemoBrowser.checkPrerequisites();
  }

  @AfterEach
  void close() {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(String yaml) {
    gateway =
        GatewayHarness.start(
            yaml,
            Map.of(
                "GATEWAY_LEDGER_URL",
                "jdbc:h2:mem:browser-demo-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
    browser = DemoBrowser.start(gateway.baseUrl(), name);
  }

  /** Opens the demo and waits until its picker is filled from the presets. */
  private void openDemo() {
    JsonNode opened = browser.open(DEMO);
    assertThat(opened.path("status").asInt()).as("GET /demo/").isEqualTo(200);
    browser.waitForEnabled("start");
  }

  private static JsonNode messages() throws Exception {
    return JsonMapper.builder()
        .build()
        .readTree(Files.readString(DemoBrowser.WEB.resolve("src/shared/messages.json")));
  }

  /** The gateway's id of the session the page started (from its 202). */
  private String startedId() {
    JsonNode started = browser.awaitResponse("POST", SESSIONS);
    assertThat(started.path("status").asInt()).as(started.toString()).isEqualTo(202);
    return JsonMapper.builder()
        .build()
        .readTree(started.path("body").asString())
        .path("id")
        .asString();
  }

  @Test
  void thePageLoadsAndItsPickerListsExactlyTheAllowedAvatars() {
    start(FAST);

    openDemo();

    JsonNode options = browser.command("options", "testid", "avatar-picker").path("options");
    assertThat(options.findValuesAsString("value"))
        .containsExactlyInAnyOrder("cat-character", "music-superstar");
    assertThat(options.findValuesAsString("label")).containsExactlyInAnyOrder("Mochi", "Mina");
    assertThat(browser.text("simulated")).contains("Simulated Runway");
    // The page read its paths from the gateway, and the presets with them.
    assertThat(browser.requests("GET", "/demo/config.json")).hasSize(1);
    assertThat(browser.requests("GET", "/api/avatar/presets")).hasSize(1);
    assertThat(browser.events("pageerror")).isEmpty();
    assertThat(browser.cspViolations()).isEmpty();
    browser.screenshot("1-loaded");
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void startShowsProgressTheSdkJoinsLiveKitWithTheAnsweredTokenAndEndEndsTheSessionUpstream() {
    start(FAST);
    openDemo();
    browser.select("avatar-picker", "music-superstar");
    browser.command("captureEventStreams");
    // As the SDK opens its LiveKit connection: the call is on the page; then End.
    browser.arm(
        List.of(
            Map.of("do", "waitFor", "testid", "call"),
            Map.of("do", "screenshot", "name", "2-in-call"),
            Map.of("do", "click", "testid", "end")));

    browser.click("start");

    // The SDK's LiveKit connection, to the serverUrl the gateway answered, with its token.
    URI socket = browser.awaitWebSocket();
    browser.awaitArmed(3);
    browser.waitFor("progress-created");
    browser.waitFor("progress-ready");
    browser.waitFor("progress-credentials");
    String id = startedId();

    JsonNode events = browser.awaitEvent("stream", e -> e.path("url").asString().contains(id));
    List<Map.Entry<String, JsonNode>> stream =
        DemoBrowser.sseEvents(events.path("body").asString());
    assertThat(stream)
        .extracting(Map.Entry::getKey)
        .containsExactly("created", "ready", "credentials");
    JsonNode credentials = stream.getLast().getValue();
    URI serverUrl = URI.create(credentials.path("serverUrl").asString());
    assertThat(socket.getScheme()).isEqualTo(serverUrl.getScheme());
    assertThat(socket.getHost()).isEqualTo(serverUrl.getHost());
    assertThat(socket.getPath()).startsWith("/rtc");
    assertThat(DemoBrowser.queryParameter(socket, "access_token"))
        .isEqualTo(credentials.path("token").asString())
        .isNotBlank();
    // One click, one start, with its own Idempotency-Key; one session upstream, consumed.
    List<JsonNode> posts = browser.requests("POST", SESSIONS);
    assertThat(posts).hasSize(1);
    assertThat(posts.getFirst().path("headers").path("idempotency-key").asString()).isNotBlank();
    assertThat(posts.getFirst().path("body").asString()).contains("music-superstar");
    List<SessionRecord> upstream = gateway.upstream().sessions();
    assertThat(upstream).hasSize(1);
    String upstreamId = upstream.getFirst().id();
    assertThat(upstreamId).isEqualTo(credentials.path("sessionId").asString());
    assertThat(upstream.getFirst().consumedAt()).isPresent();

    // The page's Content-Security-Policy let the SDK, its styles and LiveKit do all of that.
    assertThat(browser.cspViolations()).isEmpty();
    // One LiveKit connection, though the page renders under React's Strict Mode.
    assertThat(browser.events("websocket")).hasSize(1);
    // End (clicked as the socket opened) ended the session upstream, with one DELETE.
    browser.waitFor("notice");
    assertThat(browser.events("armed").getLast().path("do").asString()).isEqualTo("click");
    browser.screenshot("3-ended");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> gateway.upstream().session(upstreamId).orElseThrow().status(),
            "CANCELLED"::equals);
    assertThat(browser.requests("DELETE", SESSIONS + "/" + id)).hasSize(1);
    assertThat(upstreamDeletes(upstreamId)).hasSize(1);
    assertThat(gateway.get(SESSIONS + "/" + id).json().path("outcome").asString())
        .isEqualTo("end_requested");
  }

  @Test
  void withApiKeysThePageSendsTheKeyTheUserTypedAndSaysWhenItIsMissing() throws Exception {
    String key = TestIdentityProvider.randomSecret("gw_", 24);
    start(FAST + "auth:\n  mode: api-key\n  apiKeys:\n    - {name: alice, key: " + key + "}\n");
    openDemo();

    browser.click("start");

    assertShowsError("unauthenticated", "1-no-key");
    assertThat(gateway.upstream().sessions()).isEmpty();

    browser.fill("api-key", key);
    browser.arm(
        List.of(Map.of("do", "waitFor", "testid", "call"), Map.of("do", "click", "testid", "end")));
    browser.click("start");

    browser.awaitWebSocket();
    browser.awaitArmed(2);
    browser.waitFor("notice");
    browser.screenshot("2-ended");
    String id = startedIdOf(browser.requests("POST", SESSIONS).size() - 1);
    String bearer = "Bearer " + key;
    // Every request of the second start carries the key: the start, its stream, its end.
    assertThat(browser.requests("POST", SESSIONS))
        .extracting(r -> r.path("headers").path("authorization").asString(null))
        .containsExactly(null, bearer);
    assertThat(browser.requests("GET", SESSIONS + "/" + id + "/events"))
        .extracting(r -> r.path("headers").path("authorization").asString(null))
        .containsExactly(bearer);
    assertThat(browser.requests("DELETE", SESSIONS + "/" + id))
        .extracting(r -> r.path("headers").path("authorization").asString(null))
        .containsExactly(bearer);
    String upstreamId = gateway.upstream().sessions().getFirst().id();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> gateway.upstream().session(upstreamId).orElseThrow().status(),
            "CANCELLED"::equals);
  }

  /** The gateway's id of the {@code index}th session the page started. */
  private String startedIdOf(int index) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                browser.events("response").stream()
                    .filter(r -> r.path("method").asString().equals("POST"))
                    .filter(r -> r.path("url").asString().endsWith(SESSIONS))
                    .filter(r -> r.has("body"))
                    .count(),
            n -> n > index);
    JsonNode started =
        browser.events("response").stream()
            .filter(r -> r.path("method").asString().equals("POST"))
            .filter(r -> r.path("url").asString().endsWith(SESSIONS))
            .toList()
            .get(index);
    assertThat(started.path("status").asInt()).as(started.toString()).isEqualTo(202);
    return JsonMapper.builder()
        .build()
        .readTree(started.path("body").asString())
        .path("id")
        .asString();
  }

  private List<RecordedRequest> upstreamDeletes(String upstreamId) {
    return gateway.upstream().requests().stream()
        .filter(r -> r.method().equals("DELETE"))
        .filter(r -> r.path().equals("/v1/realtime_sessions/" + upstreamId))
        .toList();
  }

  @Test
  void aSimulatedCallThatCannotReachItsMediaServerSaysSoAndEndsTheSession() throws Exception {
    gateway =
        GatewayHarness.start(
            FAST,
            Map.of(
                "GATEWAY_LEDGER_URL",
                "jdbc:h2:mem:browser-demo-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
    // The LiveKit socket goes out for real here: wss://livekit.simulator.invalid resolves nowhere.
    browser = DemoBrowser.startWithRealWebSockets(gateway.baseUrl(), name);
    openDemo();

    browser.click("start");

    browser.waitFor("error");
    browser.screenshot("1-cannot-connect");
    assertThat(browser.text("error-message"))
        .isEqualTo(messages().path("sdk").path("simulatedNoMedia").asString());
    assertThat(browser.text("error-message")).contains("wss://livekit.simulator.invalid");
    // Nothing paid is left running: the page ended the session it could not use.
    String id = startedId();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> gateway.upstream().sessions().getFirst().status(), "CANCELLED"::equals);
    assertThat(browser.requests("DELETE", SESSIONS + "/" + id)).hasSize(1);
  }

  @Test
  void aUsedUpBudgetShowsTheQuotaMessageWithItsRequestId() throws Exception {
    start(FAST + "budgets:\n  perPrincipal: {sessionsPerDay: 1}\n");
    // Today's one session, used by the same (anonymous) caller.
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}").status())
        .isEqualTo(200);
    openDemo();

    browser.click("start");

    browser.waitFor("error");
    browser.screenshot("1-quota-exceeded");
    JsonNode refused = browser.awaitResponse("POST", SESSIONS);
    assertThat(refused.path("status").asInt()).isEqualTo(429);
    JsonNode body = JsonMapper.builder().build().readTree(refused.path("body").asString());
    assertThat(browser.attribute("error", "data-code")).isEqualTo("quota_exceeded");
    assertThat(browser.text("error-message"))
        .startsWith(messages().path("errors").path("quota_exceeded").asString());
    assertThat(browser.text("error-request-id")).isEqualTo(body.path("requestId").asString());
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  @Test
  void anUpstreamWithoutCreditsShowsTheServiceUnavailableMessage() throws Exception {
    start(FAST);
    gateway.upstream().setCreditsExhausted(true);
    openDemo();

    browser.click("start");

    assertShowsError("upstream_credits_exhausted", "1-credits-exhausted");
    // The start was accepted (202) and failed on its stream: named by the start's request id.
    JsonNode started = browser.awaitResponse("POST", SESSIONS);
    assertThat(started.path("status").asInt()).isEqualTo(202);
    assertThat(browser.text("error-request-id"))
        .isEqualTo(started.path("headers").path("x-request-id").asString());
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void closingTheTabBeforeReadyCancelsTheSessionUpstream() {
    start(
        FAST
            + "sessions:\n  readerGrace: 300ms\n"
            + "connect:\n  deadline: 5m\n  queuedDeadline: 5m\n");
    // READY only when the test moves the simulator's clock: never, here.
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofHours(1)));
    openDemo();
    browser.click("start");
    browser.waitFor("progress-created");
    String id = startedId();
    browser.screenshot("1-created");
    String upstreamId = gateway.upstream().sessions().getFirst().id();
    assertThat(gateway.upstream().session(upstreamId).orElseThrow().status())
        .isEqualTo("NOT_READY");

    browser.command("closePage");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> gateway.upstream().session(upstreamId).orElseThrow().status(),
            "CANCELLED"::equals);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> gateway.get(SESSIONS + "/" + id).json().path("outcome").asString(),
            "client_gone"::equals);
    // The page sent no DELETE: the gateway noticed that nobody reads the stream any more.
    assertThat(browser.requests("DELETE", SESSIONS + "/" + id)).isEmpty();
  }

  @Test
  void closingTheTabDuringTheCallEndsTheSessionUpstream() {
    start(FAST);
    openDemo();
    // The tab goes as the SDK opens its LiveKit connection: after the hand-over.
    browser.arm(List.of(Map.of("do", "waitFor", "testid", "call"), Map.of("do", "closePage")));

    browser.click("start");

    browser.awaitWebSocket();
    browser.awaitArmed(2);
    String upstreamId = gateway.upstream().sessions().getFirst().id();
    assertThat(gateway.upstream().session(upstreamId).orElseThrow().consumedAt()).isPresent();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> gateway.upstream().session(upstreamId).orElseThrow().status(),
            "CANCELLED"::equals);
    assertThat(upstreamDeletes(upstreamId)).hasSize(1);
  }

  @Test
  void aStartThatWaitsInTheLineShowsItsPlace() throws Exception {
    start(
        ALLOWED
            + "runway:\n  simulatedReadyAfter: 100ms\n"
            + "connect:\n  deadline: 5m\n  queuedDeadline: 5m\n"
            + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
            + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 1\n"
            + "line:\n  maxWaitingPerPrincipal: 0\n");
    Duration held = Duration.ofMinutes(1);
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(held));
    // Another caller's connect holds the only creation slot until the simulator's clock moves.
    CompletableFuture<GatewayHarness.Response> holder =
        CompletableFuture.supplyAsync(
            () -> gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    openDemo();

    browser.click("start");

    browser.waitFor("progress-queued");
    assertThat(browser.text("queue-position")).isEqualTo("1");
    browser.screenshot("1-queued");
    String id = startedId();
    assertThat(gateway.upstream().sessions()).hasSize(1);

    // Leaving the line by End: the DELETE takes the start out of the line (well within the
    // readers' grace), and nothing was created for it, nor will be.
    browser.click("end");
    browser.waitFor("notice");
    assertThat(browser.requests("DELETE", SESSIONS + "/" + id)).hasSize(1);
    JsonNode ended = browser.awaitResponse("DELETE", SESSIONS + "/" + id);
    assertThat(ended.path("status").asInt()).as(ended.toString()).isEqualTo(200);
    JsonNode endedBody = JsonMapper.builder().build().readTree(ended.path("body").asString());
    assertThat(endedBody.path("state").asString()).isEqualTo("cancelled");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gateway.metric("avatar_gateway_line_waiting").orElse(-1) == 0);
    gateway.upstream().advanceClock(held);
    assertThat(holder.get().status()).isEqualTo(200);
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  /**
   * Waits for the page's error box, screenshots it as {@code screenshot}, and checks that it names
   * {@code code} with the sentence messages.json has for it.
   */
  private void assertShowsError(String code, String screenshot) throws Exception {
    browser.waitFor("error");
    browser.screenshot(screenshot);
    assertThat(browser.attribute("error", "data-code")).isEqualTo(code);
    assertThat(browser.text("error-message"))
        .startsWith(messages().path("errors").path(code).asString());
  }
}
