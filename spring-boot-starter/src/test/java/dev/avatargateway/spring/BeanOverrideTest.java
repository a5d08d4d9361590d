package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * An application's own {@link Authenticator} bean replaces the starter's (Spring Security's
 * principal around {@code auth.*}): it alone decides, for every request, even one that Spring
 * Security authenticated.
 */
@SpringBootTest(
    classes = {TestApplication.class, BeanOverrideTest.OwnAuthenticator.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-override;DB_CLOSE_DELAY=-1",
      "avatar-gateway.budgets.per-principal.minutes-per-day=600",
      "avatar-gateway.avatars.default-avatar=cat-character"
    })
@AutoConfigureRunwaySimulator
class BeanOverrideTest {
  static final String USER_HEADER = "X-Test-User";

  @LocalServerPort int port;
  @Autowired GatewayCore core;
  @Autowired ApplicationContext context;

  /** Takes the caller from a header; refuses a request without it. */
  @TestConfiguration(proxyBeanMethods = false)
  static class OwnAuthenticator {
    @Bean
    Authenticator headerAuthenticator() {
      return headers ->
          headers
              .get(USER_HEADER)
              .map(name -> new Principal(name, "test-header"))
              .orElseThrow(
                  () -> new GatewayException(ErrorCode.UNAUTHENTICATED, "Say who you are."));
    }
  }

  @Test
  void theApplicationsAuthenticatorDecidesAlone() throws Exception {
    Http http = new Http(port);
    assertThat(context.getBeanNamesForType(GatewayCoreCustomizer.class)).isEmpty();

    HttpResponse<String> refused =
        http.post(
            AvatarPaths.CONNECT,
            null,
            "",
            "Authorization",
            Http.basic(TestApplication.USER, TestApplication.PASSWORD));
    HttpResponse<String> bob = http.post(AvatarPaths.CONNECT, null, "", USER_HEADER, "bob");

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(Http.json(refused)).containsEntry("code", "unauthenticated");
    assertThat(bob.statusCode()).as(bob.body()).isEqualTo(200);
    assertThat(core.usage("bob").sessions()).isEqualTo(1);
    assertThat(core.usage(TestApplication.USER).sessions()).isZero();
  }
}
