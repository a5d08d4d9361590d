package dev.avatargateway.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.browsertest.BrowserDriver;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The pages in a real, headless Chromium, as a person uses them: the page sends them to the login
 * form, they log in, press Start and see their session, which the ledger has under their name, and
 * end it. Screenshots of each step: {@code target/browser-screenshots/login-and-start/}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:example-browser;DB_CLOSE_DELAY=-1",
      "example.demo-password=" + BrowserTest.PASSWORD
    })
@AutoConfigureRunwaySimulator
class BrowserTest {
  static final String PASSWORD = "demo-password-for-browser-tests";

  /**
   * Ending is one request to the simulator and a refresh of the list: far beyond, short of hanging.
   */
  private static final Duration UNTIL_ENDED = Duration.ofSeconds(20);

  /**
   * The gateway's web package, with the driver script and its packages, from this module's folder
   * (Surefire's working directory).
   */
  private static final Path GATEWAY_WEB = Path.of("..", "..", "gateway", "web");

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;

  @Test
  void aUserLogsInStartsASessionAndSeesIt() throws Exception {
    try (BrowserDriver browser =
        BrowserDriver.start(
            URI.create("http://127.0.0.1:" + port), "login-and-start", GATEWAY_WEB)) {
      browser.open("/");
      browser.waitForEnabled("login");
      browser.screenshot("1-login");
      browser.fill("username", "alice");
      browser.fill("password", PASSWORD);
      browser.click("login");
      browser.waitForEnabled("start");
      assertThat(browser.text("user")).isEqualTo("alice");
      browser.screenshot("2-logged-in");

      browser.click("start");
      browser.waitFor("result");
      browser.screenshot("3-started");

      String sessionId = browser.text("session-id");
      assertThat(sessionId).as(browser.console()).isNotBlank();
      assertThat(simulator.admin().session(sessionId)).isPresent();
      assertThat(browser.text("session-state")).isNotBlank().isNotEqualTo("unknown");
      assertThat(ledgerRow(sessionId)).containsEntry("principal", "alice");

      browser.click("end");
      await("the session shown ended")
          .atMost(UNTIL_ENDED)
          .untilAsserted(() -> assertThat(browser.text("row-state")).startsWith("cancel"));
      browser.screenshot("4-ended");
      assertThat(ledgerRow(sessionId)).containsEntry("outcome", "end_requested");
    }
  }

  /** The session's row in alice's own listing, read as alice over HTTP. */
  private Map<String, Object> ledgerRow(String sessionId) throws Exception {
    WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);
    HttpResponse<String> answer = alice.get("/api/avatar/sessions");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sessions =
        (List<Map<String, Object>>) WebUser.json(answer).get("sessions");
    return sessions.stream()
        .filter(session -> sessionId.equals(session.get("sessionId")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ledger row for " + sessionId + ": " + sessions));
  }
}
