package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Another site's page cannot start a paid session with the user's cookies, over real HTTP against
 * an application with Spring Security's form login, whose session cookie a browser sends along with
 * a cross-site request: a state-changing request whose {@code Origin} is neither listed nor the
 * application's own is 403 {@code origin_not_allowed} before anything runs, checked against the
 * simulator (no session created). A listed origin gets CORS headers and its preflight; reads from
 * other origins are not refused.
 */
@SpringBootTest(
    classes = CrossSiteOverHttpTest.FormLoginApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-cross-site;DB_CLOSE_DELAY=-1",
      "avatar-gateway.avatars.default-avatar=cat-character",
      "avatar-gateway.web.cors.allowed-origins=" + CrossSiteOverHttpTest.LISTED,
      "avatar-gateway.web.cors.max-age=5m",
      "avatar-gateway.web.cors.allow-credentials=true",
      // Tomcat believes X-Forwarded-* from loopback, as from a proxy on the same host.
      "server.forward-headers-strategy=native"
    })
@AutoConfigureRunwaySimulator
class CrossSiteOverHttpTest {
  static final String LISTED = "https://app.example.com";
  private static final String EVIL = "https://evil.example.net";
  private static final String USER = "bob";
  private static final String PASSWORD = "bob-password-for-tests";

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;
  @Autowired GatewayCore core;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void aCrossSitePostWithTheUsersSessionCookieIsRefusedAndStartsNothing() throws Exception {
    String cookie = logIn();
    // The cookie alone is enough to start a session as the user: what another site's page would
    // send along with its post.
    HttpResponse<String> own = http.post(AvatarPaths.CREDENTIALS, null, "", "Cookie", cookie);
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    long sessions = simulator.admin().sessions().size();
    long usage = core.usage(USER).sessions();

    for (String origin : new String[] {EVIL, "null", LISTED + ".evil.net", "http://127.0.0.1"}) {
      HttpResponse<String> refused =
          http.post(
              AvatarPaths.CREDENTIALS,
              "application/json",
              "{\"avatarId\":\"cat-character\"}",
              "Cookie",
              cookie,
              "Origin",
              origin);

      assertThat(refused.statusCode()).as(origin).isEqualTo(403);
      assertThat(Http.json(refused))
          .containsEntry("code", "origin_not_allowed")
          .containsEntry("requestId", refused.headers().firstValue("X-Request-Id").orElseThrow());
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
    assertThat(
            Http.json(http.post(AvatarPaths.SESSIONS, null, "", "Cookie", cookie, "Origin", EVIL))
                .get("code"))
        .isEqualTo("origin_not_allowed");
    assertThat(
            http.send(AvatarPaths.SESSIONS + "/any", "DELETE", "Cookie", cookie, "Origin", EVIL)
                .statusCode())
        .isEqualTo(403);
    assertThat(simulator.admin().sessions()).hasSize((int) sessions);
    assertThat(core.usage(USER).sessions()).isEqualTo(usage);
  }

  @Test
  void theApplicationsOwnPagesMayPost() throws Exception {
    HttpResponse<String> response =
        http.post(AvatarPaths.CREDENTIALS, null, "", "Origin", "http://127.0.0.1:" + port);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void behindAProxyTheForwardedSchemeAndHostAreTheApplicationsOwn() throws Exception {
    String page = "https://gw.example.org";

    HttpResponse<String> forwarded =
        http.post(
            AvatarPaths.CREDENTIALS,
            null,
            "",
            "Origin",
            page,
            "X-Forwarded-Proto",
            "https",
            "X-Forwarded-Host",
            "gw.example.org");
    HttpResponse<String> direct = http.post(AvatarPaths.CREDENTIALS, null, "", "Origin", page);

    assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(Http.json(direct)).containsEntry("code", "origin_not_allowed");
  }

  @Test
  void aListedOriginGetsCorsHeadersAndItsPreflightAnswered() throws Exception {
    HttpResponse<String> response = http.post(AvatarPaths.CREDENTIALS, null, "", "Origin", LISTED);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(LISTED);
    assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(response.headers().firstValue("Access-Control-Expose-Headers"))
        .hasValueSatisfying(exposed -> assertThat(exposed).contains("X-Request-Id", "Location"));
    assertThat(response.headers().allValues("Vary")).contains("Origin");

    HttpResponse<String> preflight =
        http.send(
            AvatarPaths.CONNECT,
            "OPTIONS",
            "Origin",
            LISTED,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "content-type");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(LISTED);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
        .hasValueSatisfying(methods -> assertThat(methods).contains("POST"));
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(headers -> assertThat(headers).contains("Content-Type"));
    assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("300");
  }

  @Test
  void anotherOriginsPreflightIsRefused() throws Exception {
    for (String origin : new String[] {EVIL, "null"}) {
      HttpResponse<String> preflight =
          http.send(
              AvatarPaths.CONNECT,
              "OPTIONS",
              "Origin",
              origin,
              "Access-Control-Request-Method",
              "POST");

      assertThat(preflight.statusCode()).as(origin).isEqualTo(403);
      assertThat(Http.json(preflight)).containsEntry("code", "forbidden");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
    }
  }

  @Test
  void aReadFromAnotherOriginIsNotRefused() throws Exception {
    HttpResponse<String> response = http.get(AvatarPaths.PRESETS, "Origin", EVIL);

    assertThat(response.statusCode()).isEqualTo(200);
    // Without CORS headers the other page cannot read it.
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aMalformedRequestIdIsReplacedAndAWellFormedOneKept() throws Exception {
    String malformed = "x".repeat(200);

    HttpResponse<String> replaced =
        http.post(AvatarPaths.CONNECT, "application/json", "", "X-Request-Id", malformed);
    HttpResponse<String> refused =
        http.post(
            AvatarPaths.CONNECT,
            "application/json",
            "",
            "X-Request-Id",
            "req-cross-1",
            "Origin",
            EVIL);

    String id = replaced.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).isNotEqualTo(malformed);
    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    assertThat(refused.headers().firstValue("X-Request-Id")).hasValue("req-cross-1");
    assertThat(Http.json(refused)).containsEntry("requestId", "req-cross-1");
  }

  /** Logs {@value #USER} in through the login form; the session cookie a browser would keep. */
  private String logIn() throws Exception {
    HttpResponse<String> login =
        http.post(
            "/login",
            "application/x-www-form-urlencoded",
            "username=" + USER + "&password=" + PASSWORD);
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
    return login.headers().allValues("Set-Cookie").stream()
        .filter(cookie -> cookie.startsWith("JSESSIONID="))
        .map(cookie -> cookie.substring(0, cookie.indexOf(';')))
        .findFirst()
        .orElseThrow();
  }

  /**
   * An application with form login: its users are remembered by a session cookie, which a browser
   * sends with every request to it, another site's included. The JSON endpoints are exempt from
   * CSRF tokens, as docs/spring-boot.md allows, and so is the login form here (for the test's own
   * log-in).
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class FormLoginApplication {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .formLogin(Customizer.withDefaults())
          .csrf(csrf -> csrf.ignoringRequestMatchers("/api/avatar/**", "/login"))
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER").build());
    }
  }
}
