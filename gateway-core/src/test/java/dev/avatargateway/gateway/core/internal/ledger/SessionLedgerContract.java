package dev.avatargateway.gateway.core.internal.ledger;

import static dev.avatargateway.gateway.core.internal.ledger.SessionState.CANCELLED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.CANCELLING;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.COMPLETED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.CONSUMED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.CREATED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.FAILED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.HANDED_OUT;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.LOST;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.PENDING;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.READY;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.REJECTED;
import static dev.avatargateway.gateway.core.internal.ledger.SessionState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every ledger operation against a real database; each test runs on a database (or schema) of its
 * own. {@link H2SessionLedgerTest} and {@link PostgresSessionLedgerTest} run it.
 */
abstract class SessionLedgerContract {
  /** Not on a whole second, and to the microsecond: what both databases keep. */
  static final Instant T0 = Instant.parse("2030-01-01T12:00:00.123456Z");

  /** The clock gives {@code updated_at} where a method takes no instant. */
  static final Instant CLOCK_NOW = Instant.parse("2030-01-01T13:00:00Z");

  static final Duration LEASE = Duration.ofSeconds(30);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  LedgerConfig config;
  LedgerDatabase database;
  JdbcSessionLedger ledger;

  /** A configuration for a new, empty database or schema; cleaned up by {@link #track}. */
  abstract LedgerConfig newConfig() throws Exception;

  /** Closes {@code resource} after the test, in reverse order of tracking. */
  final <T extends AutoCloseable> T track(T resource) {
    toClose.add(0, resource);
    return resource;
  }

  @BeforeEach
  final void openLedger() throws Exception {
    config = newConfig();
    database = track(LedgerDatabase.open(config));
    ledger = ledgerOf(database, "run-a");
    ledger.registerRun("run-a", "instance-a", T0, T0.plus(LEASE));
  }

  @AfterEach
  final void closeEverything() throws Exception {
    TestDatabases.closeAll(toClose);
  }

  static JdbcSessionLedger ledgerOf(LedgerDatabase database, String runId) {
    return new JdbcSessionLedger(database, runId, Clock.fixed(CLOCK_NOW, ZoneOffset.UTC));
  }

  static String newId() {
    return UUID.randomUUID().toString();
  }

  static SessionIntent intent(String gatewayId, Instant acceptedAt) {
    return new SessionIntent(
        gatewayId,
        "alice",
        "192.0.2.10",
        "cat-character",
        "runway-preset",
        "req-" + gatewayId.substring(0, 8),
        "credentials",
        300,
        acceptedAt);
  }

  String pending() {
    return pending(ledger, T0);
  }

  static String pending(JdbcSessionLedger ledger, Instant acceptedAt) {
    String id = newId();
    ledger.recordIntent(intent(id, acceptedAt));
    return id;
  }

  String created() {
    String id = pending();
    assertThat(ledger.recordCreated(id, "up-" + id, T0.plusSeconds(1))).isTrue();
    return id;
  }

  SessionRow row(String gatewayId) {
    return ledger.find(gatewayId).orElseThrow();
  }

  long queryLong(String sql) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ----- Schema

  @Test
  void migratesAnEmptyDatabaseAndARerunAppliesNothing() throws Exception {
    List<String> versions = TestDatabases.migrationVersions();
    assertThat(database.schemaVersion()).isEqualTo(versions.getLast());
    assertThat(queryLong("SELECT COUNT(*) FROM ledger_sessions")).isZero();
    assertThat(queryLong("SELECT COUNT(*) FROM ledger_runs")).isOne();
    // Flyway also books the creation of its table, without a version.
    String history = "SELECT COUNT(*) FROM \"ledger_schema_history\" WHERE \"version\" IS NOT NULL";
    assertThat(queryLong(history)).isEqualTo(versions.size());
    assertThat(queryLong(history + " AND \"version\" = '1' AND \"success\"")).isOne();
    assertThat(queryLong(history + " AND \"version\" = '2' AND \"success\"")).isOne();
    assertThat(queryLong(history + " AND \"version\" = '4' AND \"success\"")).isOne();
    String id = pending();

    // The first pool stays open, so that an in-memory database lives on.
    try (LedgerDatabase again = LedgerDatabase.open(config)) {
      assertThat(again.schemaVersion()).isEqualTo(versions.getLast());
      assertThat(ledgerOf(again, "run-b").find(id)).isPresent();
    }
    assertThat(queryLong(history)).isEqualTo(versions.size());
  }

  // ----- Intent

  @Test
  void recordsTheIntentWithEveryValue() {
    String id = newId();
    ledger.recordIntent(intent(id, T0));

    SessionRow row = row(id);
    assertThat(row)
        .isEqualTo(
            new SessionRow(
                id,
                null,
                "alice",
                "192.0.2.10",
                "cat-character",
                "runway-preset",
                "req-" + id.substring(0, 8),
                "credentials",
                "run-a",
                PENDING,
                T0,
                null,
                null,
                null,
                null,
                null,
                null,
                T0,
                null,
                null,
                0,
                300,
                null,
                false,
                null,
                0));
  }

