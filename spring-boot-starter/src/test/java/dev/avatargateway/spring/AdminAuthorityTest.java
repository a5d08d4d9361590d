package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@code avatar-gateway.auth.admin.authority} names the authority of admins: here {@code
 * ROLE_USER}, so that {@value TestApplication#USER} is an admin and the default authority's holder
 * is not; no admin key is configured, so the authority alone decides.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-admin-authority;DB_CLOSE_DELAY=-1",
      "avatar-gateway.auth.admin.authority=ROLE_USER"
    })
@AutoConfigureRunwaySimulator
class AdminAuthorityTest {
  @LocalServerPort int port;

  @Test
  void theConfiguredAuthorityReplacesTheDefault() throws Exception {
    Http http = new Http(port);

    HttpResponse<String> user =
        http.get(
            AvatarPaths.ADMIN_SESSIONS, Http.auth(TestApplication.USER, TestApplication.PASSWORD));
    HttpResponse<String> defaultAdmin =
        http.get(
            AvatarPaths.ADMIN_USAGE,
            Http.auth(TestApplication.ADMIN, TestApplication.ADMIN_PASSWORD));

    assertThat(user.statusCode()).as(user.body()).isEqualTo(200);
    assertThat(Http.json(user)).containsKeys("sessions", "nextCursor");
    assertThat(defaultAdmin.statusCode()).isEqualTo(401);
    assertThat(Http.json(defaultAdmin)).containsEntry("code", "unauthenticated");
  }
}
