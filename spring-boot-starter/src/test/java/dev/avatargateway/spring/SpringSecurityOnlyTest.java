package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code avatar-gateway.auth.spring-security-only}: the test application lets everyone reach the
 * gateway's paths, yet a request Spring Security did not authenticate is the gateway's 401 {@code
 * unauthenticated} and starts nothing upstream, while its user connects as before.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-spring-security-only;DB_CLOSE_DELAY=-1",
      "avatar-gateway.auth.spring-security-only=true"
    })
@AutoConfigureRunwaySimulator
class SpringSecurityOnlyTest {
  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;

  @Test
  void aRequestSpringSecurityDidNotAuthenticateIsRefusedAndItsUserConnects() throws Exception {
    Http http = new Http(port);
    int before = simulator.admin().sessions().size();

    HttpResponse<String> anonymous = http.post(AvatarPaths.CREDENTIALS, "application/json", "{}");

    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
    Map<String, Object> error = Http.json(anonymous);
    assertThat(error).containsEntry("code", "unauthenticated").containsKey("requestId");
    assertThat(simulator.admin().sessions()).hasSize(before);

    HttpResponse<String> alices =
        http.post(
            AvatarPaths.CREDENTIALS,
            "application/json",
            "{\"avatarId\": \"cat-character\"}",
            Http.auth(TestApplication.USER, TestApplication.PASSWORD));

    assertThat(alices.statusCode()).as(alices.body()).isEqualTo(200);
    HttpResponse<String> listing =
        http.get(AvatarPaths.SESSIONS, Http.auth(TestApplication.USER, TestApplication.PASSWORD));
    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(listing.body())
        .contains("\"principal\":\"" + TestApplication.USER + "\"")
        .contains((String) Http.json(alices).get("sessionId"));
  }
}
