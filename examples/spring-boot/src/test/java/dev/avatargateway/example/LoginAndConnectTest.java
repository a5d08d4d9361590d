package dev.avatargateway.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example over real HTTP, against the in-process simulator: nothing reaches Runway without a
 * login; a user who logged in through the form (cookie and CSRF token, as the page does) gets a
 * session, recorded in the ledger under their name; another user sees none of it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:example-login;DB_CLOSE_DELAY=-1",
      "example.demo-password=" + LoginAndConnectTest.PASSWORD
    })
@AutoConfigureRunwaySimulator
class LoginAndConnectTest {
  static final String PASSWORD = "demo-password-for-tests";

  /** One of the simulator's presets. */
  private static final String AVATAR = "{\"avatarId\":\"cat-character\"}";

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;

  @Test
  void aConnectWithoutLoginIsRefusedAndNothingReachesRunway() throws Exception {
    int before = createsReceived();
    WebUser anonymous = WebUser.anonymous(port).withCsrfToken();

    HttpResponse<String> answer = anonymous.post("/api/avatar/credentials", AVATAR);

    assertThat(answer.statusCode()).isEqualTo(401);
    assertThat(anonymous.get("/api/avatar/sessions").statusCode()).isEqualTo(401);
    assertThat(createsReceived()).isEqualTo(before);
  }

  @Test
  void aConnectWithNeitherLoginNorCsrfTokenIsRefused() throws Exception {
    int before = createsReceived();

    HttpResponse<String> answer =
        WebUser.anonymous(port).postWithoutCsrf("/api/avatar/credentials", AVATAR);

    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(createsReceived()).isEqualTo(before);
  }

  @Test
  void thePageSendsSomeoneNotLoggedInToTheLoginForm() throws Exception {
    HttpResponse<String> answer = WebUser.anonymous(port).open("/");

    assertThat(answer.statusCode()).isEqualTo(302);
    assertThat(answer.headers().firstValue("Location"))
        .hasValueSatisfying(location -> assertThat(location).endsWith("/login"));
  }

  @Test
  void theLoginPageNeedsNoLogin() throws Exception {
    HttpResponse<String> answer = WebUser.anonymous(port).open("/login");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("<form method=\"post\" action=\"login\">");
  }

  @Test
  void aWrongPasswordDoesNotLogIn() throws Exception {
    WebUser user = WebUser.anonymous(port);

    HttpResponse<String> answer = user.logIn("alice", "not-" + PASSWORD);

    assertThat(answer.headers().firstValue("Location"))
        .hasValueSatisfying(location -> assertThat(location).endsWith("/login?error"));
    assertThat(user.get("/api/me").statusCode()).isEqualTo(401);
  }

  @Test
  void aLoggedInUserGetsASessionRecordedUnderTheirName() throws Exception {
    WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);

    HttpResponse<String> answer = alice.post("/api/avatar/credentials", AVATAR);

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    Map<String, Object> credentials = WebUser.json(answer);
    assertThat(credentials).containsKeys("sessionId", "serverUrl", "token", "roomName");
    String sessionId = (String) credentials.get("sessionId");
    assertThat(simulator.admin().session(sessionId)).isPresent();
    assertThat(sessions(alice))
        .filteredOn(session -> sessionId.equals(session.get("sessionId")))
        .singleElement()
        .satisfies(session -> assertThat(session).containsEntry("principal", "alice"));
  }

  @Test
  void aCallWithoutTheCsrfTokenIsRefusedEvenLoggedIn() throws Exception {
    WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);
    int before = createsReceived();

    HttpResponse<String> answer = alice.postWithoutCsrf("/api/avatar/credentials", AVATAR);

    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(createsReceived()).isEqualTo(before);
  }

  @Test
  void anotherUserNeitherSeesNorEndsTheFirstsSession() throws Exception {
    WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);
    WebUser bob = WebUser.loggedIn(port, "bob", PASSWORD);
    HttpResponse<String> started = alice.post("/api/avatar/credentials", AVATAR);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String sessionId = (String) WebUser.json(started).get("sessionId");
    String id =
        (String)
            sessions(alice).stream()
                .filter(session -> sessionId.equals(session.get("sessionId")))
                .findFirst()
                .orElseThrow()
                .get("id");

    assertThat(sessions(bob)).noneMatch(session -> id.equals(session.get("id")));
    assertThat(bob.get("/api/avatar/sessions/" + id).statusCode()).isEqualTo(404);
    assertThat(bob.delete("/api/avatar/sessions/" + id).statusCode()).isEqualTo(404);

    HttpResponse<String> ended = alice.delete("/api/avatar/sessions/" + id);

    assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
    assertThat(WebUser.json(ended)).containsEntry("outcome", "end_requested");
  }

  @Test
  void loggingOutEndsTheLoginSession() throws Exception {
    WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);

    HttpResponse<String> answer = alice.logOut();

    assertThat(answer.statusCode()).isEqualTo(302);
    assertThat(answer.headers().firstValue("Location"))
        .hasValueSatisfying(location -> assertThat(location).endsWith("/login?logout"));
    assertThat(alice.get("/api/me").statusCode()).isEqualTo(401);
  }

  @Test
  void theHealthCheckNeedsNoLogin() throws Exception {
    HttpResponse<String> answer = WebUser.anonymous(port).get("/actuator/health");

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(WebUser.json(answer)).containsEntry("status", "UP");
  }

  private static List<Map<String, Object>> sessions(WebUser user) throws Exception {
    HttpResponse<String> answer = user.get("/api/avatar/sessions");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sessions =
        (List<Map<String, Object>>) WebUser.json(answer).get("sessions");
    return sessions;
  }

  /** The creates of realtime sessions the simulator received so far. */
  private int createsReceived() {
    return (int)
        simulator.admin().requests().stream()
            .filter(r -> r.method().equals("POST") && r.path().equals("/v1/realtime_sessions"))
            .count();
  }
}
