package dev.avatargateway.gateway.core.internal.books;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.PollSchedule;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the connect's events write into a real ledger, and how the keeper follows and recovers what
 * they wrote: the simulator over real HTTP, the gateway's clock moved by hand (no jitter), each
 * test on a database of its own. {@link H2LedgerRecorderTest} and {@link
 * PostgresLedgerRecorderTest} run it.
 */
abstract class LedgerRecorderContract {
  /**
   * The manual clock starts at the real time, on a whole second: the keeper's calls upstream take
   * their deadlines from it, and the HTTP client holds them against the real time.
   */
  private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private static final Duration FOLLOW = Duration.ofSeconds(30);
  private static final Duration HAND_OUT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(30);

  /** No jitter: the schedule is exact, so the test can name each instant. */
  private static final LedgerRecorder.Schedules SCHEDULES =
      new LedgerRecorder.Schedules(
          FOLLOW, 0.2, HAND_OUT_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ManualClock clock = new ManualClock(START);
  private RunwaySimulator simulator;
  private RunwayClient runway;
  private LedgerDatabase database;
  private JdbcSessionLedger ledger;
  private LedgerRecorder recorder;

  /** A configuration for a new, empty database or schema; cleaned up by {@link #track}. */
  abstract LedgerConfig newConfig() throws Exception;

  /** Closes {@code resource} after the test, in reverse order of tracking. */
  final <T extends AutoCloseable> T track(T resource) {
    toClose.add(0, resource);
    return resource;
  }

  @BeforeEach
  final void open() throws Exception {
    LedgerConfig config = newConfig();
    simulator =
        track(
            RunwaySimulator.start(
                SimulatorConfig.builder()
                    .readyAfter(DelayDistribution.fixed(Duration.ZERO))
                    .build()));
    runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    database = track(LedgerDatabase.open(config));
    ledger = run("run-a");
    recorder = new LedgerRecorder(ledger, SCHEDULES);
  }

  @AfterEach
  final void close() throws Exception {
    Exception failure = null;
    for (AutoCloseable resource : toClose) {
      try {
        resource.close();
      } catch (Exception e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Test
  void readyWritesNothingAndTheHandOverWritesEverythingAtOnce() {
    String id = UUID.randomUUID().toString();
    recorder.record(accepted(id));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), "up-" + id));
    SessionRow created = row(id);

    clock.advance(Duration.ofSeconds(2));
    Instant ready = clock.instant();
    recorder.record(new ConnectEvent.Ready(id, ready, "up-" + id, Duration.ofSeconds(2)));
    assertThat(row(id)).isEqualTo(created); // not a column changed, not even updated_at

    clock.advance(Duration.ofMillis(300));
    Instant consumed = clock.instant();
    recorder.record(new ConnectEvent.Consumed(id, consumed, "up-" + id, 4));

    SessionRow handedOver = row(id);
    assertThat(handedOver.state()).isEqualTo(SessionState.CONSUMED);
    assertThat(handedOver.readyAt()).isEqualTo(ready);
    assertThat(handedOver.handedOverAt()).isEqualTo(consumed);
    assertThat(handedOver.nextCheckAt()).isEqualTo(consumed.plus(FOLLOW));
    assertThat(handedOver.upstreamRequests()).isEqualTo(4);

    clock.advance(Duration.ofMillis(5));
    recorder.record(ended(id, 4));
    assertThat(row(id)).isEqualTo(handedOver); // the count was written once, with the hand-over
  }

  @Test
  void endedWritesOnlyTheRequestsTheHandOverDidNotCarry() {
    String id = UUID.randomUUID().toString();
    recorder.record(accepted(id));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), "up-" + id));
    recorder.record(new ConnectEvent.Ready(id, clock.instant(), "up-" + id, Duration.ZERO));
    recorder.record(new ConnectEvent.HandedOut(id, clock.instant(), "up-" + id, 3));
    assertThat(row(id).state()).isEqualTo(SessionState.HANDED_OUT);
    assertThat(row(id).nextCheckAt()).isEqualTo(clock.instant().plus(HAND_OUT_TIMEOUT));

    recorder.record(ended(id, 5));

    assertThat(row(id).upstreamRequests()).isEqualTo(5);
  }

  @Test
  void aConnectStoppedBeforeTheHandOverKeepsItsCountAndItsState() {
    String id = UUID.randomUUID().toString();
    recorder.record(accepted(id));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), "up-" + id));
    recorder.record(new ConnectEvent.Ready(id, clock.instant(), "up-" + id, Duration.ZERO));
    recorder.record(
        new ConnectEvent.Cancelled(id, clock.instant(), "up-" + id, StopReason.CONSUME_FAILED));
    recorder.record(ended(id, 6));

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row.outcomeCode()).isEqualTo(StopReason.CONSUME_FAILED.code());
    assertThat(row.upstreamRequests()).isEqualTo(6);
  }

  @Test
  void aCrashAfterReadyBeforeTheHandOverIsRecoveredByCancelling() {
    // The crashed run saw READY (and wrote nothing for it), then died before consuming.
    String upstreamId = runway.realtimeSessions().create(params());
    runway
        .realtimeSessions()
        .awaitReady(upstreamId, Instant.now().plusSeconds(10), PollSchedule.defaults());
    String id = UUID.randomUUID().toString();
    recorder.record(accepted(id));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), upstreamId));
    recorder.record(new ConnectEvent.Ready(id, clock.instant(), upstreamId, Duration.ZERO));
    assertThat(row(id).state()).isEqualTo(SessionState.CREATED);

    // The next run of the same instance takes over at once and cancels what nobody holds a key to.
    clock.advance(Duration.ofSeconds(5));
    JdbcSessionLedger restarted = run("run-b");
    keeper(restarted).runOnce();

    SessionRow row = restarted.find(id).orElseThrow();
    assertThat(row.state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row.outcomeCode()).isEqualTo(StopReason.RECOVERED.code());
    assertThat(upstream(upstreamId).status()).isEqualTo("CANCELLED");
  }

  @Test
  void aRunThatLostItsLeaseNeverHandsOverNorTouchesTheRowsAnotherRunTookOver() {
    // Run A created two sessions; one was handed over, the other waits for READY. Then A could not
    // renew its lease (the database was away longer than the lease) and run B took both over.
    String waiting = runway.realtimeSessions().create(params());
    runway
        .realtimeSessions()
        .awaitReady(waiting, Instant.now().plusSeconds(10), PollSchedule.defaults());
    String waitingId = UUID.randomUUID().toString();
    recorder.record(accepted(waitingId));
    recorder.record(new ConnectEvent.Created(waitingId, clock.instant(), waiting));
    String inCall = consumedUpstream();
    String inCallId = UUID.randomUUID().toString();
    handOver(inCallId, inCall);
    SessionKeeper keeperOfA = keeper(ledger);
    keeperOfA.runOnce(); // A's lease renewed, nothing due yet

    clock.advance(LEASE.plusSeconds(1));
    JdbcSessionLedger b = new JdbcSessionLedger(database, "run-b", clock);
    b.registerRun("run-b", "gateway-b", clock.instant(), clock.instant().plus(LEASE));
    assertThat(b.claimOrphans("run-b", clock.instant(), 10))
        .extracting(SessionRow::gatewayId)
        .containsExactlyInAnyOrder(waitingId, inCallId);

    // A's connect got READY and tries to hand over: the row is no longer A's, so it must not.
    assertThatThrownBy(
            () ->
                recorder.record(new ConnectEvent.Consumed(waitingId, clock.instant(), waiting, 3)))
        .isInstanceOf(LedgerException.class);
    assertThat(row(waitingId).state()).isEqualTo(SessionState.CREATED);
    assertThat(row(waitingId).ownerRunId()).isEqualTo("run-b");

    // A's keeper renews its lease and finds nothing of its own to act on; what it would have
    // written on the rows it had read as due before B took them does not apply either.
    long readsBefore = upstream(inCall).getCount();
    keeperOfA.runOnce();
    assertThat(upstream(inCall).getCount()).isEqualTo(readsBefore);
    JdbcSessionLedger ownRowsOfA = ledger.ownRowsOnly();
    Instant now = clock.instant();
    assertThat(ownRowsOfA.recordRunning(inCallId, now, now.plus(FOLLOW))).isFalse();
    assertThat(ownRowsOfA.scheduleCheck(inCallId, now.plus(FOLLOW))).isFalse();
    assertThat(ownRowsOfA.recordAttempt(inCallId, now.plus(FOLLOW))).isFalse();
    assertThat(ownRowsOfA.recordDuration(inCallId, Duration.ofSeconds(9), true)).isFalse();
    assertThat(ownRowsOfA.clearCheck(inCallId)).isFalse();
    assertThat(
            ownRowsOfA.transition(
                waitingId,
                SessionState.nonTerminal(),
                SessionState.CANCELLED,
                now,
                StopReason.RECOVERED.code(),
                null))
        .isFalse();
    assertThat(row(inCallId).state()).isEqualTo(SessionState.CONSUMED);
    assertThat(row(inCallId).nextCheckAt()).isEqualTo(now); // as B's claim set it
    assertThat(row(inCallId).duration()).isNull();

    // B, the owner now, cancels the session nobody holds a key to and follows the one in a call.
    keeper(b).runOnce();
    assertThat(upstream(waiting).status()).isEqualTo("CANCELLED");
    assertThat(row(waitingId).state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row(waitingId).outcomeCode()).isEqualTo(StopReason.RECOVERED.code());
    assertThat(upstream(inCall).status()).isEqualTo("RUNNING");
    assertThat(row(inCallId).state()).isEqualTo(SessionState.RUNNING);
    assertThat(row(inCallId).ownerRunId()).isEqualTo("run-b");
  }

  @Test
  void aRunningCallIsReadEverFurtherApartUpToItsLatestEnd() {
    // A 5-minute call: read at 30, 60, 120 and 240 s after the hand-over, then at the latest end.
    String upstreamId = consumedUpstream();
    String id = UUID.randomUUID().toString();
    Instant handedOver = handOver(id, upstreamId);
    SessionKeeper keeper = keeper(ledger);
    long readsBefore = upstream(upstreamId).getCount(); // the connect's own, until READY
    keeper.runOnce(); // not due yet
    assertThat(upstream(upstreamId).getCount()).isEqualTo(readsBefore);

    List<Instant> checks = new ArrayList<>();
    for (int read = 0; read < 4; read++) {
      Instant due = row(id).nextCheckAt();
      checks.add(due);
      clock.set(due.minusMillis(1));
      keeper.runOnce();
      assertThat(upstream(upstreamId).getCount()).isEqualTo(readsBefore + read);
      clock.set(due);
      keeper.runOnce();
      assertThat(upstream(upstreamId).getCount()).isEqualTo(readsBefore + read + 1);
      assertThat(row(id).state()).isEqualTo(SessionState.RUNNING);
    }
    Instant firstSeenRunning = handedOver.plus(FOLLOW);
    assertThat(row(id).runningAt()).isEqualTo(firstSeenRunning);
    assertThat(checks)
        .containsExactly(
            handedOver.plusSeconds(30),
            handedOver.plusSeconds(60),
            handedOver.plusSeconds(120),
            handedOver.plusSeconds(240));
    // Twice 240 s would be beyond the call's end at the latest (maxDuration 300 s from when it was
    // first seen running), plus the margin.
    Instant latestEnd = firstSeenRunning.plusSeconds(300).plus(LedgerRecorder.Schedules.END_MARGIN);
    assertThat(row(id).nextCheckAt()).isEqualTo(latestEnd);

    simulator.admin().endCall(upstreamId);
    clock.set(latestEnd);
    keeper.runOnce();

    assertThat(row(id).state()).isEqualTo(SessionState.COMPLETED);
    // 11 at one read every 30 s
    assertThat(upstream(upstreamId).getCount()).isEqualTo(readsBefore + 5);
    assertThat(row(id).nextCheckAt()).isNull();
  }

  @Test
  void aCallStillRunningAfterItsLatestEndIsReadAtTheBaseIntervalAgain() {
    String upstreamId = consumedUpstream();
    String id = UUID.randomUUID().toString();
    handOver(id, upstreamId);
    SessionKeeper keeper = keeper(ledger);
    for (int read = 0; read < 5; read++) {
      clock.set(row(id).nextCheckAt());
      keeper.runOnce();
    }
    // The fifth read was at the latest end; the call runs on (Runway did not end it).
    assertThat(row(id).state()).isEqualTo(SessionState.RUNNING);
    assertThat(row(id).nextCheckAt()).isEqualTo(clock.instant().plus(FOLLOW));
  }

  @Test
  void theScheduleOfARunningCall() {
    Instant handedOver = START;
    Instant running = START.plusSeconds(30);
    // Runway's default maxDuration when the row has none.
    assertThat(SCHEDULES.followRunning(START.plusSeconds(120), handedOver, running, null))
        .isEqualTo(START.plusSeconds(240));
    assertThat(SCHEDULES.followRunning(START.plusSeconds(240), handedOver, running, null))
        .isEqualTo(running.plusSeconds(300).plus(LedgerRecorder.Schedules.END_MARGIN));
    // A short call's cap comes first.
    assertThat(SCHEDULES.followRunning(START.plusSeconds(60), handedOver, running, 45))
        .isEqualTo(running.plusSeconds(45).plus(LedgerRecorder.Schedules.END_MARGIN));
    // Never less than the base interval, and the jitter applies to the grown interval.
    assertThat(SCHEDULES.followRunning(START.plusSeconds(1), handedOver, running, 1800))
        .isEqualTo(START.plusSeconds(31));
    LedgerRecorder.Schedules jittered =
        new LedgerRecorder.Schedules(
            FOLLOW, 0.2, HAND_OUT_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0);
    assertThat(jittered.followRunning(START.plusSeconds(100), handedOver, running, 1800))
        .isEqualTo(START.plusSeconds(180));
  }

  // ----- Helpers

  private JdbcSessionLedger run(String runId) {
    JdbcSessionLedger run = new JdbcSessionLedger(database, runId, clock);
    run.registerRun(runId, "gateway-a", clock.instant(), clock.instant().plus(LEASE));
    return run;
  }

  private SessionKeeper keeper(JdbcSessionLedger books) {
    return new SessionKeeper(
        books,
        runway.realtimeSessions(),
        runway.avatarConversations(),
        SCHEDULES,
        new SessionKeeper.Settings(Duration.ofSeconds(5), LEASE, Duration.ofSeconds(5), 100),
        clock,
        new PendingWrites());
  }

  /** A session consumed upstream, as a browser in a call holds it. */
  private String consumedUpstream() {
    String upstreamId = runway.realtimeSessions().create(params());
    RealtimeSession.Ready ready =
        runway
            .realtimeSessions()
            .awaitReady(upstreamId, Instant.now().plusSeconds(10), PollSchedule.defaults());
    runway.realtimeSessions().consume(upstreamId, ready.sessionKey());
    return upstreamId;
  }

  /** The connect's events up to a consumed hand-over; returns its instant. */
  private Instant handOver(String id, String upstreamId) {
    recorder.record(accepted(id));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), upstreamId));
    recorder.record(new ConnectEvent.Ready(id, clock.instant(), upstreamId, Duration.ZERO));
    Instant at = clock.instant();
    recorder.record(new ConnectEvent.Consumed(id, at, upstreamId, 4));
    recorder.record(ended(id, 4));
    return at;
  }

  private SessionRecord upstream(String upstreamId) {
    return simulator.admin().session(upstreamId).orElseThrow();
  }

  private SessionRow row(String id) {
    return ledger.find(id).orElseThrow();
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
        Optional.of(Duration.ofSeconds(300)));
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
        Optional.of(Duration.ZERO),
        Duration.ofSeconds(1),
        upstreamRequests,
        false);
  }

  private static RealtimeSessionCreateParams params() {
    return RealtimeSessionCreateParams.builder(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
        .maxDuration(300)
        .build();
  }

  /** A clock that moves only when told. */
  static final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
