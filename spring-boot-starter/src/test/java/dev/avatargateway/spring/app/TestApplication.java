package dev.avatargateway.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application that uses the starter as a Java team would: Spring Security with HTTP Basic, a
 * user, {@value #USER}, and an admin, {@value #ADMIN}; the gateway's paths open to all (an
 * unauthenticated request is then decided by {@code avatar-gateway.auth.*}) and, as JSON APIs
 * called with credentials, without CSRF tokens.
 */
@SpringBootApplication
public class TestApplication {
  public static final String USER = "alice";
  public static final String PASSWORD = "alice-password-for-tests";

  /** A user with the starter's default admin authority ({@code ROLE_AVATAR_ADMIN}). */
  public static final String ADMIN = "olga";

  public static final String ADMIN_PASSWORD = "olga-password-for-tests";

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .httpBasic(Customizer.withDefaults())
        .csrf(csrf -> csrf.ignoringRequestMatchers("/api/avatar/**"))
        .build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER").build(),
        User.withUsername(ADMIN).password("{noop}" + ADMIN_PASSWORD).roles("AVATAR_ADMIN").build());
  }
}
