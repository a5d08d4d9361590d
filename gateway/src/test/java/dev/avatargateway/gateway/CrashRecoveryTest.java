package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code kill -9} leaves behind, for real: a gateway in a JVM of its own, on an H2 file
 * ledger, with twenty connects waiting for READY, is killed with SIGKILL (no shutdown hook, no
 * clean-up); a new gateway started on the same ledger under the same instance name must leave no
 * upstream session running. The simulator plays Runway, outside both gateways.
 */
class CrashRecoveryTest {
  private static final int WAITING_CONNECTS = 20;

  /** A cold JVM on a loaded 2-core machine can take several seconds to answer. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** The goal: nothing running upstream within a minute of the restart. */
  private static final Duration RECOVERY_GOAL = Duration.ofSeconds(60);

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder()
              .apiKey("key_crash_test")
              .readyAfter(DelayDistribution.fixed(Duration.ofMinutes(10)))
              .build());
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<GatewayJvm> gateways = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    gateways.forEach(GatewayJvm::kill9);
    simulator.close();
  }

  @Test
  void aRestartOnTheSameLedgerCancelsEverySessionTheKilledGatewayLeftRunning() throws Exception {
    // The default ledger's options (LedgerConfig.DEFAULT_URL), on a file of the test's own.
    String ledger =
        LedgerConfig.DEFAULT_URL.replace("./data/avatar-gateway", dir.resolve("ledger").toString());
    GatewayJvm first = gateway(ledger, "first");
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < WAITING_CONNECTS; i++) {
      waiting.add(
          http.sendAsync(
              HttpRequest.newBuilder(first.baseUrl().resolve("/api/avatar/connect"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"avatarId\":\"cat-character\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    // Polled at least once: the gateway reads a session only after its id is in the books (a kill
    // between create's answer and that write is the one case nobody can cancel; see
    // docs/ledger.md).
    await()
        .atMost(START_TIMEOUT)
        .until(
            () ->
                simulator.admin().sessions().stream().filter(s -> s.getCount() > 0).count()
                    == WAITING_CONNECTS);

    first.kill9();
    assertThat(first.alive()).isFalse();
    assertThat(running()).hasSize(WAITING_CONNECTS);
    waiting.forEach(future -> future.cancel(true));

    GatewayJvm second = gateway(ledger, "second");

    GatewayJvm.explainingFailure(
        List.of(second), () -> await().atMost(RECOVERY_GOAL).until(() -> running().isEmpty()));
    assertThat(simulator.admin().sessions())
        .hasSize(WAITING_CONNECTS)
        .allSatisfy(session -> assertThat(session.status()).isEqualTo("CANCELLED"));
  }

  private List<SessionRecord> running() {
    return simulator.admin().sessions().stream().filter(s -> !s.terminal()).toList();
  }

  /** A gateway in a JVM of its own under the same instance name each time: a restart. */
  private GatewayJvm gateway(String ledgerUrl, String name) {
    GatewayJvm gateway =
        GatewayJvm.named(name)
            .in(dir)
            .yaml(CONFIG)
            .env(ConfigLoader.SECRET_ENV, "key_crash_test")
            .env("RUNWAYML_BASE_URL", simulator.baseUrl().toString())
            .env("GATEWAY_AUTH_MODE", "none")
            .env("GATEWAY_LEDGER_URL", ledgerUrl)
            .env("GATEWAY_INSTANCE_NAME", "crash-test")
            .start();
    gateways.add(gateway);
    return gateway;
  }

  private static final String CONFIG =
      """
      auth:
        mode: none
        allowUnauthenticatedWithRealRunway: true
      connect:
        deadline: 10m
        queuedDeadline: 10m
      rateLimit:
        perClientAddress: {capacity: 0}
        perPrincipal: {capacity: 0}
        maxConcurrentConnectsPerPrincipal: 100
        maxUpstreamCreatesInFlight: 100
      """;
}
