package dev.avatargateway.example;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Who may do what: everything but the health check and the login page needs a logged-in user, so
 * the starter's endpoints ({@code /api/avatar/**}) only ever see Spring Security's users, and the
 * starter makes each the gateway's principal ({@code Authentication.getName()}). Logging in is
 * Spring Security's form login on a page of the application's own ({@code login.html}).
 *
 * <p>CSRF protection stays on for every path, the gateway's too: the page is served by this
 * application and sends Spring's token with each state-changing call ({@link AccountController}
 * hands it over). Exempting the JSON paths would also be defensible (the starter refuses the form
 * and {@code text/plain} bodies another site can post without a preflight, docs/spring-boot.md),
 * but keeping the token costs the page one header.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {
  /** 12 bytes: 16 characters of base64, enough that a generated demo password is not guessed. */
  private static final int GENERATED_PASSWORD_BYTES = 12;

  /**
   * What needs no login: the login page's files and its CSRF token, Spring Boot's error page and
   * the health check (a load balancer has no login). Every request, forwards included, is checked,
   * so the file {@code /login} forwards to is listed too.
   */
  private static final String[] PUBLIC_PATHS = {
    "/login.html", "/login.js", "/api/csrf", "/error", "/actuator/health"
  };

  private static final Logger LOG = LoggerFactory.getLogger(SecurityConfiguration.class);

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(
            requests ->
                requests.requestMatchers(PUBLIC_PATHS).permitAll().anyRequest().authenticated())
        // The login page at /login (static, LoginPage), posting to /login; after it, back to the
        // page asked for (or /), or /login?error.
        .formLogin(form -> form.loginPage("/login").permitAll())
        // POST /logout with the CSRF token, then /login?logout.
        .logout(Customizer.withDefaults())
        // A script's call without a session gets 401, not a redirect to an HTML login page.
        .exceptionHandling(
            errors ->
                errors.defaultAuthenticationEntryPointFor(
                    new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
                    PathPatternRequestMatcher.withDefaults().matcher("/api/**")))
        .build();
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  /**
   * The demo users, in memory: demo only. A real application has its own {@code
   * UserDetailsService}, OAuth2 login or SSO; the starter takes whichever user Spring Security
   * authenticated.
   */
  @Bean
  UserDetailsService demoUsers(ExampleProperties properties, PasswordEncoder encoder) {
    List<UserDetails> users = new ArrayList<>();
    List<String> generated = new ArrayList<>();
    for (String name : properties.demoUsers()) {
      String password = properties.demoPassword();
      if (password == null) {
        password = generatedPassword();
        generated.add(name + " / " + password);
      }
      users.add(User.withUsername(name).password(encoder.encode(password)).roles("USER").build());
    }
    if (generated.isEmpty()) {
      LOG.info("Demo users {}, password from example.demo-password", properties.demoUsers());
    } else {
      // As Spring Boot's own generated password: throwaway credentials of an in-memory demo,
      // new at every start, that whoever runs it needs to read.
      LOG.warn(
          "Demo users (in memory, this run only; set example.demo-password to choose): {}",
          String.join(", ", generated));
    }
    return new InMemoryUserDetailsManager(users);
  }

  private static String generatedPassword() {
    byte[] random = new byte[GENERATED_PASSWORD_BYTES];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }
}
