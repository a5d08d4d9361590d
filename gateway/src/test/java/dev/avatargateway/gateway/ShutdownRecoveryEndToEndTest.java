package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A graceful stop while Runway's DELETE hangs: the stopped connects cannot cancel their sessions,
 * so the books say {@code cancelling}; the next gateway on the same ledger finishes the job. Runway
 * is a simulator of its own, outliving both gateways.
 */
class ShutdownRecoveryEndToEndTest {
  private static final int WAITING = 3;
  private static final String CONFIG =
      ConnectEndToEndTest.FAST
          + "auth:\n  allowUnauthenticatedWithRealRunway: true\n"
          + "server:\n  shutdownGrace: 100ms\n"
          + "connect:\n  deadline: 10m\n  queuedDeadline: 10m\n";

  @Test
  void cancelsThatHungDuringAStopAreFinishedByTheNextGateway() throws Exception {
    String ledger = "jdbc:h2:mem:shutdown-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (RunwaySimulator runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .readyAfter(DelayDistribution.fixed(Duration.ofMinutes(10)))
                .maxHang(Duration.ofSeconds(30))
                .build())) {
      Map<String, String> environment =
          Map.of(
              "RUNWAYML_API_SECRET",
              SimulatorConfig.DEFAULT_API_KEY,
              "RUNWAYML_BASE_URL",
              runway.baseUrl().toString(),
              "GATEWAY_LEDGER_URL",
              ledger,
              "GATEWAY_INSTANCE_NAME",
              "shutdown-test");
      GatewayHarness first = GatewayHarness.start(CONFIG, environment);
      List<CompletableFuture<GatewayHarness.Response>> waiting = new ArrayList<>();
      for (int i = 0; i < WAITING; i++) {
        waiting.add(
            CompletableFuture.supplyAsync(
                () -> first.postJson("/api/avatar/connect", "{\"avatarId\":\"cat-character\"}")));
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  runway.admin().sessions().stream().filter(s -> s.getCount() > 0).count()
                      == WAITING);
      runway.admin().injectFault(FaultRule.parse("cancel:hang"));

      first.close();

      assertThat(waiting).allSatisfy(f -> assertThat(f.join().code()).isEqualTo("shutting_down"));
      assertThat(states(ledger)).containsOnly("cancelling").hasSize(WAITING);
      assertThat(running(runway)).hasSize(WAITING);

      runway.admin().clearFaults();
      try (GatewayHarness second = GatewayHarness.start(CONFIG, environment)) {
        assertThat(running(runway)).isEmpty();
        assertThat(states(ledger)).containsOnly("cancelled").hasSize(WAITING);
      }
    }
  }

  private static List<SessionRecord> running(RunwaySimulator runway) {
    return runway.admin().sessions().stream().filter(s -> !s.terminal()).toList();
  }

  private static List<String> states(String url) throws SQLException {
    List<String> states = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT state FROM ledger_sessions")) {
      while (rows.next()) {
        states.add(rows.getString(1));
      }
    }
    return states;
  }
}
