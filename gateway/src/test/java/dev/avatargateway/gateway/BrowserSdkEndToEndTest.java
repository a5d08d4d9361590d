package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.browsertest.BrowserDriver;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.SessionRecord;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two official entry points, each on its own page and at its own path of one gateway, in
 * headless Chromium: the React SDK's quick start ({@code <AvatarCall connectUrl>}, which POSTs to
 * {@code /api/avatar/connect} itself and gets credentials), and the core package's ({@code
 * streamTo} with the answer of {@code /api/avatar/session-key}, which consumes at the simulator,
 * cross-origin). Each must end in the SDK's LiveKit connection with the token the consume answered;
 * the driver catches and holds that WebSocket, since no media server exists here.
 */
class BrowserSdkEndToEndTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SESSIONS = "/api/avatar/sessions";

  private GatewayHarness gateway;
  private BrowserDriver browser;
  private String name;

  @BeforeEach
  void start(TestInfo info) {
    name = "BrowserSdkEndToEndTest-" + info.getTestMethod().orElseThrow().getName();
    DemoBrowser.checkPrerequisites();
    gateway =
        GatewayHarness.start(
            ConnectEndToEndTest.FAST,
            Map.of(
                "GATEWAY_LEDGER_URL",
                "jdbc:h2:mem:browser-sdk-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
    browser = DemoBrowser.start(gateway.baseUrl(), name);
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

  private static void assertJoinsLiveKit(URI socket, String serverUrl, String token) {
    URI server = URI.create(serverUrl);
    assertThat(socket.getScheme()).isEqualTo(server.getScheme());
    assertThat(socket.getHost()).isEqualTo(server.getHost());
    assertThat(socket.getPath()).startsWith("/rtc");
    assertThat(DemoBrowser.queryParameter(socket, "access_token")).isEqualTo(token).isNotBlank();
  }

  @Test
  void reactAvatarCallWithConnectUrlPostsToTheConnectPathAndJoinsWithTheCredentials() {
    browser.open("/demo/connect-url.html");
    browser.waitForEnabled("start");
    browser.select("avatar-picker", "cat-character");

    browser.click("start");

    URI socket = browser.awaitWebSocket();
    browser.screenshot("1-calling");
    // The SDK's own request, exactly as its quick start makes it: only Content-Type.
    List<JsonNode> posts = browser.requests("POST", "/api/avatar/connect");
    assertThat(posts).hasSize(1);
    JsonNode post = posts.getFirst();
    assertThat(JSON.readTree(post.path("body").asString()).path("avatarId").asString())
        .isEqualTo("cat-character");
    assertThat(post.path("headers").has("authorization")).isFalse();
    assertThat(post.path("headers").path("content-type").asString()).isEqualTo("application/json");
    JsonNode answer = browser.awaitResponse("POST", "/api/avatar/connect");
    assertThat(answer.path("status").asInt()).isEqualTo(200);
    JsonNode credentials = JSON.readTree(answer.path("body").asString());
    assertThat(credentials.propertyNames())
        .containsExactly("sessionId", "serverUrl", "token", "roomName");
    assertJoinsLiveKit(
        socket, credentials.path("serverUrl").asString(), credentials.path("token").asString());
    // React Strict Mode runs the SDK's effects twice; its cache still fetches once, and LiveKit
    // connects once: one session, one socket.
    assertThat(browser.events("websocket")).hasSize(1);
    List<SessionRecord> upstream = gateway.upstream().sessions();
    assertThat(upstream).hasSize(1);
    assertThat(upstream.getFirst().id()).isEqualTo(credentials.path("sessionId").asString());
    assertThat(upstream.getFirst().status()).isEqualTo("RUNNING");
  }

  @Test
  void aRefusalOfTheSdksOwnConnectShowsTheGatewaysMessageWithItsRequestId() throws Exception {
    gateway.upstream().setCreditsExhausted(true);
    browser.open("/demo/connect-url.html");
    browser.waitForEnabled("start");

    browser.click("start");

    browser.waitFor("error");
    browser.screenshot("1-refused");
    JsonNode refused = browser.awaitResponse("POST", "/api/avatar/connect");
    assertThat(refused.path("status").asInt()).isEqualTo(503);
    String expected =
        JSON.readTree(Files.readString(DemoBrowser.WEB.resolve("src/shared/messages.json")))
            .path("errors")
            .path("upstream_credits_exhausted")
            .asString();
    assertThat(browser.attribute("error", "data-code")).isEqualTo("upstream_credits_exhausted");
    assertThat(browser.text("error-message")).isEqualTo(expected);
    assertThat(browser.text("error-request-id"))
        .isEqualTo(JSON.readTree(refused.path("body").asString()).path("requestId").asString());
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void corePackageStreamToConsumesTheSessionKeyAtTheSimulatorAndJoinsWithItsToken() {
    URI simulator = gateway.simulator().baseUrl();
    browser.open("/demo/core.html");
    browser.waitForEnabled("start");
    // As the SDK opens its LiveKit connection: End (LiveKit gives up on a silent one within 5 s).
    browser.arm(
        List.of(
            Map.of("do", "screenshot", "name", "1-connecting"),
            Map.of("do", "click", "testid", "end")));

    browser.click("start");

    URI socket = browser.awaitWebSocket();
    browser.awaitArmed(2);
    JsonNode handedOut = browser.awaitResponse("POST", "/api/avatar/session-key");
    assertThat(handedOut.path("status").asInt()).as(handedOut.toString()).isEqualTo(200);
    JsonNode key = JSON.readTree(handedOut.path("body").asString());
    assertThat(key.propertyNames()).containsExactlyInAnyOrder("sessionId", "sessionKey", "baseUrl");
    assertThat(URI.create(key.path("baseUrl").asString())).isEqualTo(simulator);
    String upstreamId = key.path("sessionId").asString();

    // The browser consumed at the simulator itself, cross-origin: a preflight, then the POST.
    String consumePath = "/v1/realtime_sessions/" + upstreamId + "/consume";
    JsonNode consumed = browser.awaitResponse("POST", consumePath);
    assertThat(consumed.path("status").asInt()).as(consumed.toString()).isEqualTo(200);
    assertThat(URI.create(consumed.path("url").asString()).getPort())
        .isEqualTo(simulator.getPort());
    List<RecordedRequest> consumes =
        gateway.upstream().requests().stream()
            .filter(r -> r.method().equals("POST") && r.path().equals(consumePath))
            .toList();
    assertThat(consumes).hasSize(1);
    assertThat(consumes.getFirst().header("Origin")).contains(origin(gateway.baseUrl()));
    assertThat(consumes.getFirst().header("Authorization"))
        .contains("Bearer " + key.path("sessionKey").asString());
    assertThat(gateway.upstream().stats().preflights()).isGreaterThanOrEqualTo(1);
    JsonNode room = JSON.readTree(consumed.path("body").asString());
    assertJoinsLiveKit(socket, room.path("url").asString(), room.path("token").asString());
    assertThat(gateway.upstream().session(upstreamId).orElseThrow().consumedAt()).isPresent();
    // The page's Content-Security-Policy let it consume at the simulator's origin.
    assertThat(browser.cspViolations()).isEmpty();

    // End: the page ended the handed-out session at the gateway by the id the answer named
    // (Runway's), and the gateway ended it upstream.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> gateway.upstream().session(upstreamId).orElseThrow().status(),
            "CANCELLED"::equals);
    browser.screenshot("2-ended");
    assertThat(browser.requests("DELETE", "")).hasSize(1);
    assertThat(browser.requests("DELETE", "").getFirst().path("url").asString())
        .endsWith(SESSIONS + "/" + upstreamId);
  }

  private static String origin(URI base) {
    return base.getScheme() + "://" + base.getHost() + ":" + base.getPort();
  }
}