  @Test
  void recordsAnIntentWithoutTheOptionalValues() {
    String id = newId();
    ledger.recordIntent(
        new SessionIntent(
            id, "bob", null, "cat-character", "custom", null, "session-key", null, T0));

    SessionRow row = row(id);
    assertThat(row.clientAddress()).isNull();
    assertThat(row.requestId()).isNull();
    assertThat(row.maxDurationSeconds()).isNull();
    assertThat(row.responseMode()).isEqualTo("session-key");
  }

  @Test
  void refusesASecondIntentWithTheSameGatewayId() {
    String id = pending();

    assertThatThrownBy(() -> ledger.recordIntent(intent(id, T0)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("record the intent of session " + id)
        .hasMessageContaining("ledger.url=");
  }

  // ----- Created, rejected

  @Test
  void recordCreatedMovesAPendingSessionOnAndIsIdempotent() {
    String id = pending();
    Instant at = T0.plusSeconds(2);

    assertThat(ledger.recordCreated(id, "up-1", at)).isTrue();
    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(CREATED);
    assertThat(row.upstreamId()).isEqualTo("up-1");
    assertThat(row.createdAt()).isEqualTo(at);
    assertThat(row.updatedAt()).isEqualTo(row.createdAt());
    assertThat(ledger.findByUpstreamId("up-1")).contains(row);

    // The same answer again changes nothing; another id for the same session is refused.
    assertThat(ledger.recordCreated(id, "up-1", at.plusSeconds(1))).isTrue();
    assertThat(ledger.recordCreated(id, "up-2", at.plusSeconds(1))).isFalse();
    assertThat(row(id)).isEqualTo(row);
    assertThat(ledger.findByUpstreamId("up-2")).isEmpty();
  }

  @Test
  void recordCreatedForAnUnknownSessionTellsTheCallerToCancel() {
    assertThat(ledger.recordCreated(newId(), "up-1", T0)).isFalse();
    assertThat(ledger.findByUpstreamId("up-1")).isEmpty();
  }

  @Test
  void recordCreatedDuringACancelKeepsTheCancelAndLearnsTheId() {
    // Shutdown decided to cancel while create was in flight.
    String id = pending();
    assertThat(
            ledger.transition(id, Set.of(PENDING), CANCELLING, T0.plusSeconds(1), "shutdown", null))
        .isTrue();

    assertThat(ledger.recordCreated(id, "up-1", T0.plusSeconds(2))).isFalse();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(CANCELLING);
    assertThat(row.upstreamId()).isEqualTo("up-1");
    assertThat(row.outcomeCode()).isEqualTo("shutdown");
  }

  @Test
  void recordCreatedAfterTheSessionWasGivenUpAsLostMovesItToCancelling() {
    String id = pending();
    assertThat(ledger.transition(id, Set.of(PENDING), LOST, T0.plusSeconds(40), "owner_died", null))
        .isTrue();
    assertThat(row(id).endedAt()).isNotNull();

    Instant late = T0.plusSeconds(41);
    assertThat(ledger.recordCreated(id, "up-late", late)).isFalse();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(CANCELLING);
    assertThat(row.upstreamId()).isEqualTo("up-late");
    assertThat(row.outcomeCode()).isEqualTo(JdbcSessionLedger.OUTCOME_CREATED_AFTER_LOST);
    assertThat(row.endedAt()).isNull();
    assertThat(row.cancellingAt()).isEqualTo(late);
    assertThat(row.nextCheckAt()).isEqualTo(late);
    assertThat(ledger.due("run-a", late, 10)).extracting(SessionRow::gatewayId).containsExactly(id);
  }

  @Test
  void recordRejectedEndsAPendingSessionOnly() {
    String id = pending();
    Instant at = T0.plusSeconds(1);

    assertThat(ledger.recordRejected(id, "upstream_busy", at)).isTrue();
    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(REJECTED);
    assertThat(row.outcomeCode()).isEqualTo("upstream_busy");
    assertThat(row.endedAt()).isEqualTo(at);
    assertThat(row.state().isTerminal()).isTrue();

    assertThat(ledger.recordRejected(id, "again", at)).isFalse();
    assertThat(ledger.recordRejected(created(), "upstream_busy", at)).isFalse();
    assertThat(ledger.recordRejected(newId(), "upstream_busy", at)).isFalse();
  }

  // ----- Transitions

  @Test
  void transitionsAreACompareAndSetOnTheState() {
    String id = created();

    assertThat(ledger.transition(id, Set.of(CREATED), READY, T0.plusSeconds(2), null, null))
        .isTrue();
    // The row is READY now: a writer still expecting CREATED loses.
    assertThat(ledger.transition(id, Set.of(CREATED), CANCELLING, T0.plusSeconds(3), "x", null))
        .isFalse();
    assertThat(
            ledger.transition(id, Set.of(PENDING, CREATED), FAILED, T0.plusSeconds(3), null, "f"))
        .isFalse();
    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(READY);
    assertThat(row.outcomeCode()).isNull();
    assertThat(row.failureCode()).isNull();
    assertThat(row.updatedAt()).isEqualTo(T0.plusSeconds(2));

    assertThat(ledger.transition(newId(), Set.of(CREATED), READY, T0, null, null)).isFalse();
  }

  @Test
  void eachTransitionSetsTheInstantOfItsState() {
    String id = created();
    Instant ready = T0.plusSeconds(2);
    Instant consumed = T0.plusSeconds(3);
    Instant running = T0.plusSeconds(4);
    Instant cancelling = T0.plusSeconds(5);
    Instant ended = T0.plusSeconds(6);

    assertThat(ledger.transition(id, Set.of(CREATED), READY, ready, null, null)).isTrue();
    assertThat(ledger.transition(id, Set.of(READY), CONSUMED, consumed, null, null)).isTrue();
    assertThat(ledger.transition(id, Set.of(CONSUMED, HANDED_OUT), RUNNING, running, null, null))
        .isTrue();
    assertThat(ledger.transition(id, Set.of(RUNNING), CANCELLING, cancelling, "disconnect", null))
        .isTrue();
    assertThat(ledger.transition(id, Set.of(CANCELLING), CANCELLED, ended, null, null)).isTrue();

    SessionRow row = row(id);
    assertThat(row.createdAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(row.readyAt()).isEqualTo(ready);
    assertThat(row.handedOverAt()).isEqualTo(consumed);
    assertThat(row.runningAt()).isEqualTo(running);
    assertThat(row.cancellingAt()).isEqualTo(cancelling);
    assertThat(row.endedAt()).isEqualTo(ended);
    assertThat(row.updatedAt()).isEqualTo(ended);
    // The cancel's reason stays when the confirmation brings none.
    assertThat(row.outcomeCode()).isEqualTo("disconnect");
    assertThat(row.state()).isEqualTo(CANCELLED);
  }

  @Test
  void aHandedOutSessionRecordsWhenItWasHandedOver() {
    String id = created();
    ledger.transition(id, Set.of(CREATED), READY, T0.plusSeconds(2), null, null);

    assertThat(ledger.transition(id, Set.of(READY), HANDED_OUT, T0.plusSeconds(3), null, null))
        .isTrue();

    SessionRow row = row(id);
    assertThat(row.state().isHandedOver()).isTrue();
    assertThat(row.handedOverAt()).isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void theHandOverRecordsReadyTheHandOverTheFirstCheckAndTheRequestsInOneStep() {
    String id = created();
    Instant ready = T0.plusSeconds(2);
    Instant consumed = T0.plusSeconds(3);
    Instant firstCheck = T0.plusSeconds(33);

    // From created: the connect writes nothing on READY itself.
    assertThat(ledger.recordHandOver(id, CONSUMED, ready, consumed, firstCheck, 4)).isTrue();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(CONSUMED);
    assertThat(row.readyAt()).isEqualTo(ready);
    assertThat(row.handedOverAt()).isEqualTo(consumed);
    assertThat(row.updatedAt()).isEqualTo(consumed);
    assertThat(row.nextCheckAt()).isEqualTo(firstCheck);
    assertThat(row.upstreamRequests()).isEqualTo(4);
    assertThat(row.attemptCount()).isZero();
    // A compare-and-set: a second hand-over, or one of a row that moved on, does not apply.
    assertThat(ledger.recordHandOver(id, HANDED_OUT, ready, consumed, firstCheck, 1)).isFalse();
    assertThat(row(id).upstreamRequests()).isEqualTo(4);
  }

  @Test
  void theHandOverOfAReadyRowKeepsItsReadyInstantWhenGivenNone() {
    String id = created();
    ledger.transition(id, Set.of(CREATED), READY, T0.plusSeconds(2), null, null);

    assertThat(
            ledger.recordHandOver(id, HANDED_OUT, null, T0.plusSeconds(3), T0.plusSeconds(33), 0))
        .isTrue();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(HANDED_OUT);
    assertThat(row.readyAt()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void theHandOverOfARowBeingCancelledDoesNotApply() {
    String id = created();
    ledger.transition(id, Set.of(CREATED), CANCELLING, T0.plusSeconds(2), "timeout", null);

    assertThat(
            ledger.recordHandOver(
                id, CONSUMED, T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(33), 3))
        .isFalse();
    assertThat(row(id).state()).isEqualTo(CANCELLING);
    assertThatThrownBy(() -> ledger.recordHandOver(id, RUNNING, null, T0, T0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ledger.recordHandOver(id, CONSUMED, null, T0, T0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordRunningMovesAHandedOverSessionAndSchedulesItsNextCheckAtOnce() {
    String id = created();
    ledger.recordHandOver(
        id, CONSUMED, T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(33), 4);

    assertThat(ledger.recordRunning(id, T0.plusSeconds(33), T0.plusSeconds(63))).isTrue();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(RUNNING);
    assertThat(row.runningAt()).isEqualTo(T0.plusSeconds(33));
    assertThat(row.nextCheckAt()).isEqualTo(T0.plusSeconds(63));
    // Only from consumed or handed_out.
    assertThat(ledger.recordRunning(id, T0.plusSeconds(63), T0.plusSeconds(93))).isFalse();
    assertThat(row(id).runningAt()).isEqualTo(T0.plusSeconds(33));
    assertThat(ledger.recordRunning(created(), T0, T0)).isFalse();
  }

  @Test
  void aFailureRecordsItsCodesAndATerminalStateEndsTheSchedule() {
    String id = created();
    ledger.scheduleCheck(id, T0.plusSeconds(30));
    ledger.recordAttempt(id, T0.plusSeconds(31));

    assertThat(
            ledger.transition(
                id,
                Set.of(CREATED, READY),
                FAILED,
                T0.plusSeconds(5),
                "session_failed",
                "X".repeat(300)))
        .isTrue();

    SessionRow row = row(id);
    assertThat(row.state()).isEqualTo(FAILED);
    assertThat(row.outcomeCode()).isEqualTo("session_failed");
    // The upstream's code is not ours to bound: cut rather than fail the recording.
    assertThat(row.failureCode()).isEqualTo("X".repeat(128));
    assertThat(row.nextCheckAt()).isNull();
    assertThat(row.attemptCount()).isZero();
    assertThat(ledger.scheduleCheck(id, T0.plusSeconds(60))).isFalse();
    assertThat(ledger.recordAttempt(id, T0.plusSeconds(60))).isFalse();
  }

  @Test
  void everyStateCanBeStored() {
    for (SessionState state : SessionState.values()) {
      String id = pending();
      if (state == PENDING) {
        continue;
      }
      if (state == CREATED) {
        assertThat(ledger.recordCreated(id, "up-" + id, T0)).isTrue();
      } else {
        assertThat(ledger.transition(id, Set.of(PENDING), state, T0, null, null)).isTrue();
      }
      assertThat(row(id).state()).isEqualTo(state);
    }

    Map<SessionState, Long> counts = ledger.countByState();
    assertThat(counts).hasSize(SessionState.values().length);
    assertThat(counts.values()).containsOnly(1L);
  }

  @Test
  void refusesTransitionsThatCannotBeRight() {
    String id = created();

    assertThatThrownBy(() -> ledger.transition(id, Set.of(), READY, T0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ledger.transition(id, Set.of(CANCELLED), CANCELLING, T0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("terminal");
    assertThatThrownBy(() -> ledger.transition(id, Set.of(CREATED), PENDING, T0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ledger.transition(id, Set.of(PENDING), CREATED, T0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ledger.transition("not-a-uuid", Set.of(CREATED), READY, T0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ledger.transition(id, Set.of(CREATED), CANCELLING, T0, "x".repeat(65), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(row(id).state()).isEqualTo(CREATED);
  }

  @Test
  void ofConcurrentWritersExactlyOneMovesTheSession() throws Exception {
    // A connect that reached READY and the keeper deciding to cancel, racing on each session.
    int sessions = 20;
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int n = 0; n < sessions; n++) {
        String id = created();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          SessionState to = w % 2 == 0 ? READY : CANCELLING;
          Instant at = T0.plusSeconds(10 + w);
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return ledger.transition(id, Set.of(CREATED), to, at, null, null);
                  }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) {
          winners += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(winners).as("winners for session %d", n).isOne();
        assertThat(row(id).state()).isIn(READY, CANCELLING);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ----- The keeper's schedule

  @Test
  void dueListsMyNonTerminalSessionsWhoseCheckHasCome() {
    JdbcSessionLedger other = ledgerOf(database, "run-b");
    other.registerRun("run-b", "instance-b", T0, T0.plus(LEASE));
    String later = created();
    String first = created();
    String notScheduled = created();
    String ended = created();
    String othersRow = pending(other, T0);

    assertThat(ledger.scheduleCheck(later, T0.plusSeconds(20))).isTrue();
    assertThat(ledger.scheduleCheck(first, T0.plusSeconds(10))).isTrue();
    assertThat(ledger.scheduleCheck(ended, T0.plusSeconds(5))).isTrue();
    ledger.transition(ended, Set.of(CREATED), CANCELLED, T0.plusSeconds(6), null, null);
    other.scheduleCheck(othersRow, T0);

    assertThat(ledger.due("run-a", T0.plusSeconds(9), 10)).isEmpty();
    assertThat(ledger.due("run-a", T0.plusSeconds(10), 10))
        .extracting(SessionRow::gatewayId)
        .containsExactly(first);
    assertThat(ledger.due("run-a", T0.plusSeconds(60), 10))
        .extracting(SessionRow::gatewayId)
        .containsExactly(first, later);
    assertThat(ledger.due("run-a", T0.plusSeconds(60), 1))
        .extracting(SessionRow::gatewayId)
        .containsExactly(first);
    assertThat(row(notScheduled).nextCheckAt()).isNull();
    assertThat(row(first).updatedAt()).isEqualTo(CLOCK_NOW);

    assertThat(ledger.clearCheck(first)).isTrue();
    assertThat(ledger.due("run-a", T0.plusSeconds(60), 10))
        .extracting(SessionRow::gatewayId)
        .containsExactly(later);
    assertThat(ledger.clearCheck(newId())).isFalse();
    assertThat(ledger.scheduleCheck(newId(), T0)).isFalse();
  }

  @Test
  void attemptsCountUpAndATransitionStartsThemAfresh() {
    String id = created();
    ledger.transition(id, Set.of(CREATED), CANCELLING, T0.plusSeconds(2), "deadline", null);

    assertThat(ledger.recordAttempt(id, T0.plusSeconds(3))).isTrue();
    assertThat(ledger.recordAttempt(id, T0.plusSeconds(5))).isTrue();
    SessionRow row = row(id);
    assertThat(row.attemptCount()).isEqualTo(2);
    assertThat(row.nextCheckAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(row.updatedAt()).isEqualTo(CLOCK_NOW);

    ledger.transition(id, Set.of(CANCELLING), CANCELLED, T0.plusSeconds(6), null, null);
    assertThat(row(id).attemptCount()).isZero();
    assertThat(ledger.recordAttempt(newId(), T0)).isFalse();
  }

  // ----- Cost

  @Test
  void anEstimatedDurationNeverReplacesAConfirmedOne() {
    String id = created();

    assertThat(ledger.recordDuration(id, Duration.ofMillis(61_200), false)).isTrue();
    SessionRow row = row(id);
    // A started second counts.
    assertThat(row.duration()).isEqualTo(Duration.ofSeconds(62));
    assertThat(row.durationConfirmed()).isFalse();

    assertThat(ledger.recordDuration(id, Duration.ofSeconds(60), true)).isTrue();
    assertThat(ledger.recordDuration(id, Duration.ofSeconds(70), false)).isFalse();
    row = row(id);
    assertThat(row.duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(row.durationConfirmed()).isTrue();

    assertThat(ledger.recordDuration(id, Duration.ofSeconds(59), true)).isTrue();
    assertThat(row(id).duration()).isEqualTo(Duration.ofSeconds(59));
    assertThat(ledger.recordDuration(newId(), Duration.ZERO, true)).isFalse();
    assertThatThrownBy(() -> ledger.recordDuration(id, Duration.ofSeconds(-1), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void upstreamRequestsAddUp() {
    String id = created();

    assertThat(ledger.recordUpstreamRequests(id, 3)).isTrue();
    assertThat(ledger.recordUpstreamRequests(id, 2)).isTrue();
    assertThat(ledger.recordUpstreamRequests(id, 0)).isTrue();

    assertThat(row(id).upstreamRequests()).isEqualTo(5);
    assertThat(ledger.recordUpstreamRequests(newId(), 1)).isFalse();
  }

  // ----- Runs

  @Test
  void aRunRegistersRenewsItsLeaseAndRetires() {
    RunRow run = ledger.findRun("run-a").orElseThrow();
    assertThat(run).isEqualTo(new RunRow("run-a", "instance-a", T0, T0, T0.plus(LEASE), null));
    assertThat(run.isLive(T0.plusSeconds(29))).isTrue();
    assertThat(run.isLive(T0.plus(LEASE))).isFalse();

    Instant beat = T0.plusSeconds(5);
    assertThat(ledger.heartbeat("run-a", beat, beat.plus(LEASE))).isTrue();
    run = ledger.findRun("run-a").orElseThrow();
    assertThat(run.heartbeatAt()).isEqualTo(beat);
    assertThat(run.isLive(T0.plusSeconds(34))).isTrue();

    Instant stop = T0.plusSeconds(10);
    assertThat(ledger.retireRun("run-a", stop)).isTrue();
    run = ledger.findRun("run-a").orElseThrow();
    assertThat(run.retiredAt()).isEqualTo(stop);
    assertThat(run.leaseExpiresAt()).isEqualTo(run.retiredAt());
    assertThat(run.isLive(stop)).isFalse();

    // A retired run must not come back to life.
    assertThat(ledger.heartbeat("run-a", stop.plusSeconds(1), stop.plus(LEASE))).isFalse();
    assertThat(ledger.retireRun("run-a", stop)).isFalse();
    assertThat(ledger.heartbeat("no-such-run", stop, stop.plus(LEASE))).isFalse();
    assertThat(ledger.findRun("no-such-run")).isEmpty();
  }

  @Test
  void aLapsedLeaseIsRenewedByTheNextHeartbeat() {
    Instant late = T0.plus(LEASE).plusSeconds(5);

    assertThat(ledger.heartbeat("run-a", late, late.plus(LEASE))).isTrue();

    assertThat(ledger.findRun("run-a").orElseThrow().isLive(late.plusSeconds(1))).isTrue();
  }

  @Test
  void refusesASecondRunWithTheSameId() {
    assertThatThrownBy(() -> ledger.registerRun("run-a", "instance-a", T0, T0.plus(LEASE)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("register run run-a");
    assertThatThrownBy(() -> ledger.registerRun("run-x", "instance-a", T0, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ----- Orphans

  @Test
  void sessionsOfALiveRunAreNotOrphansUntilItsLeaseExpires() {
    JdbcSessionLedger b = ledgerOf(database, "run-b");
    b.registerRun("run-b", "instance-b", T0, T0.plus(LEASE));
    String id = created();
    Instant expiry = T0.plus(LEASE);

    assertThat(b.claimOrphans("run-b", expiry.minusMillis(1), 10)).isEmpty();
    // A heartbeat pushes the expiry out.
    ledger.heartbeat("run-a", T0.plusSeconds(20), T0.plusSeconds(20).plus(LEASE));
    assertThat(b.claimOrphans("run-b", expiry.plusSeconds(1), 10)).isEmpty();

    Instant later = T0.plusSeconds(20).plus(LEASE);
    List<SessionRow> claimed = b.claimOrphans("run-b", later, 10);

    assertThat(claimed).extracting(SessionRow::gatewayId).containsExactly(id);
    SessionRow row = claimed.get(0);
    assertThat(row.ownerRunId()).isEqualTo("run-b");
    assertThat(row.nextCheckAt()).isEqualTo(later);
    assertThat(row.state()).isEqualTo(CREATED);
    assertThat(b.due("run-b", later, 10)).containsExactly(row);
    assertThat(b.claimOrphans("run-b", later, 10)).isEmpty();
  }

  @Test
  void aRestartedInstanceOrphansItsPreviousRunAtOnce() {
    String handedOver = created();
    ledger.transition(handedOver, Set.of(CREATED), READY, T0.plusSeconds(2), null, null);
    ledger.transition(handedOver, Set.of(READY), CONSUMED, T0.plusSeconds(3), null, null);
    String pending = pending();
    Instant restart = T0.plusSeconds(10);

    // The same instance comes back (after a crash) well within run-a's lease.
    JdbcSessionLedger restarted = ledgerOf(database, "run-a2");
    assertThat(restarted.registerRun("run-a2", "instance-a", restart, restart.plus(LEASE))).isOne();

    RunRow previous = restarted.findRun("run-a").orElseThrow();
    assertThat(previous.retiredAt()).isEqualTo(restart);
    assertThat(previous.leaseExpiresAt()).isEqualTo(restart);
    assertThat(restarted.claimOrphans("run-a2", restart, 10))
        .extracting(SessionRow::gatewayId, SessionRow::state)
        .containsExactlyInAnyOrder(tuple(handedOver, CONSUMED), tuple(pending, PENDING));
    // The previous run, should it still be alive, learns it must stop.
    assertThat(ledger.heartbeat("run-a", restart.plusSeconds(1), restart.plus(LEASE))).isFalse();
    // Other instances' runs are left alone.
    assertThat(restarted.registerRun("run-c", "instance-c", restart, restart.plus(LEASE))).isZero();
    assertThat(restarted.findRun("run-a2").orElseThrow().retiredAt()).isNull();
  }

  @Test
  void sessionsOfAnUnknownRunAreOrphans() {
    JdbcSessionLedger ghost = ledgerOf(database, "never-registered");
    String id = pending(ghost, T0);

    assertThat(ledger.claimOrphans("run-a", T0, 10))
        .extracting(SessionRow::gatewayId, SessionRow::ownerRunId)
        .containsExactly(tuple(id, "run-a"));
  }

  @Test
  void claimingPassesTerminalAndOwnSessionsByAndHonoursTheLimit() {
    JdbcSessionLedger dead = ledgerOf(database, "run-dead");
    dead.registerRun("run-dead", "instance-dead", T0, T0.plusSeconds(1));
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      live.add(pending(dead, T0.plusSeconds(i)));
    }
    String ended = pending(dead, T0);
    dead.recordRejected(ended, "upstream_busy", T0);
    String mine = pending();
    Instant now = T0.plusSeconds(60);

    List<SessionRow> firstBatch = ledger.claimOrphans("run-a", now, 3);
    List<SessionRow> secondBatch = ledger.claimOrphans("run-a", now, 3);

    // Oldest first, each once.
    assertThat(firstBatch)
        .extracting(SessionRow::gatewayId)
        .containsExactlyElementsOf(live.subList(0, 3));
    assertThat(secondBatch)
        .extracting(SessionRow::gatewayId)
        .containsExactlyElementsOf(live.subList(3, 5));
    assertThat(ledger.claimOrphans("run-a", now, 3)).isEmpty();
    assertThat(row(ended).ownerRunId()).isEqualTo("run-dead");
    assertThat(row(mine).nextCheckAt()).isNull();
    assertThatThrownBy(() -> ledger.claimOrphans("run-a", now, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoRunsClaimingAtOnceTakeEachOrphanExactlyOnce() throws Exception {
    JdbcSessionLedger dead = ledgerOf(database, "run-dead");
    dead.registerRun("run-dead", "instance-dead", T0, T0.plusSeconds(1));
    int orphans = 120;
    Set<String> all = new HashSet<>();
    for (int i = 0; i < orphans; i++) {
      all.add(pending(dead, T0.plusMillis(i)));
    }
    Instant now = T0.plusSeconds(60);
    // Two instances, each with its own pool, as two processes would be.
    LedgerDatabase secondDatabase = track(LedgerDatabase.open(config));
    JdbcSessionLedger b = ledgerOf(secondDatabase, "run-b");
    b.registerRun("run-b", "instance-b", now, now.plus(LEASE));
    ledger.heartbeat("run-a", now, now.plus(LEASE));

    // Both runs claim in lock-step, so that each round they find the same candidates and race
    // for every one of them.
    int batch = 7;
    int rounds = orphans / batch + 2;
    CyclicBarrier round = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<String>> a =
          pool.submit(claimInRounds(ledger, "run-a", now, batch, rounds, round));
      Future<List<String>> bs = pool.submit(claimInRounds(b, "run-b", now, batch, rounds, round));
      List<String> byA = a.get(60, TimeUnit.SECONDS);
      List<String> byB = bs.get(60, TimeUnit.SECONDS);

      assertThat(byA).doesNotHaveDuplicates();
      assertThat(byB).doesNotHaveDuplicates();
      Set<String> both = new HashSet<>(byA);
      both.retainAll(byB);
      assertThat(both).as("claimed by both runs").isEmpty();
      Set<String> union = new HashSet<>(byA);
      union.addAll(byB);
      assertThat(union).isEqualTo(all);
      for (String id : byA) {
        assertThat(row(id).ownerRunId()).isEqualTo("run-a");
      }
      for (String id : byB) {
        assertThat(row(id).ownerRunId()).isEqualTo("run-b");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Claims one batch per round, all rounds long, returning every id claimed. */
  private static Callable<List<String>> claimInRounds(
      JdbcSessionLedger ledger,
      String runId,
      Instant now,
      int batch,
      int rounds,
      CyclicBarrier round) {
    return () -> {
      List<String> claimed = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        round.await(30, TimeUnit.SECONDS);
        for (SessionRow row : ledger.claimOrphans(runId, now, batch)) {
          assertThat(row.ownerRunId()).isEqualTo(runId);
          claimed.add(row.gatewayId());
        }
      }
      return claimed;
    };
  }

  // ----- Reading

  @Test
  void listsOldestFirstAndCountsByState() {
    String second = pending(ledger, T0.plusSeconds(2));
    String first = pending(ledger, T0.plusSeconds(1));
    String done = pending(ledger, T0);
    ledger.recordRejected(done, null, T0);

    assertThat(ledger.list(SessionState.nonTerminal(), 10))
        .extracting(SessionRow::gatewayId)
        .containsExactly(first, second);
    assertThat(ledger.list(EnumSet.allOf(SessionState.class), 2))
        .extracting(SessionRow::gatewayId)
        .containsExactly(done, first);
    assertThat(ledger.list(Set.of(COMPLETED), 10)).isEmpty();
    Map<SessionState, Long> counts = ledger.countByState();
    assertThat(counts).containsEntry(PENDING, 2L).containsEntry(REJECTED, 1L);
    assertThat(counts).containsEntry(COMPLETED, 0L);
    assertThat(ledger.find(newId())).isEmpty();
  }

  @Test
  void instantsAreStoredInUtcToTheMicrosecond() {
    Instant precise = Instant.parse("2031-06-30T23:59:59.999999999Z");
    String id = pending(ledger, precise);

    assertThat(row(id).acceptedAt()).isEqualTo(Instant.parse("2031-06-30T23:59:59.999999Z"));
  }

  // ----- Times to READY

  @Test
  void recentTimesToReadyGiveEachAvatarsLatestSessionsOldestFirst() {
    // cat-character: READY after 1.0, 1.1, ... 1.4 s, one still provisioning, one refused.
    for (int i = 0; i < 5; i++) {
      readySession("cat-character", T0.plusSeconds(60L * i), Duration.ofMillis(1000 + 100 * i));
    }
    created();
    ledger.recordRejected(pending(), "upstream_error", T0);
    // Another avatar, used most recently; and a session accepted before the window.
    readySession("custom-1", T0.plusSeconds(600), Duration.ofMillis(2500));
    readySession("custom-1", T0.minusSeconds(1), Duration.ofSeconds(9));

    Map<String, List<Duration>> times = ledger.recentTimesToReady(T0, 3, 100);

    assertThat(times.keySet()).containsExactly("custom-1", "cat-character");
    assertThat(times.get("custom-1")).containsExactly(Duration.ofMillis(2500));
    assertThat(times.get("cat-character"))
        .containsExactly(Duration.ofMillis(1200), Duration.ofMillis(1300), Duration.ofMillis(1400));
    // The limit takes the latest sessions of all.
    assertThat(ledger.recentTimesToReady(T0, 3, 2))
        .containsExactly(
            Map.entry("custom-1", List.of(Duration.ofMillis(2500))),
            Map.entry("cat-character", List.of(Duration.ofMillis(1400))));
    assertThat(ledger.recentTimesToReady(T0.plusSeconds(3600), 3, 100)).isEmpty();
    assertThatThrownBy(() -> ledger.recentTimesToReady(T0, 0, 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ledger.recentTimesToReady(T0, 3, JdbcSessionLedger.MAX_READY_TIMES + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recentHandOversGiveTheLatestSlotTimesAndCallLengths() {
    // Handed over 2, 3 and 4 s after the intent; the first two calls ended (60 and 90 s).
    String first = handedOverSession(T0, Duration.ofSeconds(2));
    String second = handedOverSession(T0.plusSeconds(60), Duration.ofSeconds(3));
    handedOverSession(T0.plusSeconds(120), Duration.ofSeconds(4));
    assertThat(ledger.recordDuration(first, Duration.ofSeconds(60), true)).isTrue();
    assertThat(ledger.recordDuration(second, Duration.ofSeconds(90), false)).isTrue();
    // Never handed over, or accepted before the window: left out.
    created();
    ledger.recordRejected(pending(), "upstream_error", T0);
    handedOverSession(T0.minusSeconds(1), Duration.ofSeconds(30));

    List<HandedOverTimes> recent = ledger.recentHandOvers(T0, 100);

    assertThat(recent)
        .containsExactly(
            new HandedOverTimes(Duration.ofSeconds(4), Optional.empty()),
            new HandedOverTimes(Duration.ofSeconds(3), Optional.of(Duration.ofSeconds(90))),
            new HandedOverTimes(Duration.ofSeconds(2), Optional.of(Duration.ofSeconds(60))));
    assertThat(ledger.recentHandOvers(T0, 1))
        .containsExactly(new HandedOverTimes(Duration.ofSeconds(4), Optional.empty()));
    assertThat(ledger.recentHandOvers(T0.plusSeconds(3600), 100)).isEmpty();
    assertThatThrownBy(() -> ledger.recentHandOvers(T0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A session accepted at {@code at} and consumed {@code slotHeld} later. */
  private String handedOverSession(Instant at, Duration slotHeld) {
    String id = newId();
    ledger.recordIntent(
        new SessionIntent(
            id, "alice", null, "cat-character", "runway-preset", null, "credentials", null, at));
    assertThat(ledger.recordCreated(id, "up-" + id, at.plusMillis(100))).isTrue();
    assertThat(
            ledger.recordHandOver(
                id, CONSUMED, at.plus(slotHeld), at.plus(slotHeld), at.plusSeconds(30), 3))
        .isTrue();
    return id;
  }

  /** A session of {@code avatar} created at {@code at}, READY after {@code toReady}, consumed. */
  private void readySession(String avatar, Instant at, Duration toReady) {
    String id = newId();
    ledger.recordIntent(
        new SessionIntent(
            id, "alice", null, avatar, "runway-preset", null, "credentials", null, at));
    assertThat(ledger.recordCreated(id, "up-" + id, at)).isTrue();
    assertThat(ledger.transition(id, Set.of(CREATED), READY, at.plus(toReady), null, null))
        .isTrue();
    assertThat(
            ledger.transition(
                id, Set.of(READY), CONSUMED, at.plus(toReady).plusMillis(3), null, null))
        .isTrue();
  }

  // ----- Failures

  @Test
  void aClosedDatabaseFailsEveryCallWithALedgerException() {
    String id = created();
    database.close();

    assertThat(database.isClosed()).isTrue();
    assertThatThrownBy(() -> ledger.transition(id, Set.of(CREATED), READY, T0, null, null))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("move session " + id + " to ready")
        .hasMessageContaining("ledger.url=" + config.loggableUrl());
    assertThatThrownBy(() -> ledger.find(id)).isInstanceOf(LedgerException.class);
    assertThatThrownBy(() -> ledger.claimOrphans("run-a", T0, 1))
        .isInstanceOf(LedgerException.class);
  }
}
