package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  private final List<Process> processes = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    simulator.close();
  }

  @Test
  void aRestartOnTheSameLedgerCancelsEverySessionTheKilledGatewayLeftRunning() throws Exception {
    // The default ledger's options (LedgerConfig.DEFAULT_URL), on a file of the test's own.
    String ledger =
        LedgerConfig.DEFAULT_URL.replace("./data/avatar-gateway", dir.resolve("ledger").toString());
    int port = freePort();
    Process first = gateway(ledger, port, "first");
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < WAITING_CONNECTS; i++) {
      waiting.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/avatar/connect"))
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

    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(running()).hasSize(WAITING_CONNECTS);
    waiting.forEach(future -> future.cancel(true));

    gateway(ledger, freePort(), "second");

    try {
      await().atMost(RECOVERY_GOAL).until(() -> running().isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          running().size()
              + " sessions still running; the restarted gateway's log:\n"
              + Files.readString(dir.resolve("second.log")),
          e);
    }
    assertThat(simulator.admin().sessions())
        .hasSize(WAITING_CONNECTS)
        .allSatisfy(session -> assertThat(session.status()).isEqualTo("CANCELLED"));
  }

  private List<SessionRecord> running() {
    return simulator.admin().sessions().stream().filter(s -> !s.terminal()).toList();
  }

  /**
   * Starts the gateway's {@code Main} in a new JVM, on this test's class path, and waits for it.
   */
  private Process gateway(String ledgerUrl, int port, String name) throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("RUNWAYML_API_SECRET", "key_crash_test");
    env.put("RUNWAYML_BASE_URL", simulator.baseUrl().toString());
    env.put("GATEWAY_AUTH_MODE", "none");
    env.put("GATEWAY_CONFIG", writeConfig().toString());
    env.put("GATEWAY_LEDGER_URL", ledgerUrl);
    env.put("GATEWAY_INSTANCE_NAME", "crash-test");
    env.put("PORT", Integer.toString(port));
    env.put("HOST", "127.0.0.1");
    env.put("LOG_FORMAT", "text");
    Process process = builder.start();
    processes.add(process);
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("the gateway exited:\n" + Files.readString(log));
              }
              return healthy(port);
            });
    return process;
  }

  private Path writeConfig() throws IOException {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
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
        """);
    return file;
  }

  private boolean healthy(int port) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
