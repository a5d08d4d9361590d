package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.SessionIntent;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.PollSchedule;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The books end to end, for each database: a real ledger, the simulator over real HTTP, and the
 * gateway's clock moved by hand so that the keeper's schedule is a pure function of the test. A
 * "crashed" gateway is one whose rows were written and whose run never retired: exactly what a
 * {@code kill -9} leaves in the database.
 */
abstract class BooksContract {
  private static final String INSTANCE = "gateway-a";

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build());
  private final RunwayClient runway =
      RunwayClient.builder()
          .apiKey(SimulatorConfig.DEFAULT_API_KEY)
          .baseUrl(simulator.baseUrl())
          .build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** The ledger's settings on a fresh, empty database that outlives its pools. */
  abstract LedgerConfig ledger();

  /** Closes {@code resource} after the test, after everything tracked later. */
  <T extends AutoCloseable> T track(T resource) {
    toClose.add(resource);
    return resource;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose.reversed()) {
      closeable.close();
    }
    simulator.close();
  }

  @Test
  void aRestartedInstanceCancelsWhatItsCrashedRunHadNotHandedOverAndFollowsTheRest() {
    LedgerConfig ledger = ledger();
    String notReady;
    String ready;
    String consumed;
    String pending = UUID.randomUUID().toString();
    try (LedgerDatabase database = LedgerDatabase.open(ledger)) {
      JdbcSessionLedger crashed = new JdbcSessionLedger(database, "run-crashed", clock);
      Instant now = clock.instant();
      crashed.registerRun("run-crashed", INSTANCE, now, now.plusSeconds(30));
      simulator.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(5)));
      notReady = writeCreated(crashed, runway.realtimeSessions().create(params()));
      simulator.admin().setReadyAfter(DelayDistribution.fixed(Duration.ZERO));
      ready = writeCreated(crashed, runway.realtimeSessions().create(params()));
      String id = runway.realtimeSessions().create(params());
      RealtimeSession.Ready key =
          runway
              .realtimeSessions()
              .awaitReady(id, Instant.now().plusSeconds(10), PollSchedule.defaults());
      runway.realtimeSessions().consume(id, key.sessionKey());
      consumed = writeCreated(crashed, id);
      String row = crashed.findByUpstreamId(consumed).orElseThrow().gatewayId();
      crashed.transition(
          row, java.util.Set.of(SessionState.CREATED), SessionState.READY, now, null, null);
      crashed.transition(
          row, java.util.Set.of(SessionState.READY), SessionState.CONSUMED, now, null, null);
      crashed.recordIntent(intent(pending, now));
      // No retireRun: the process died.
    }

    GatewayCore core = core(ledger, ConnectConfig.defaults());

    assertThat(upstreamStatus(notReady)).isEqualTo("CANCELLED");
    assertThat(upstreamStatus(ready)).isEqualTo("CANCELLED");
    assertThat(row(core, notReady).state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row(core, notReady).outcomeCode()).isEqualTo(StopReason.RECOVERED.code());
    assertThat(row(core, ready).state()).isEqualTo(SessionState.CANCELLED);
    assertThat(upstreamStatus(consumed)).isEqualTo("RUNNING");
    assertThat(row(core, consumed).state()).isEqualTo(SessionState.RUNNING);
    assertThat(ledgerOf(core).find(pending).orElseThrow().state()).isEqualTo(SessionState.LOST);
    assertThat(simulator.admin().sessions()) // the one a browser is using
        .filteredOn(session -> !session.terminal())
        .extracting(SessionRecord::id)
        .containsExactly(consumed);
  }

  @Test
  void anotherInstancesSessionsAreTakenOverOnlyOnceItsLeaseHasExpired() {
    LedgerConfig ledger = ledger();
    String orphan;
    try (LedgerDatabase database = LedgerDatabase.open(ledger)) {
      JdbcSessionLedger other = new JdbcSessionLedger(database, "run-other", clock);
      Instant now = clock.instant();
      other.registerRun("run-other", "gateway-b", now, now.plus(ledger.leaseDuration()));
      orphan = writeCreated(other, runway.realtimeSessions().create(params()));
    }
    GatewayCore core = core(ledger, ConnectConfig.defaults());
    assertThat(upstreamStatus(orphan)).isEqualTo("READY");

    clock.advance(ledger.leaseDuration().plus(ledger.recoveryInterval()));
    core.keepBooksNow();

    assertThat(upstreamStatus(orphan)).isEqualTo("CANCELLED");
    assertThat(row(core, orphan).state()).isEqualTo(SessionState.CANCELLED);
  }

  @Test
  void aKeyTheBrowserDoesNotUseInTimeIsCancelled() {
    ConnectConfig sessionKey = new ConnectConfig(null, null, "session-key", null, null);
    GatewayCore core = core(ledger(), sessionKey);
    String id = core.connect(request()).sessionId();
    assertThat(row(core, id).state()).isEqualTo(SessionState.HANDED_OUT);

    clock.advance(sessionKey.handOutTimeout().minusSeconds(1));
    core.keepBooksNow();
    assertThat(upstreamStatus(id)).isEqualTo("READY");

    clock.advance(Duration.ofSeconds(1));
    core.keepBooksNow();
    assertThat(upstreamStatus(id)).isEqualTo("CANCELLED");
    assertThat(row(core, id).state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row(core, id).outcomeCode()).isEqualTo(StopReason.HAND_OUT_EXPIRED.code());
  }

  @Test
  void aKeyAskedForByTheRequestIsRecordedAsHandedOutAndTimesOutTheSame() {
    // Configured for credentials; the request (the session-key path) asks for a key.
    ConnectConfig config = ConnectConfig.defaults();
    GatewayCore core = core(ledger(), config);
    String id =
        core.connect(request().withResponseMode(ConnectConfig.ResponseMode.SESSION_KEY))
            .sessionId();
    assertThat(row(core, id).state()).isEqualTo(SessionState.HANDED_OUT);
    assertThat(row(core, id).responseMode()).isEqualTo("session-key");

    clock.advance(config.handOutTimeout());
    core.keepBooksNow();

    assertThat(upstreamStatus(id)).isEqualTo("CANCELLED");
    assertThat(row(core, id).outcomeCode()).isEqualTo(StopReason.HAND_OUT_EXPIRED.code());
  }

  @Test
  void aKeyTheBrowserUsesIsFollowedNotCancelled() {
    ConnectConfig sessionKey = new ConnectConfig(null, null, "session-key", null, null);
    GatewayCore core = core(ledger(), sessionKey);
    ConnectResult.SessionKey key = (ConnectResult.SessionKey) core.connect(request());
    runway.realtimeSessions().consume(key.sessionId(), key.sessionKey());

    clock.advance(sessionKey.handOutTimeout());
    core.keepBooksNow();

    assertThat(upstreamStatus(key.sessionId())).isEqualTo("RUNNING");
    assertThat(row(core, key.sessionId()).state()).isEqualTo(SessionState.RUNNING);
  }

  @Test
  void aHandedOverSessionIsFollowedUntilItEndsAndItsDurationConfirmed() {
    LedgerConfig ledger = ledger();
    GatewayCore core = core(ledger, ConnectConfig.defaults());
    String id = core.connect(request()).sessionId();
    assertThat(row(core, id).state()).isEqualTo(SessionState.CONSUMED);
    Duration followAtLatest =
        ledger
            .followInterval()
            .plusMillis(Math.round(ledger.followInterval().toMillis() * ledger.followJitter()));

    clock.advance(followAtLatest);
    core.keepBooksNow();
    assertThat(row(core, id).state()).isEqualTo(SessionState.RUNNING);
    long readsWhileRunning = retrieveCount(id);
    // While it runs, the reads grow further apart (LedgerRecorder.Schedules): no read before the
    // next check, then one.
    Instant nextCheck = row(core, id).nextCheckAt();
    assertThat(nextCheck).isAfter(clock.instant().plus(ledger.followInterval().dividedBy(2)));

    simulator.admin().advanceClock(Duration.ofSeconds(42));
    simulator.admin().endCall(id);
    clock.advance(Duration.between(clock.instant(), nextCheck).minusMillis(1));
    core.keepBooksNow();
    assertThat(retrieveCount(id)).isEqualTo(readsWhileRunning);
    clock.advance(Duration.ofMillis(1));
    core.keepBooksNow();

    SessionRow ended = row(core, id);
    assertThat(ended.state()).isEqualTo(SessionState.COMPLETED);
    assertThat(ended.duration()).isEqualTo(Duration.ofSeconds(42));
    assertThat(ended.durationConfirmed()).isTrue();
    assertThat(retrieveCount(id)).isEqualTo(readsWhileRunning + 1);
    clock.advance(followAtLatest);
    core.keepBooksNow();
    assertThat(retrieveCount(id)).isEqualTo(readsWhileRunning + 1); // ended: no more reads
  }

  @Test
  void aCancelThatFailsIsRetriedWithBackOffUntilTheUpstreamConfirmsIt() {
    LedgerConfig ledger = ledger();
    GatewayCore core = core(ledger, ConnectConfig.defaults());
    // Consume fails (three attempts), so the flow cancels; the cancel fails too (two attempts),
    // and so does the keeper's first retry (two more).
    simulator.admin().injectFault(FaultRule.parse("consume:500:times=3"));
    simulator.admin().injectFault(FaultRule.parse("cancel:503:times=4"));

    GatewayException e =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request()));
    assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_ERROR);
    String id = onlySession();
    assertThat(row(core, id).state()).isEqualTo(SessionState.CANCELLING);
    assertThat(upstreamStatus(id)).isEqualTo("READY");

    clock.advance(ledger.cancelRetryInitialBackoff());
    core.keepBooksNow();
    assertThat(row(core, id).state()).isEqualTo(SessionState.CANCELLING);
    assertThat(row(core, id).attemptCount()).isEqualTo(1);

    clock.advance(ledger.cancelRetryInitialBackoff().multipliedBy(2));
    core.keepBooksNow();
    assertThat(upstreamStatus(id)).isEqualTo("CANCELLED");
    assertThat(row(core, id).state()).isEqualTo(SessionState.CANCELLED);
    assertThat(row(core, id).outcomeCode()).isEqualTo(StopReason.CONSUME_FAILED.code());
  }

  @Test
  void everyConnectIsARowWithItsRequestAndUpstreamCounts() {
    GatewayCore core = core(ledger(), ConnectConfig.defaults());
    String id = core.connect(request()).sessionId();

    SessionRow row = row(core, id);
    assertThat(row.requestId()).isEqualTo("req-books");
    assertThat(row.principal()).isEqualTo(Principal.ANONYMOUS);
    assertThat(row.avatarId()).isEqualTo("cat-character");
    assertThat(row.clientAddress()).isEqualTo("127.0.0.1");
    assertThat(row.ownerRunId()).isEqualTo(core.runId());
    assertThat(row.createdAt()).isNotNull();
    assertThat(row.readyAt()).isNotNull();
    assertThat(row.handedOverAt()).isNotNull();
    assertThat(row.upstreamRequests()).isGreaterThanOrEqualTo(3);
  }

  private GatewayCore core(LedgerConfig ledger, ConnectConfig connect) {
    GatewayCore core =
        GatewayCore.builder(runway)
            .connect(connect)
            .ledger(ledger)
            .instanceName(INSTANCE)
            .simulatedUpstream(true)
            .clock(clock)
            .build();
    return track(core);
  }

  private static ConnectRequest request() {
    return new ConnectRequest(
        "req-books",
        name -> Optional.empty(),
        "127.0.0.1",
        List.of(),
        () -> new AvatarChoice(Optional.of("cat-character"), Optional.empty()),
        ClientPresence.UNKNOWN);
  }

  private static RealtimeSessionCreateParams params() {
    return RealtimeSessionCreateParams.builder(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
        .build();
  }

  private String writeCreated(JdbcSessionLedger ledger, String upstreamId) {
    String gatewayId = UUID.randomUUID().toString();
    ledger.recordIntent(intent(gatewayId, clock.instant()));
    ledger.recordCreated(gatewayId, upstreamId, clock.instant());
    return upstreamId;
  }

  private static SessionIntent intent(String gatewayId, Instant at) {
    return new SessionIntent(
        gatewayId,
        "alice",
        "127.0.0.1",
        "cat-character",
        "runway-preset",
        "req",
        "credentials",
        null,
        at);
  }

  private static JdbcSessionLedger ledgerOf(GatewayCore core) {
    return core.ledgerForTests();
  }

  private static SessionRow row(GatewayCore core, String upstreamId) {
    return ledgerOf(core).findByUpstreamId(upstreamId).orElseThrow();
  }

  private String upstreamStatus(String id) {
    return simulator.admin().session(id).map(SessionRecord::status).orElseThrow();
  }

  private long retrieveCount(String id) {
    return simulator.admin().session(id).orElseThrow().getCount();
  }

  private String onlySession() {
    List<SessionRecord> sessions = simulator.admin().sessions();
    assertThat(sessions).hasSize(1);
    return sessions.get(0).id();
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
