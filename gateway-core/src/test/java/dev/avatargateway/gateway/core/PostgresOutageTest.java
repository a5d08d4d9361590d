package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;
import dev.avatargateway.gateway.core.internal.observability.GatewayMetrics;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under a running gateway and comes back: a real outage, no mocks. The
 * gateway's ledger logs in as a role of its own ({@link TestDatabases#newOutageRole()}), which the
 * test cuts off (no more logins, its connections closed by the server) and lets back in; the
 * simulator serves Runway over real HTTP. Skipped without PostgreSQL (failed with {@code CI=true}).
 */
class PostgresOutageTest {
  /** Sessions waiting for READY when the database goes away. */
  private static final int IN_FLIGHT = 3;

  /**
   * Simulated time to READY: the sessions wait until the test moves the simulator's clock, so the
   * outage begins while every connect is waiting.
   */
  private static final Duration READY_AFTER = Duration.ofMinutes(1);

  /** How long a ledger call waits for a refused connection: short, so that the test is quick. */
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);

  /** Generous for a loaded 2-core machine; the waits end as soon as the condition holds. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(READY_AFTER)).build());
  private final RunwayClient runway =
      RunwayClient.builder()
          .apiKey(SimulatorConfig.DEFAULT_API_KEY)
          .baseUrl(simulator.baseUrl())
          .build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService browsers = Executors.newFixedThreadPool(IN_FLIGHT);
  private TestDatabases.OutageRole role;
  private GatewayCore core;

  @BeforeEach
  void start() {
    TestDatabases.assumePostgres(PostgresOutageTest.class);
    role = TestDatabases.newOutageRole();
    core =
        GatewayCore.builder(runway)
            .ledger(role.config(CONNECTION_TIMEOUT))
            .instanceName("gateway-outage")
            .simulatedUpstream(true)
            .meterRegistry(registry)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    browsers.shutdownNow();
    try {
      if (role != null) {
        role.restore();
      }
      if (core != null) {
        core.close();
      }
    } finally {
      if (role != null) {
        role.close();
      }
      simulator.close();
    }
  }

  @Test
  void connectsInFlightAreCancelledNewOnesRefusedAndTheBooksCatchUpWhenTheDatabaseIsBack()
      throws Exception {
    List<Future<GatewayException>> inFlight = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      // One address each: an anonymous caller may have one connect at a time (rateLimit).
      String address = "192.0.2." + (i + 1);
      inFlight.add(browsers.submit(() -> connectFailure(address)));
    }
    await().atMost(WAIT).until(() -> states().equals(List.of("created", "created", "created")));

    role.cut();
    // READY comes while the database is away: each hand-over fails, so each connect cancels.
    simulator.admin().advanceClock(READY_AFTER);

    for (Future<GatewayException> connect : inFlight) {
      GatewayException failure = connect.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(failure).isNotNull();
      assertThat(failure.code()).isEqualTo(ErrorCode.LEDGER_UNAVAILABLE);
    }
    List<SessionRecord> sessions = simulator.admin().sessions();
    assertThat(sessions)
        .hasSize(IN_FLIGHT)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
    for (SessionRecord session : sessions) {
      assertThat(simulator.admin().requests())
          .filteredOn(r -> r.method().equals("DELETE"))
          .extracting(RecordedRequest::path)
          .contains("/v1/realtime_sessions/" + session.id());
    }
    // The books could not take it yet: the rows still say created, the writes wait in memory.
    assertThat(states()).containsOnly("created");
    assertThat(pendingWrites()).isEqualTo(2.0 * IN_FLIGHT); // each a cancel and an end

    // Meanwhile a new connect is refused before anything is created upstream.
    GatewayException refused = connectFailure("192.0.2.100");
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo(ErrorCode.LEDGER_UNAVAILABLE);
    assertThat(simulator.admin().sessions()).hasSize(IN_FLIGHT);
    Readiness notReady = core.readiness();
    assertThat(notReady.ready()).isFalse();
    assertThat(notReady.detail()).contains("ledger").doesNotContain(role.password());

    role.restore();

    // The keeper writes what waited; every row reaches its terminal state.
    await().atMost(WAIT).until(() -> pendingWrites() == 0);
    assertThat(states()).containsOnly("cancelled");
    assertThat(role.query("SELECT DISTINCT outcome_code FROM ledger_sessions"))
        .containsExactly(List.of(StopReason.LEDGER_FAILED.code()));
    assertThat(role.query("SELECT count(*) FROM ledger_sessions WHERE upstream_requests = 0"))
        .containsExactly(List.of("0"));
    await().atMost(WAIT).until(() -> core.readiness().ready());
    assertThat(simulator.admin().openCount()).isZero();
    assertThat(simulator.admin().sessions()).allSatisfy(s -> assertThat(s.terminal()).isTrue());
  }

  /** A connect as a browser makes it; the failure it ends with, or null if it succeeded. */
  private GatewayException connectFailure(String clientAddress) {
    try {
      core.connect(
          new ConnectRequest(
              "req-outage",
              name -> Optional.empty(),
              clientAddress,
              List.of(),
              () -> new AvatarChoice(Optional.of("cat-character"), Optional.empty()),
              ClientPresence.UNKNOWN));
      return null;
    } catch (GatewayException e) {
      return e;
    }
  }

  /** The states of the ledger's rows, read as the test's own user (the gateway's may be cut). */
  private List<String> states() throws Exception {
    return role.query("SELECT state FROM ledger_sessions ORDER BY accepted_at").stream()
        .map(List::getFirst)
        .toList();
  }

  private double pendingWrites() {
    return registry.get(GatewayMetrics.LEDGER_PENDING_WRITES).gauge().value();
  }
}
