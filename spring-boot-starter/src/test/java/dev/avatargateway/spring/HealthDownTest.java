package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The Actuator's {@code avatarGateway} component goes down, with its reason, once the upstream no
 * longer answers, and takes the application's health with it. Its own context: it stops the
 * simulator.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-health;DB_CLOSE_DELAY=-1",
      "management.endpoints.web.exposure.include=health",
      "management.endpoint.health.show-details=always"
    })
@AutoConfigureRunwaySimulator
@DirtiesContext
class HealthDownTest {
  /**
   * The core remembers the upstream's answer for a few seconds (UpstreamProbe); this is far beyond
   * that, and short of hanging the build.
   */
  private static final Duration UNTIL_DOWN = Duration.ofSeconds(30);

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;

  @Test
  void healthGoesDownWithTheUpstream() throws Exception {
    Http http = new Http(port);
    assertThat(component(http.get("/actuator/health"))).containsEntry("status", "UP");

    simulator.close();

    await()
        .atMost(UNTIL_DOWN)
        .untilAsserted(
            () -> {
              HttpResponse<String> health = http.get("/actuator/health");
              assertThat(health.statusCode()).isEqualTo(503);
              assertThat(component(health)).containsEntry("status", "DOWN");
              assertThat(component(health).get("details").toString()).contains("upstream");
            });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> component(HttpResponse<String> health) {
    Map<String, Object> components = (Map<String, Object>) Http.json(health).get("components");
    return (Map<String, Object>) components.get("avatarGateway");
  }
}
