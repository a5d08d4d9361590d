package dev.avatargateway.gateway.core.internal.books;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.PollSchedule;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writes a connect does not wait on, through a real outage of PostgreSQL: the ledger logs in as
 * a role of its own ({@link TestDatabases#newOutageRole()}), which the test cuts off (no login, its
 * connections closed by the server) and lets back in. Skipped without PostgreSQL (failed with
 * {@code CI=true}).
 */
class PostgresPendingWritesTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  /**
   * How long a ledger call waits for a connection the database refuses: short, so that the test's
   * writes during the outage fail quickly, and the least the ledger accepts is 250 ms.
   */
  private static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(500);

  private static final LedgerRecorder.Schedules SCHEDULES =
      new LedgerRecorder.Schedules(
          Duration.ofSeconds(30),
          0,
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          () -> 0.5);

  /**
   * Starts at the real time, for each test: the keeper's calls upstream take their deadlines from
   * it, and the HTTP client holds them against the real time.
   */
  private final LedgerRecorderContract.ManualClock clock =
      new LedgerRecorderContract.ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private TestDatabases.OutageRole role;
  private RunwaySimulator simulator;
  private RunwayClient runway;
  private LedgerDatabase database;
  private JdbcSessionLedger ledger;

  @BeforeEach
  void open() {
    TestDatabases.assumePostgres(PostgresPendingWritesTest.class);
    role = TestDatabases.newOutageRole();
    toClose.add(role);
    simulator =
        RunwaySimulator.start(
            SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build());
    toClose.add(0, simulator);
    runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    database = LedgerDatabase.open(role.config(CONNECTION_TIMEOUT));
    toClose.add(0, database);
    ledger = run("run-a");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable resource : toClose) {
      resource.close();
    }
  }

  @Test
  void whatTheFlowDoesNotWaitOnIsKeptInOrderAndWrittenFirstOnceTheDatabaseAnswers()
      throws Exception {
    PendingWrites pending = new PendingWrites();
    LedgerRecorder recorder = new LedgerRecorder(ledger, SCHEDULES, null, pending);
    SessionKeeper keeper = keeper(ledger, pending);
    // Connect a: its session was created and recorded; connect b: its create answered after the
    // database went away, so its upstream id never reached the books.
    String a = UUID.randomUUID().toString();
    recorder.record(accepted(a));
    recorder.record(new ConnectEvent.Created(a, clock.instant(), "up-" + a));
    String b = UUID.randomUUID().toString();
    recorder.record(accepted(b));
    String upstreamOfB = readyUpstream();

    role.cut();

    assertThatThrownBy(
            () -> recorder.record(new ConnectEvent.Created(b, clock.instant(), upstreamOfB)))
        .isInstanceOf(LedgerException.class);
    // What the flow then does (cancel, or fail to) is kept, not thrown.
    recorder.record(
        new ConnectEvent.Cancelled(a, clock.instant(), "up-" + a, StopReason.LEDGER_FAILED));
    recorder.record(ended(a, 5));
    recorder.record(
        new ConnectEvent.CancelFailed(b, clock.instant(), upstreamOfB, StopReason.LEDGER_FAILED));
    // A new connect's intent is a step the flow waits on: it fails (503 ledger_unavailable).
    assertThatThrownBy(() -> recorder.record(accepted(UUID.randomUUID().toString())))
        .isInstanceOf(LedgerException.class);
    assertThat(pending.size()).isEqualTo(3);
    keeper.runOnce(); // fails quietly, keeps everything
    assertThat(pending.size()).isEqualTo(3);
    assertThat(stateInDatabase(a)).isEqualTo("created");
    assertThat(stateInDatabase(b)).isEqualTo("pending");

    role.restore();
    awaitLedgerAnswers();
    // A later write of connect a waits behind its earlier ones instead of overtaking them.
    recorder.record(ended(a, 7));
    assertThat(pending.size()).isEqualTo(4);
    assertThat(ledger.find(a).orElseThrow().upstreamRequests()).isZero();

    keeper.runOnce();

    assertThat(pending.size()).isZero();
    SessionRow rowOfA = ledger.find(a).orElseThrow();
    assertThat(rowOfA.state()).isEqualTo(SessionState.CANCELLED);
    assertThat(rowOfA.outcomeCode()).isEqualTo(StopReason.LEDGER_FAILED.code());
    assertThat(rowOfA.upstreamRequests()).isEqualTo(12);
    SessionRow rowOfB = ledger.find(b).orElseThrow();
    assertThat(rowOfB.upstreamId()).isEqualTo(upstreamOfB);
    assertThat(rowOfB.state()).isEqualTo(SessionState.CANCELLING);
    // The keeper retries the cancel it now knows the id for.
    clock.advance(SCHEDULES.cancelRetryInitial());
    keeper.runOnce();
    assertThat(ledger.find(b).orElseThrow().state()).isEqualTo(SessionState.CANCELLED);
    assertThat(simulator.admin().session(upstreamOfB).orElseThrow().status())
        .isEqualTo("CANCELLED");
  }

  @Test
  void beyondItsBoundAWriteIsDroppedAndItsRowIsSettledByRecoveryAfterThisRun() throws Exception {
    PendingWrites pending = new PendingWrites(2);
    LedgerRecorder recorder = new LedgerRecorder(ledger, SCHEDULES, null, pending);
    List<String> connects = new ArrayList<>();
    List<String> upstream = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = UUID.randomUUID().toString();
      String upstreamId = readyUpstream();
      recorder.record(accepted(id));
      recorder.record(new ConnectEvent.Created(id, clock.instant(), upstreamId));
      connects.add(id);
      upstream.add(upstreamId);
    }

    role.cut();
    // The flow cancelled all three upstream; the books could keep two of the cancels.
    for (int i = 0; i < 3; i++) {
      runway.realtimeSessions().cancel(upstream.get(i));
      recorder.record(
          new ConnectEvent.Cancelled(
              connects.get(i), clock.instant(), upstream.get(i), StopReason.LEDGER_FAILED));
    }
    assertThat(pending.size()).isEqualTo(2);
    role.restore();
    awaitLedgerAnswers();
    keeper(ledger, pending).runOnce();

    assertThat(ledger.find(connects.get(0)).orElseThrow().state())
        .isEqualTo(SessionState.CANCELLED);
    assertThat(ledger.find(connects.get(1)).orElseThrow().state())
        .isEqualTo(SessionState.CANCELLED);
    String dropped = connects.get(2);
    assertThat(ledger.find(dropped).orElseThrow().state()).isEqualTo(SessionState.CREATED);

    // This run stops (or dies and its lease runs out): the next run takes the row over, asks
    // Runway, and records it ended.
    ledger.retireRun("run-a", clock.instant());
    JdbcSessionLedger next = run("run-b");
    keeper(next, new PendingWrites()).runOnce();

    SessionRow settled = next.find(dropped).orElseThrow();
    assertThat(settled.state()).isEqualTo(SessionState.CANCELLED);
    assertThat(settled.outcomeCode()).isEqualTo(StopReason.RECOVERED.code());
    assertThat(settled.ownerRunId()).isEqualTo("run-b");
  }

  private JdbcSessionLedger run(String runId) {
    JdbcSessionLedger run = new JdbcSessionLedger(database, runId, clock);
    run.registerRun(runId, "gateway-" + runId, clock.instant(), clock.instant().plus(LEASE));
    return run;
  }

  private SessionKeeper keeper(JdbcSessionLedger books, PendingWrites pending) {
    return new SessionKeeper(
        books,
        runway.realtimeSessions(),
        runway.avatarConversations(),
        SCHEDULES,
        new SessionKeeper.Settings(Duration.ofSeconds(5), LEASE, Duration.ofSeconds(5), 100),
        clock,
        pending);
  }

  /**
   * Until the ledger's pool has a connection again, after {@link TestDatabases.OutageRole#restore}.
   */
  private void awaitLedgerAnswers() {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> ledger.findRun(ledger.runId()).isPresent());
  }

  /** The row's state, read as the test's own user: the ledger's pool may be cut off. */
  private String stateInDatabase(String gatewayId) throws Exception {
    return role.query("SELECT state FROM ledger_sessions WHERE gateway_id = '" + gatewayId + "'")
        .getFirst()
        .getFirst();
  }

  private String readyUpstream() {
    String id =
        runway
            .realtimeSessions()
            .create(
                RealtimeSessionCreateParams.builder(
                        SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
                    .build());
    runway
        .realtimeSessions()
        .awaitReady(id, Instant.now().plusSeconds(10), PollSchedule.defaults());
    return id;
  }

  private ConnectEvent.Accepted accepted(String id) {
    return new ConnectEvent.Accepted(
        id,
        clock.instant(),
        "req-" + id,
        "alice",
        "127.0.0.1",
        "cat-character",
        "runway-preset",
        ResponseMode.CREDENTIALS,
        Optional.empty());
  }

  private ConnectEvent.Ended ended(String id, int upstreamRequests) {
    return new ConnectEvent.Ended(
        id,
        clock.instant(),
        "req-" + id,
        Optional.of("alice"),
        Optional.of("cat-character"),
        Optional.of("runway-preset"),
        Optional.of("up-" + id),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofSeconds(1),
        upstreamRequests,
        false);
  }
}
