package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code runway.mode} over real HTTP. A separately started simulator plays "the real Runway": its
 * key is the gateway's {@code RUNWAYML_API_SECRET}, and it records every request it receives, so
 * the tests see which upstream the gateway really talks to.
 */
class RunwayModeEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String REAL_WITHOUT_AUTH =
      "auth:\n  allowUnauthenticatedWithRealRunway: true\n";

  private RunwaySimulator runway;
  private Map<String, String> secretSet;

  @BeforeEach
  void startTheRealRunway() {
    runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .readyAfter(DelayDistribution.fixed(Duration.ofMillis(100)))
                .build());
    secretSet =
        Map.of(
            ConfigLoader.SECRET_ENV,
            SimulatorConfig.DEFAULT_API_KEY,
            "RUNWAYML_BASE_URL",
            runway.baseUrl().toString());
  }

  @AfterEach
  void stopIt() {
    runway.admin().advanceClock(Duration.ofHours(1));
    assertThat(runway.admin().leakedCount()).isZero();
    runway.close();
  }

  @Test
  void simulatedModeUsesTheEmbeddedSimulatorAndNeverSendsTheSecret() {
    Map<String, String> environment = new HashMap<>(secretSet);
    environment.put("GATEWAY_RUNWAY_MODE", "simulated");
    try (GatewayHarness gateway = GatewayHarness.start(ConnectEndToEndTest.FAST, environment)) {
      assertThat(gateway.app().simulator()).isPresent();

      assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}").status())
          .isEqualTo(200);
      JsonNode readiness = gateway.get("/readyz").json();

      assertThat(readiness.get("status").asString()).isEqualTo("ready");
      assertThat(readiness.get("upstream").asString()).isEqualTo("simulator");
      assertThat(gateway.get("/metrics").body()).contains("avatar_gateway_upstream_simulated 1.0");
      assertThat(gateway.upstream().sessions()).hasSize(1);
      assertThat(runway.admin().requests()).isEmpty();
    }
  }

  @Test
  void realModeTalksToRunwayWithTheSecret() {
    Map<String, String> environment = new HashMap<>(secretSet);
    environment.put("GATEWAY_RUNWAY_MODE", "real");
    try (GatewayHarness gateway =
        GatewayHarness.start(ConnectEndToEndTest.FAST + REAL_WITHOUT_AUTH, environment)) {
      assertThat(gateway.app().simulator()).isEmpty();

      assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}").status())
          .isEqualTo(200);
      JsonNode readiness = gateway.get("/readyz").json();

      assertThat(readiness.get("upstream").asString()).isEqualTo("runway");
      assertThat(gateway.get("/metrics").body()).contains("avatar_gateway_upstream_simulated 0.0");
      assertThat(runway.admin().sessions()).hasSize(1);
      // Consume is authorised by the session's own key; creating the session takes the secret.
      assertThat(runway.admin().requests())
          .filteredOn(
              request ->
                  "POST".equals(request.method()) && request.path().equals("/v1/realtime_sessions"))
          .singleElement()
          .satisfies(
              create ->
                  assertThat(create.header("Authorization"))
                      .contains("Bearer " + SimulatorConfig.DEFAULT_API_KEY));
    }
  }

  @Test
  void autoModeTalksToRunwayWhenTheSecretIsSet() {
    try (GatewayHarness gateway =
        GatewayHarness.start(ConnectEndToEndTest.FAST + REAL_WITHOUT_AUTH, secretSet)) {
      assertThat(gateway.app().simulator()).isEmpty();
      assertThat(gateway.get("/readyz").json().get("upstream").asString()).isEqualTo("runway");
      assertThat(runway.admin().requests()).isNotEmpty();
    }
  }
}
