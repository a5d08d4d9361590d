package dev.avatargateway.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A Spring Boot application with the Avatar Gateway starter behind Spring Security: users log in
 * with a form ({@link SecurityConfiguration}), and the page at {@code /} starts an avatar session
 * as the logged-in user through the starter's {@code POST /api/avatar/credentials}. The starter
 * takes the Spring Security user as the gateway's principal, so rate limits, budgets and the
 * session ledger are per user.
 *
 * <p>Without {@code runway.api-secret} (env {@code RUNWAY_API_SECRET}) it runs against an
 * in-process Runway simulator ({@link SimulatedRunway}); with it, against Runway.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ExampleApplication {
  /**
   * The application as {@link #main} runs it: on the simulator when no Runway secret is set.
   *
   * @return a {@link SpringApplication} to {@code run}
   */
  public static SpringApplication application() {
    SpringApplication application = new SpringApplication(ExampleApplication.class);
    application.addInitializers(new SimulatedRunway());
    return application;
  }

  /**
   * Starts the application.
   *
   * @param args Spring Boot's command line ({@code --server.port=8081}, ...)
   */
  public static void main(String[] args) {
    application().run(args);
  }
}
