package dev.avatargateway.gateway.core.internal.ledger;

import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.getInstant;
import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.prepare;
import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.setInstant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The session ledger's books in SQL (H2 or PostgreSQL), for one run of a gateway process. Written
 * ahead: a session's row exists before {@code create} is sent, and each step is recorded before the
 * next is taken, so that after a crash another run (or this instance's next one) finds every
 * session that may cost money and settles it.
 *
 * <p>Every method is one short transaction and thread-safe; concurrent writers (a connect and the
 * keeper, or two instances) cannot overwrite each other's steps, because every change of state is a
 * compare-and-set on the state it expects. Every database failure is a {@link LedgerException};
 * arguments that cannot be right are an {@link IllegalArgumentException} or a {@link
 * NullPointerException}. Instants are stored in UTC, truncated to microseconds.
 */
public final class JdbcSessionLedger {
  /**
   * The outcome code of a session whose create was recorded after the row had been given up as
   * {@link SessionState#LOST}: it moves to {@link SessionState#CANCELLING}, for the session exists
   * and costs money.
   */
  public static final String OUTCOME_CREATED_AFTER_LOST = "created_after_lost";

  /**
   * The most rows one query returns: one keeper round or one listing; larger batches would hold a
   * connection, and the upstream, for long.
   */
  public static final int MAX_LIMIT = 1000;

  private static final int MAX_RUN_ID = 64;
  private static final int MAX_INSTANCE_NAME = 255;
  private static final int MAX_UPSTREAM_ID = 128;
  private static final int MAX_OUTCOME_CODE = 64;
  private static final int MAX_FAILURE_CODE = 128;

  private static final String COLUMNS =
      """
      gateway_id, upstream_id, principal_name, client_address, avatar_id, avatar_type, request_id,
      response_mode, owner_run_id, state, accepted_at, created_at, ready_at, handed_over_at,
      running_at, cancelling_at, ended_at, updated_at, outcome_code, failure_code,
      upstream_requests, max_duration_seconds, duration_seconds, duration_confirmed, next_check_at,
      attempt_count\
      """;

  /** The non-terminal states as an SQL list; codes are constants, so this is not injectable. */
  private static final String NON_TERMINAL =
      SessionState.nonTerminal().stream()
          .map(state -> "'" + state.code() + "'")
          .collect(Collectors.joining(", "));

  private static final String INSERT_INTENT =
      """
      INSERT INTO ledger_sessions (
        gateway_id, principal_name, client_address, avatar_id, avatar_type, request_id,
        response_mode, max_duration_seconds, owner_run_id, state, accepted_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
      """;

  private static final String LOCK_FOR_CREATED =
      "SELECT state, upstream_id FROM ledger_sessions WHERE gateway_id = ? FOR UPDATE";

  private static final String RECORD_CREATED =
      """
      UPDATE ledger_sessions
         SET upstream_id = ?, created_at = ?, updated_at = ?, state = 'created', attempt_count = 0
       WHERE gateway_id = ? AND state = 'pending' AND upstream_id IS NULL
      """;

  /** A session given up as lost exists after all: it must be cancelled. */
  private static final String RECORD_CREATED_AFTER_LOST =
      """
      UPDATE ledger_sessions
         SET upstream_id = ?, created_at = ?, updated_at = ?, state = 'cancelling',
             cancelling_at = ?, ended_at = NULL, next_check_at = ?, attempt_count = 0,
             outcome_code = ?
       WHERE gateway_id = ? AND state = 'lost' AND upstream_id IS NULL
      """;

  /** Any other state (a cancel decided while create was in flight): keep it, learn the id. */
  private static final String RECORD_UPSTREAM_ID =
      """
      UPDATE ledger_sessions
         SET upstream_id = ?, created_at = ?, updated_at = ?
       WHERE gateway_id = ? AND upstream_id IS NULL
      """;

  private static final String RECORD_REJECTED =
      """
      UPDATE ledger_sessions
         SET state = 'rejected', ended_at = ?, updated_at = ?, next_check_at = NULL,
             attempt_count = 0, outcome_code = COALESCE(?, outcome_code)
       WHERE gateway_id = ? AND state IN ('pending', 'lost') AND upstream_id IS NULL
      """;

  private static final String SCHEDULE_CHECK =
      """
      UPDATE ledger_sessions
         SET next_check_at = ?, updated_at = ?
       WHERE gateway_id = ? AND state IN (%s)
      """
          .formatted(NON_TERMINAL);

  /**
   * The hand-over in one write: READY's instant (which the connect did not write on its own), the
   * hand-over's, the first check and the upstream requests so far. From {@code created} (the
   * connect's own path) or {@code ready} (a row whose READY was recorded on its own), and only
   * while the row is still this run's: a run whose lease ran out (a database outage longer than the
   * lease) may have lost the row to another run, which cancels it as not handed over; handing it
   * over all the same would give a browser a session that is being cancelled.
   */
  private static final String RECORD_HAND_OVER =
      """
      UPDATE ledger_sessions
         SET state = ?, ready_at = COALESCE(?, ready_at), handed_over_at = ?, updated_at = ?,
             next_check_at = ?, attempt_count = 0, upstream_requests = upstream_requests + ?
       WHERE gateway_id = ? AND state IN ('created', 'ready') AND owner_run_id = ?
      """;

  /** The first status read that saw the call running, and the next check, in one write. */
  private static final String RECORD_RUNNING =
      """
      UPDATE ledger_sessions
         SET state = 'running', running_at = ?, updated_at = ?, next_check_at = ?,
             attempt_count = 0
       WHERE gateway_id = ? AND state IN ('consumed', 'handed_out')
      """;

  private static final String CLEAR_CHECK =
      """
      UPDATE ledger_sessions
         SET next_check_at = NULL, updated_at = ?
       WHERE gateway_id = ?
      """;

  private static final String RECORD_ATTEMPT =
      """
      UPDATE ledger_sessions
         SET attempt_count = attempt_count + 1, next_check_at = ?, updated_at = ?
       WHERE gateway_id = ? AND state IN (%s)
      """
          .formatted(NON_TERMINAL);

  private static final String RECORD_CONFIRMED_DURATION =
      """
      UPDATE ledger_sessions
         SET duration_seconds = ?, duration_confirmed = TRUE, updated_at = ?
       WHERE gateway_id = ?
      """;

  /** An estimate never replaces what Runway's conversation record said. */
  private static final String RECORD_ESTIMATED_DURATION =
      """
      UPDATE ledger_sessions
         SET duration_seconds = ?, updated_at = ?
       WHERE gateway_id = ? AND duration_confirmed = FALSE
      """;

  private static final String ADD_UPSTREAM_REQUESTS =
      """
      UPDATE ledger_sessions
         SET upstream_requests = upstream_requests + ?, updated_at = ?
       WHERE gateway_id = ?
      """;

  private static final String RETIRE_EARLIER_RUNS =
      """
      UPDATE ledger_runs
         SET retired_at = ?, lease_expires_at = LEAST(lease_expires_at, ?)
       WHERE instance_name = ? AND run_id <> ? AND retired_at IS NULL
      """;

  private static final String INSERT_RUN =
      """
      INSERT INTO ledger_runs (run_id, instance_name, started_at, heartbeat_at, lease_expires_at)
      VALUES (?, ?, ?, ?, ?)
      """;

  private static final String HEARTBEAT =
      """
      UPDATE ledger_runs
         SET heartbeat_at = ?, lease_expires_at = ?
       WHERE run_id = ? AND retired_at IS NULL
      """;

  private static final String RETIRE_RUN =
      """
      UPDATE ledger_runs
         SET retired_at = ?, heartbeat_at = ?, lease_expires_at = LEAST(lease_expires_at, ?)
       WHERE run_id = ? AND retired_at IS NULL
      """;

  private static final String FIND_RUN =
      """
      SELECT run_id, instance_name, started_at, heartbeat_at, lease_expires_at, retired_at
        FROM ledger_runs
       WHERE run_id = ?
      """;

  /**
   * Sessions whose owner is gone: its lease expired (a retired run's lease ends when it retires),
   * or no such run is known.
   */
  private static final String ORPHAN_CANDIDATES =
      """
      SELECT s.gateway_id, s.owner_run_id
        FROM ledger_sessions s
        LEFT JOIN ledger_runs r ON r.run_id = s.owner_run_id
       WHERE s.state IN (%s)
         AND s.owner_run_id <> ?
         AND (r.run_id IS NULL OR r.lease_expires_at <= ?)
       ORDER BY s.accepted_at, s.gateway_id
       LIMIT ?
      """
          .formatted(NON_TERMINAL);

  /**
   * Takes one orphan over: a compare-and-set on the owner read a moment ago, so that of two runs
   * claiming it only the first succeeds; the owner's lease is checked once more, in case it was
   * renewed in between.
   */
  private static final String CLAIM =
      """
      UPDATE ledger_sessions
         SET owner_run_id = ?, next_check_at = ?, updated_at = ?
       WHERE gateway_id = ? AND owner_run_id = ? AND state IN (%s)
         AND NOT EXISTS (
           SELECT 1 FROM ledger_runs r WHERE r.run_id = ? AND r.lease_expires_at > ?)
      """
          .formatted(NON_TERMINAL);

  private static final String DUE =
      """
      SELECT %s
        FROM ledger_sessions
       WHERE owner_run_id = ? AND state IN (%s) AND next_check_at <= ?
       ORDER BY next_check_at, accepted_at, gateway_id
       LIMIT ?
      """
          .formatted(COLUMNS, NON_TERMINAL);

  private static final String FIND =
      "SELECT %s FROM ledger_sessions WHERE gateway_id = ?".formatted(COLUMNS);

  private static final String FIND_BY_UPSTREAM_ID =
      "SELECT %s FROM ledger_sessions WHERE upstream_id = ?".formatted(COLUMNS);

  private static final String COUNT_BY_STATE =
      "SELECT state, COUNT(*) FROM ledger_sessions GROUP BY state";

  /**
   * The most rows {@link #recentTimesToReady} returns: read once at start-up, three short columns a
   * row, so even this many take well under a second.
   */
  public static final int MAX_READY_TIMES = 100_000;

  /** The states a row can be in once it was READY: where {@code ready_at} may be set. */
  private static final String ONCE_READY =
      EnumSet.complementOf(
              EnumSet.of(
                  SessionState.PENDING,
                  SessionState.CREATED,
                  SessionState.REJECTED,
                  SessionState.LOST))
          .stream()
          .map(state -> "'" + state.code() + "'")
          .collect(Collectors.joining(", "));

  /**
   * The latest rows per avatar that were READY. The conditions on the state and {@code accepted_at}
   * let the database find them through the (state, accepted_at) index rather than reading all the
   * books, which keep every terminal row.
   */
  private static final String RECENT_TIMES_TO_READY =
      """
      SELECT avatar_id, created_at, ready_at
        FROM (
          SELECT avatar_id, created_at, ready_at, gateway_id,
                 ROW_NUMBER() OVER (
                   PARTITION BY avatar_id ORDER BY created_at DESC, gateway_id DESC) AS recency
            FROM ledger_sessions
           WHERE state IN (%s) AND accepted_at >= ?
             AND created_at IS NOT NULL AND ready_at IS NOT NULL
        ) recent
       WHERE recency <= ?
       ORDER BY created_at DESC, gateway_id DESC
       LIMIT ?
      """
          .formatted(ONCE_READY);

  /**
   * The latest handed-over sessions, for the waiting line's estimates; through the (state,
   * accepted_at) index like {@link #RECENT_TIMES_TO_READY}.
   */
  private static final String RECENT_HAND_OVERS =
      """
      SELECT accepted_at, handed_over_at, duration_seconds
        FROM ledger_sessions
       WHERE state IN (%s) AND accepted_at >= ? AND handed_over_at IS NOT NULL
       ORDER BY accepted_at DESC, gateway_id DESC
       LIMIT ?
      """
          .formatted(ONCE_READY);

  private final LedgerDatabase database;
  private final String runId;
  private final Clock clock;

  /**
   * Whether the steps on a row ({@link #transition}, {@link #scheduleCheck}, {@link #clearCheck},
   * {@link #recordAttempt}, {@link #recordRunning}, {@link #recordDuration}) apply only to rows
   * this run owns; see {@link #ownRowsOnly()}.
   */
  private final boolean ownRowsOnly;

  /**
   * @param database where the books are
   * @param runId this process's run: the owner of the sessions it records (register it with {@link
   *     #registerRun} before recording any)
   * @param clock gives "now" where a method takes no instant (the {@code updated_at} of a row)
   */
  public JdbcSessionLedger(LedgerDatabase database, String runId, Clock clock) {
    this(database, runId, clock, false);
  }

  private JdbcSessionLedger(
      LedgerDatabase database, String runId, Clock clock, boolean ownRowsOnly) {
    this.database = Objects.requireNonNull(database, "database");
    this.runId = requireText("runId", runId, MAX_RUN_ID);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ownRowsOnly = ownRowsOnly;
  }

  /**
   * The same ledger, whose steps on a row ({@link #transition}, {@link #scheduleCheck}, {@link
   * #clearCheck}, {@link #recordAttempt}, {@link #recordRunning}, {@link #recordDuration}) apply
   * only while the row's owner is this run: a compare-and-set on the owner, for the keeper. A run
   * whose lease expired while it could not reach the database (an outage longer than the lease) may
   * have lost some of its rows to another run; from then on only the new owner acts on them, and
   * this run's keeper passes them by (its steps return false), even those it had read as due a
   * moment before. The plain ledger keeps writing whatever the owner, for what a connect or an
   * operator learned of a session (it was cancelled, it failed) is true whoever looks after it.
   */
  public JdbcSessionLedger ownRowsOnly() {
    return ownRowsOnly ? this : new JdbcSessionLedger(database, runId, clock, true);
  }

  /**
   * {@code sql} (an update of one session row ending in its {@code WHERE} clause), narrowed to the
   * rows of this run when {@link #ownRowsOnly()}; its owner parameter comes last.
   */
  private String onRow(String sql) {
    return ownRowsOnly ? sql.stripTrailing() + " AND owner_run_id = ?" : sql;
  }

  /** Binds the owner parameter {@link #onRow} added, after {@code bound} parameters. */
  private void bindOwner(PreparedStatement s, int bound) throws SQLException {
    if (ownRowsOnly) {
      s.setString(bound + 1, runId);
    }
  }

  /** This process's run, the owner of the sessions it records. */
  public String runId() {
    return runId;
  }

  // ----- A session's steps

  /**
   * Records the intent to create a session, before {@code create} is sent: a {@link
   * SessionState#PENDING} row owned by this run.
   *
   * @throws LedgerException also when a session with this gateway id exists
   */
  public void recordIntent(SessionIntent intent) {
    recordIntent(intent, null);
  }

  /**
   * Checks something that must hold when the intent is recorded, in the intent's own transaction
   * (budgets: the check and the reservation are atomic with the row they count).
   */
  @FunctionalInterface
  public interface IntentGuard {
    /**
     * Runs before the intent's row is inserted, on its connection. It may lock rows and write its
     * own; it may commit only while it has written nothing (to create a lock row). Throwing rolls
     * back everything, the intent included: an unchecked exception that is not a database failure
     * (such as a refusal) reaches the caller as it is.
     */
    void admit(Connection connection, SessionIntent intent) throws SQLException;
  }

  /**
   * Records the intent as {@link #recordIntent(SessionIntent)} does, after {@code guard} admitted
   * it in the same transaction; null for no guard.
   */
  public void recordIntent(SessionIntent intent, IntentGuard guard) {
    Objects.requireNonNull(intent, "intent");
    inTransaction(
        "record the intent of session " + intent.gatewayId(),
        c -> {
          if (guard != null) {
            guard.admit(c, intent);
          }
          try (PreparedStatement s = prepare(c, INSERT_INTENT)) {
            int i = 0;
            s.setString(++i, intent.gatewayId());
            s.setString(++i, intent.principal());
            setString(s, ++i, intent.clientAddress());
            s.setString(++i, intent.avatarId());
            s.setString(++i, intent.avatarType());
            setString(s, ++i, intent.requestId());
            s.setString(++i, intent.responseMode());
            if (intent.maxDurationSeconds() == null) {
              s.setNull(++i, Types.INTEGER);
            } else {
              s.setInt(++i, intent.maxDurationSeconds());
            }
            s.setString(++i, runId);
            setInstant(s, ++i, intent.acceptedAt());
            setInstant(s, ++i, intent.acceptedAt());
            s.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Records the upstream id as soon as {@code create} answered. The id is recorded whatever the
   * row's state (so that whoever looks after the row can cancel the session), but only a {@link
   * SessionState#PENDING} row moves on, to {@link SessionState#CREATED}; a row given up as {@link
   * SessionState#LOST} moves to {@link SessionState#CANCELLING} (outcome {@link
   * #OUTCOME_CREATED_AFTER_LOST}, due a check at once); any other state is kept.
   *
   * @return true when the flow may go on: the row is now {@link SessionState#CREATED} with this id
   *     (also when it already was); false when the caller must cancel the session instead (the row
   *     is unknown, being cancelled, given up, or has another id)
   */
  public boolean recordCreated(String gatewayId, String upstreamId, Instant at) {
    SessionIntent.requireGatewayId(gatewayId);
    requireText("upstreamId", upstreamId, MAX_UPSTREAM_ID);
    Objects.requireNonNull(at, "at");
    return inTransaction(
        "record the upstream id of session " + gatewayId,
        c -> {
          // The usual case first, in one statement: the connect's own pending row. Only when it
          // does not apply is the row locked and looked at (a cancel, a loss, a repeat).
          try (PreparedStatement s = prepare(c, RECORD_CREATED)) {
            s.setString(1, upstreamId);
            setInstant(s, 2, at);
            setInstant(s, 3, at);
            s.setString(4, gatewayId);
            if (s.executeUpdate() == 1) {
              return true;
            }
          }
          SessionState state;
          String knownId;
          try (PreparedStatement s = prepare(c, LOCK_FOR_CREATED)) {
            s.setString(1, gatewayId);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return false;
              }
              state = SessionState.fromCode(rs.getString(1));
              knownId = rs.getString(2);
            }
          }
          if (knownId != null) {
            return knownId.equals(upstreamId) && state == SessionState.CREATED;
          }
          if (state == SessionState.PENDING) {
            try (PreparedStatement s = prepare(c, RECORD_CREATED)) {
              s.setString(1, upstreamId);
              setInstant(s, 2, at);
              setInstant(s, 3, at);
              s.setString(4, gatewayId);
              return s.executeUpdate() == 1;
            }
          }
          if (state == SessionState.LOST) {
            try (PreparedStatement s = prepare(c, RECORD_CREATED_AFTER_LOST)) {
              s.setString(1, upstreamId);
              setInstant(s, 2, at);
              setInstant(s, 3, at);
              setInstant(s, 4, at);
              setInstant(s, 5, at);
              s.setString(6, OUTCOME_CREATED_AFTER_LOST);
              s.setString(7, gatewayId);
              s.executeUpdate();
            }
            return false;
          }
          try (PreparedStatement s = prepare(c, RECORD_UPSTREAM_ID)) {
            s.setString(1, upstreamId);
            setInstant(s, 2, at);
            setInstant(s, 3, at);
            s.setString(4, gatewayId);
            s.executeUpdate();
          }
          return false;
        });
  }

  /**
   * Records that the upstream refused {@code create}: nothing exists, nothing is paid. Moves a
   * {@link SessionState#PENDING} (or {@link SessionState#LOST}) row without an upstream id to
   * {@link SessionState#REJECTED}.
   *
   * @param outcomeCode why, a metric-safe word such as the error code; null keeps what is recorded
   * @return whether the row was in one of those states
   */
  public boolean recordRejected(String gatewayId, String outcomeCode, Instant at) {
    SessionIntent.requireGatewayId(gatewayId);
    requireOutcomeCode(outcomeCode);
    Objects.requireNonNull(at, "at");
    return updateOne(
        "record the rejection of session " + gatewayId,
        RECORD_REJECTED,
        s -> {
          setInstant(s, 1, at);
          setInstant(s, 2, at);
          setString(s, 3, outcomeCode);
          s.setString(4, gatewayId);
        });
  }

  /**
   * Moves a session to {@code to} if, and only if, it is in one of the {@code from} states: a
   * compare-and-set, so that of two writers deciding on the same row only the first one's step
   * counts. Sets the instant of the new state ({@code ready_at}, {@code handed_over_at} for {@link
   * SessionState#CONSUMED} and {@link SessionState#HANDED_OUT}, {@code running_at}, {@code
   * cancelling_at}, {@code ended_at} for the terminal states) and {@code updated_at} to {@code at},
   * puts the attempt count back to 0 and, for a terminal state, removes the next check.
   *
   * @param from the states the caller expects the row in; not empty, none terminal (terminal states
   *     are final)
   * @param to the new state; not {@link SessionState#PENDING} ({@link #recordIntent}) nor {@link
   *     SessionState#CREATED} ({@link #recordCreated}, which needs the upstream id)
   * @param outcomeCode why (a cancel reason or an error code, a metric-safe word of at most 64
   *     characters); null keeps what is recorded
   * @param failureCode the upstream's failure code (cut to 128 characters: it is not ours to bound,
   *     and must not fail the recording); null keeps what is recorded
   * @return whether the row was in one of the {@code from} states (and is now {@code to})
   */
  public boolean transition(
      String gatewayId,
      Set<SessionState> from,
      SessionState to,
      Instant at,
      String outcomeCode,
      String failureCode) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
    if (from.isEmpty()) {
      throw new IllegalArgumentException("from must name at least one state");
    }
    for (SessionState state : from) {
      if (state.isTerminal()) {
        throw new IllegalArgumentException(
            "a session in terminal state " + state.code() + " cannot move (from " + from + ")");
      }
    }
    if (to == SessionState.PENDING || to == SessionState.CREATED) {
      throw new IllegalArgumentException(
          "a session becomes " + to.code() + " through recordIntent or recordCreated only");
    }
    requireOutcomeCode(outcomeCode);
    String failure =
        failureCode == null || failureCode.length() <= MAX_FAILURE_CODE
            ? failureCode
            : failureCode.substring(0, MAX_FAILURE_CODE);
    List<SessionState> expected = List.copyOf(EnumSet.copyOf(from));
    // The same text for the same step, built once: the databases cache parsed statements by text.
    String sql =
        TRANSITIONS.computeIfAbsent(
            new TransitionKey(to, expected), JdbcSessionLedger::transitionSql);
    return inTransaction(
        "move session " + gatewayId + " to " + to.code(),
        c -> {
          try (PreparedStatement s = prepare(c, onRow(sql))) {
            int i = 0;
            s.setString(++i, to.code());
            setInstant(s, ++i, at);
            setInstant(s, ++i, at);
            setString(s, ++i, outcomeCode);
            setString(s, ++i, failure);
            s.setString(++i, gatewayId);
            for (SessionState state : expected) {
              s.setString(++i, state.code());
            }
            bindOwner(s, i);
            return s.executeUpdate() == 1;
          }
        });
  }

  /** A transition's statement is fixed by its new state and the states it moves from. */
  private record TransitionKey(SessionState to, List<SessionState> from) {}

  /** At most one per pair of states, so this stays small. */
  private static final Map<TransitionKey, String> TRANSITIONS = new ConcurrentHashMap<>();

  private static String transitionSql(TransitionKey key) {
    return """
        UPDATE ledger_sessions
           SET state = ?, %s = ?, updated_at = ?, attempt_count = 0,
               outcome_code = COALESCE(?, outcome_code),
               failure_code = COALESCE(?, failure_code)%s
         WHERE gateway_id = ? AND state IN (%s)
        """
        .formatted(
            instantColumn(key.to()),
            key.to().isTerminal() ? ", next_check_at = NULL" : "",
            placeholders(key.from().size()));
  }

  private static String instantColumn(SessionState state) {
    return switch (state) {
      case PENDING -> "accepted_at";
      case CREATED -> "created_at";
      case READY -> "ready_at";
      case CONSUMED, HANDED_OUT -> "handed_over_at";
      case RUNNING -> "running_at";
      case CANCELLING -> "cancelling_at";
      case COMPLETED, FAILED, CANCELLED, REJECTED, LOST -> "ended_at";
    };
  }

  /**
   * Records the hand-over of a session in one transaction, before the credentials or the key leave
   * the gateway: the row moves from {@link SessionState#CREATED} (or {@link SessionState#READY}) to
   * {@code to}, with READY's instant, the hand-over's instant, the keeper's first check and the
   * upstream requests made so far. The connect does not write READY on its own: a crash between
   * READY and the hand-over leaves a {@code created} row, which recovery cancels exactly as it
   * would a {@code ready} one (nobody holds its key).
   *
   * @param to {@link SessionState#CONSUMED} or {@link SessionState#HANDED_OUT}
   * @param readyAt when the connect saw READY; null keeps what is recorded
   * @param upstreamRequests requests sent upstream about this session so far, added to the total
   * @return whether the row was {@code created} or {@code ready} and owned by this run (and is now
   *     {@code to}); false also when another run took the row over, and then the caller must not
   *     hand the session over
   */
  public boolean recordHandOver(
      String gatewayId,
      SessionState to,
      Instant readyAt,
      Instant at,
      Instant nextCheckAt,
      int upstreamRequests) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(nextCheckAt, "nextCheckAt");
    if (to != SessionState.CONSUMED && to != SessionState.HANDED_OUT) {
      throw new IllegalArgumentException(
          "a hand-over moves a session to consumed or handed_out, not " + to.code());
    }
    requireCount(upstreamRequests);
    return updateOne(
        "record the hand-over of session " + gatewayId,
        RECORD_HAND_OVER,
        s -> {
          s.setString(1, to.code());
          if (readyAt == null) {
            s.setNull(2, Types.TIMESTAMP_WITH_TIMEZONE);
          } else {
            setInstant(s, 2, readyAt);
          }
          setInstant(s, 3, at);
          setInstant(s, 4, at);
          setInstant(s, 5, nextCheckAt);
          s.setInt(6, upstreamRequests);
          s.setString(7, gatewayId);
          s.setString(8, runId);
        });
  }

  /**
   * Records that a handed-over session ({@link SessionState#CONSUMED} or {@link
   * SessionState#HANDED_OUT}) was seen running at {@code at}, and when to look again: one write
   * instead of a transition and a schedule.
   *
   * @return whether the row was handed over (and is now {@link SessionState#RUNNING})
   */
  public boolean recordRunning(String gatewayId, Instant at, Instant nextCheckAt) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(nextCheckAt, "nextCheckAt");
    return updateOne(
        "record that session " + gatewayId + " is running",
        onRow(RECORD_RUNNING),
        s -> {
          setInstant(s, 1, at);
          setInstant(s, 2, at);
          setInstant(s, 3, nextCheckAt);
          s.setString(4, gatewayId);
          bindOwner(s, 4);
        });
  }

  // ----- The keeper's schedule

  /**
   * Asks the keeper to look at a session at {@code nextCheckAt} (such as the next status read of a
   * handed-over session).
   *
   * @return whether the session exists and is not terminal
   */
  public boolean scheduleCheck(String gatewayId, Instant nextCheckAt) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(nextCheckAt, "nextCheckAt");
    return updateOne(
        "schedule a check of session " + gatewayId,
        onRow(SCHEDULE_CHECK),
        s -> {
          setInstant(s, 1, nextCheckAt);
          setInstant(s, 2, clock.instant());
          s.setString(3, gatewayId);
          bindOwner(s, 3);
        });
  }

  /**
   * Removes the next check of a session: the keeper leaves it alone.
   *
   * @return whether the session exists
   */
  public boolean clearCheck(String gatewayId) {
    SessionIntent.requireGatewayId(gatewayId);
    return updateOne(
        "clear the next check of session " + gatewayId,
        onRow(CLEAR_CHECK),
        s -> {
          setInstant(s, 1, clock.instant());
          s.setString(2, gatewayId);
          bindOwner(s, 2);
        });
  }

  /**
   * Records one more failed try at the session's current step (such as a cancel the upstream did
   * not confirm) and when to try again.
   *
   * @return whether the session exists and is not terminal
   */
  public boolean recordAttempt(String gatewayId, Instant nextCheckAt) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(nextCheckAt, "nextCheckAt");
    return updateOne(
        "record an attempt on session " + gatewayId,
        onRow(RECORD_ATTEMPT),
        s -> {
          setInstant(s, 1, nextCheckAt);
          setInstant(s, 2, clock.instant());
          s.setString(3, gatewayId);
          bindOwner(s, 3);
        });
  }

  // ----- What a session cost

  /**
   * Records how long the call lasted, in whole seconds (a started second counts: the books should
   * not undercount what is paid). An estimate ({@code confirmed} false) never replaces a duration
   * confirmed by Runway's conversation record; a confirmed one replaces anything.
   *
   * @return whether the duration was recorded
   */
  public boolean recordDuration(String gatewayId, Duration duration, boolean confirmed) {
    SessionIntent.requireGatewayId(gatewayId);
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
    return inTransaction(
        "record the duration of session " + gatewayId,
        c -> {
          try (PreparedStatement s =
              prepare(
                  c, onRow(confirmed ? RECORD_CONFIRMED_DURATION : RECORD_ESTIMATED_DURATION))) {
            s.setLong(1, seconds);
            setInstant(s, 2, clock.instant());
            s.setString(3, gatewayId);
            bindOwner(s, 3);
            return s.executeUpdate() == 1;
          }
        });
  }

  /**
   * Adds {@code count} requests sent upstream about this session to its total. Adds rather than
   * sets, because a connect and the keeper both send requests about the same session.
   *
   * @return whether the session exists
   */
  public boolean recordUpstreamRequests(String gatewayId, int count) {
    SessionIntent.requireGatewayId(gatewayId);
    requireCount(count);
    return updateOne(
        "record the upstream requests of session " + gatewayId,
        ADD_UPSTREAM_REQUESTS,
        s -> {
          s.setInt(1, count);
          setInstant(s, 2, clock.instant());
          s.setString(3, gatewayId);
        });
  }

  // ----- Runs and their leases

  /**
   * Registers a run holding a lease until {@code leaseExpiresAt}, and retires every earlier run of
   * the same instance name with its lease ended now: a restarted process recognises its previous
   * run at once, and its sessions become orphans to take over without waiting for the lease.
   *
   * @return how many earlier runs were retired
   * @throws LedgerException also when a run with this id exists
   */
  public int registerRun(String runId, String instanceName, Instant now, Instant leaseExpiresAt) {
    requireText("runId", runId, MAX_RUN_ID);
    requireText("instanceName", instanceName, MAX_INSTANCE_NAME);
    requireLease(now, leaseExpiresAt);
    return inTransaction(
        "register run " + runId,
        c -> {
          int retired;
          try (PreparedStatement s = prepare(c, RETIRE_EARLIER_RUNS)) {
            setInstant(s, 1, now);
            setInstant(s, 2, now);
            s.setString(3, instanceName);
            s.setString(4, runId);
            retired = s.executeUpdate();
          }
          try (PreparedStatement s = prepare(c, INSERT_RUN)) {
            s.setString(1, runId);
            s.setString(2, instanceName);
            setInstant(s, 3, now);
            setInstant(s, 4, now);
            setInstant(s, 5, leaseExpiresAt);
            s.executeUpdate();
          }
          return retired;
        });
  }

  /**
   * Renews a run's lease. A lease that had already expired is renewed too (the caller can tell from
   * its own clock; some of its sessions may have been taken over meanwhile, which their
   * compare-and-set steps respect).
   *
   * @return false when the run is unknown or retired (stopped, or superseded by a newer run of its
   *     instance): it must not go on recording as that run
   */
  public boolean heartbeat(String runId, Instant now, Instant leaseExpiresAt) {
    requireText("runId", runId, MAX_RUN_ID);
    requireLease(now, leaseExpiresAt);
    return updateOne(
        "renew the lease of run " + runId,
        HEARTBEAT,
        s -> {
          setInstant(s, 1, now);
          setInstant(s, 2, leaseExpiresAt);
          s.setString(3, runId);
        });
  }

  /**
   * Retires a run on a clean stop: its lease ends now, so that another run takes over what it
   * leaves (sessions handed over to browsers, to be followed) at once.
   *
   * @return false when the run is unknown or already retired
   */
  public boolean retireRun(String runId, Instant now) {
    requireText("runId", runId, MAX_RUN_ID);
    Objects.requireNonNull(now, "now");
    return updateOne(
        "retire run " + runId,
        RETIRE_RUN,
        s -> {
          setInstant(s, 1, now);
          setInstant(s, 2, now);
          setInstant(s, 3, now);
          s.setString(4, runId);
        });
  }

  /** The run with this id, if registered. */
  public Optional<RunRow> findRun(String runId) {
    Objects.requireNonNull(runId, "runId");
    return inTransaction(
        "read run " + runId,
        c -> {
          try (PreparedStatement s = prepare(c, FIND_RUN)) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new RunRow(
                      rs.getString(1),
                      rs.getString(2),
                      getInstant(rs, 3),
                      getInstant(rs, 4),
                      getInstant(rs, 5),
                      getInstant(rs, 6)));
            }
          }
        });
  }

  // ----- Recovery

  /**
   * Takes over sessions of dead runs: non-terminal rows whose owner's lease expired at {@code now}
   * or whose owner is unknown. Each becomes {@code myRunId}'s, due a check at {@code now}. Each row
   * is claimed exactly once, also when several runs claim at the same moment: a row changes owner
   * only by a compare-and-set on the owner it was found with, so a second claimer finds the owner
   * changed and passes the row by. Each claim is committed on its own, holding no lock across rows.
   *
   * @param limit the most rows to take over, 1 to {@value #MAX_LIMIT}
   * @return the rows taken over, oldest first, as they stand after the claim
   */
  public List<SessionRow> claimOrphans(String myRunId, Instant now, int limit) {
    requireText("myRunId", myRunId, MAX_RUN_ID);
    Objects.requireNonNull(now, "now");
    requireLimit(limit);
    return inTransaction(
        "take over sessions of dead runs",
        c -> {
          record Candidate(String gatewayId, String ownerRunId) {}
          List<Candidate> candidates = new ArrayList<>();
          try (PreparedStatement s = prepare(c, ORPHAN_CANDIDATES)) {
            s.setString(1, myRunId);
            setInstant(s, 2, now);
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                candidates.add(new Candidate(rs.getString(1), rs.getString(2)));
              }
            }
          }
          c.commit();
          List<String> claimed = new ArrayList<>();
          try (PreparedStatement s = prepare(c, CLAIM)) {
            for (Candidate candidate : candidates) {
              s.setString(1, myRunId);
              setInstant(s, 2, now);
              setInstant(s, 3, now);
              s.setString(4, candidate.gatewayId());
              s.setString(5, candidate.ownerRunId());
              s.setString(6, candidate.ownerRunId());
              setInstant(s, 7, now);
              if (s.executeUpdate() == 1) {
                claimed.add(candidate.gatewayId());
              }
              c.commit();
            }
          }
          return readRows(c, claimed);
        });
  }

  /**
   * The sessions of {@code myRunId} that are not terminal and due a check at {@code now}, the
   * longest due first.
   *
   * @param limit the most rows, 1 to {@value #MAX_LIMIT}
   */
  public List<SessionRow> due(String myRunId, Instant now, int limit) {
    requireText("myRunId", myRunId, MAX_RUN_ID);
    Objects.requireNonNull(now, "now");
    requireLimit(limit);
    return inTransaction(
        "read the sessions due a check",
        c -> {
          try (PreparedStatement s = prepare(c, DUE)) {
            s.setString(1, myRunId);
            setInstant(s, 2, now);
            s.setInt(3, limit);
            return readRows(s);
          }
        });
  }

  // ----- Reading

  /** The session with this gateway id, if recorded. */
  public Optional<SessionRow> find(String gatewayId) {
    Objects.requireNonNull(gatewayId, "gatewayId");
    return inTransaction(
        "read session " + gatewayId,
        c -> {
          try (PreparedStatement s = prepare(c, FIND)) {
            s.setString(1, gatewayId);
            return readRows(s).stream().findFirst();
          }
        });
  }

  /** The session with this upstream (Runway) id, if recorded. */
  public Optional<SessionRow> findByUpstreamId(String upstreamId) {
    Objects.requireNonNull(upstreamId, "upstreamId");
    return inTransaction(
        "read the session of upstream id " + upstreamId,
        c -> {
          try (PreparedStatement s = prepare(c, FIND_BY_UPSTREAM_ID)) {
            s.setString(1, upstreamId);
            return readRows(s).stream().findFirst();
          }
        });
  }

  /**
   * Sessions in any of {@code states}, oldest first: for operators and tests.
   *
   * @param limit the most rows, 1 to {@value #MAX_LIMIT}
   */
  public List<SessionRow> list(Set<SessionState> states, int limit) {
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      throw new IllegalArgumentException("states must name at least one state");
    }
    requireLimit(limit);
    List<SessionState> wanted = List.copyOf(EnumSet.copyOf(states));
    String sql =
        """
        SELECT %s
          FROM ledger_sessions
         WHERE state IN (%s)
         ORDER BY accepted_at, gateway_id
         LIMIT ?
        """
            .formatted(COLUMNS, placeholders(wanted.size()));
    return inTransaction(
        "list sessions",
        c -> {
          try (PreparedStatement s = prepare(c, sql)) {
            int i = 0;
            for (SessionState state : wanted) {
              s.setString(++i, state.code());
            }
            s.setInt(++i, limit);
            return readRows(s);
          }
        });
  }

  /**
   * Sessions newest first (by {@code accepted_at}, then {@code gateway_id}), one page at a time:
   * for the session listings. The page after a row starts strictly after it (keyset paging: rows
   * recorded meanwhile neither repeat nor shift the pages). Uses the indexes of {@code
   * V4__session_listing.sql}.
   *
   * @param principal only this principal's sessions; null for everyone's
   * @param states only these states; empty for all
   * @param after the last row of the previous page; null for the first page
   * @param limit the most rows, 1 to {@value #MAX_LIMIT}
   */
  public List<SessionRow> newestFirst(
      String principal, Set<SessionState> states, PageKey after, int limit) {
    Objects.requireNonNull(states, "states");
    requireLimit(limit);
    List<SessionState> wanted = states.isEmpty() ? List.of() : List.copyOf(EnumSet.copyOf(states));
    StringBuilder where = new StringBuilder("1 = 1");
    if (principal != null) {
      where.append(" AND principal_name = ?");
    }
    if (!wanted.isEmpty()) {
      where.append(" AND state IN (").append(placeholders(wanted.size())).append(')');
    }
    if (after != null) {
      where.append(" AND (accepted_at < ? OR (accepted_at = ? AND gateway_id < ?))");
    }
    String sql =
        """
        SELECT %s
          FROM ledger_sessions
         WHERE %s
         ORDER BY accepted_at DESC, gateway_id DESC
         LIMIT ?
        """
            .formatted(COLUMNS, where);
    return inTransaction(
        "list sessions newest first",
        c -> {
          try (PreparedStatement s = prepare(c, sql)) {
            int i = 0;
            if (principal != null) {
              s.setString(++i, principal);
            }
            for (SessionState state : wanted) {
              s.setString(++i, state.code());
            }
            if (after != null) {
              setInstant(s, ++i, after.acceptedAt());
              setInstant(s, ++i, after.acceptedAt());
              s.setString(++i, after.gatewayId());
            }
            s.setInt(++i, limit);
            return readRows(s);
          }
        });
  }

  /**
   * Where a page of {@link #newestFirst} ends: its last row's {@code accepted_at} and {@code
   * gateway_id}.
   *
   * @param acceptedAt as recorded (microseconds)
   * @param gatewayId the row's id
   */
  public record PageKey(Instant acceptedAt, String gatewayId) {
    /** Rejects nulls. */
    public PageKey {
      Objects.requireNonNull(acceptedAt, "acceptedAt");
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    /** The key of this row. */
    public static PageKey of(SessionRow row) {
      return new PageKey(row.acceptedAt(), row.gatewayId());
    }
  }

  /**
   * How long the latest sessions of each avatar took from create to READY ({@code ready_at −
   * created_at}, as recorded: the instant the gateway noticed READY, so a little later than READY
   * itself), for a model of readiness to start from after a restart. Only sessions accepted at or
   * after {@code since} count; a negative time (a clock that moved back) is left out.
   *
   * @param perAvatar the most sessions per avatar, the latest; 1 to {@value #MAX_LIMIT}
   * @param limit the most sessions in all, the latest; 1 to {@value #MAX_READY_TIMES}
   * @return per avatar (the most recently used first) its times, oldest first
   */
  public Map<String, List<Duration>> recentTimesToReady(Instant since, int perAvatar, int limit) {
    Objects.requireNonNull(since, "since");
    requireLimit(perAvatar);
    if (limit < 1 || limit > MAX_READY_TIMES) {
      throw new IllegalArgumentException(
          "limit must be 1 to " + MAX_READY_TIMES + ", was " + limit);
    }
    return inTransaction(
        "read recent times to READY",
        c -> {
          Map<String, List<Duration>> times = new LinkedHashMap<>();
          try (PreparedStatement s = prepare(c, RECENT_TIMES_TO_READY)) {
            setInstant(s, 1, since);
            s.setInt(2, perAvatar);
            s.setInt(3, limit);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                Duration time = Duration.between(getInstant(rs, 2), getInstant(rs, 3));
                if (!time.isNegative()) {
                  times.computeIfAbsent(rs.getString(1), avatar -> new ArrayList<>()).add(time);
                }
              }
            }
          }
          Map<String, List<Duration>> oldestFirst = new LinkedHashMap<>();
          times.forEach(
              (avatar, latestFirst) -> {
                Collections.reverse(latestFirst);
                oldestFirst.put(avatar, Collections.unmodifiableList(latestFirst));
              });
          return Collections.unmodifiableMap(oldestFirst);
        });
  }

  /**
   * How long the latest handed-over sessions held their creation slot ({@code handed_over_at −
   * accepted_at}) and, for those that ended, how long their call ran ({@code duration_seconds}).
   * Only sessions accepted at or after {@code since} count; a negative time (a clock that moved
   * back) is left out.
   *
   * @param limit the most sessions, the latest; 1 to {@value #MAX_LIMIT}
   * @return the latest first
   */
  public List<HandedOverTimes> recentHandOvers(Instant since, int limit) {
    Objects.requireNonNull(since, "since");
    requireLimit(limit);
    return inTransaction(
        "read recent hand-overs",
        c -> {
          List<HandedOverTimes> times = new ArrayList<>();
          try (PreparedStatement s = prepare(c, RECENT_HAND_OVERS)) {
            setInstant(s, 1, since);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                Duration held = Duration.between(getInstant(rs, 1), getInstant(rs, 2));
                long seconds = rs.getLong(3);
                Optional<Duration> call =
                    rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
                if (!held.isNegative()) {
                  times.add(new HandedOverTimes(held, call));
                }
              }
            }
          }
          return Collections.unmodifiableList(times);
        });
  }

  /** Binds a statement's parameters. */
  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /**
   * Runs one update statement in a transaction of its own.
   *
   * @param doing what it does, for the failure's message
   * @return whether it changed exactly one row
   */
  private boolean updateOne(String doing, String sql, Binder binder) {
    return inTransaction(
        doing,
        c -> {
          try (PreparedStatement s = prepare(c, sql)) {
            binder.bind(s);
            return s.executeUpdate() == 1;
          }
        });
  }

  /** How many sessions are in each state (every state present, 0 for none). */
  public Map<SessionState, Long> countByState() {
    return inTransaction(
        "count sessions by state",
        c -> {
          Map<SessionState, Long> counts = new EnumMap<>(SessionState.class);
          for (SessionState state : SessionState.values()) {
            counts.put(state, 0L);
          }
          try (PreparedStatement s = prepare(c, COUNT_BY_STATE);
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              counts.put(SessionState.fromCode(rs.getString(1)), rs.getLong(2));
            }
          }
          return Collections.unmodifiableMap(counts);
        });
  }

  // ----- JDBC

  /** Work on one of the ledger's connections, in one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the work; the caller commits (or rolls back when this throws). */
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. A
   * database failure is a {@link LedgerException} saying what was being done ({@code doing}); any
   * other unchecked exception passes as it is. Public for features whose tables live beside the
   * books (budgets).
   */
  public <T> T inTransaction(String doing, Work<T> work) {
    try (Connection c = database.connection()) {
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
    } catch (SQLException | IllegalArgumentException e) {
      // IllegalArgumentException here is a state code this version does not know: a row written
      // by a newer gateway, which the books cannot read.
      throw database.failure(doing, e);
    }
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private List<SessionRow> readRows(Connection c, List<String> gatewayIds) throws SQLException {
    if (gatewayIds.isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT %s FROM ledger_sessions WHERE gateway_id IN (%s) ORDER BY accepted_at, gateway_id"
            .formatted(COLUMNS, placeholders(gatewayIds.size()));
    try (PreparedStatement s = prepare(c, sql)) {
      for (int i = 0; i < gatewayIds.size(); i++) {
        s.setString(i + 1, gatewayIds.get(i));
      }
      return readRows(s);
    }
  }

  private static List<SessionRow> readRows(PreparedStatement s) throws SQLException {
    List<SessionRow> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        rows.add(readRow(rs));
      }
    }
    return Collections.unmodifiableList(rows);
  }

  private static SessionRow readRow(ResultSet rs) throws SQLException {
    int maxDuration = rs.getInt("max_duration_seconds");
    Integer maxDurationSeconds = rs.wasNull() ? null : maxDuration;
    long seconds = rs.getLong("duration_seconds");
    Duration duration = rs.wasNull() ? null : Duration.ofSeconds(seconds);
    return new SessionRow(
        rs.getString("gateway_id"),
        rs.getString("upstream_id"),
        rs.getString("principal_name"),
        rs.getString("client_address"),
        rs.getString("avatar_id"),
        rs.getString("avatar_type"),
        rs.getString("request_id"),
        rs.getString("response_mode"),
        rs.getString("owner_run_id"),
        SessionState.fromCode(rs.getString("state")),
        getInstant(rs, "accepted_at"),
        getInstant(rs, "created_at"),
        getInstant(rs, "ready_at"),
        getInstant(rs, "handed_over_at"),
        getInstant(rs, "running_at"),
        getInstant(rs, "cancelling_at"),
        getInstant(rs, "ended_at"),
        getInstant(rs, "updated_at"),
        rs.getString("outcome_code"),
        rs.getString("failure_code"),
        rs.getInt("upstream_requests"),
        maxDurationSeconds,
        duration,
        rs.getBoolean("duration_confirmed"),
        getInstant(rs, "next_check_at"),
        rs.getInt("attempt_count"));
  }

  private static void setString(PreparedStatement s, int index, String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }

  private static String placeholders(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  // ----- Arguments

  private static String requireText(String name, String value, int maxLength) {
    Objects.requireNonNull(value, name);
    if (value.isBlank() || value.length() > maxLength) {
      throw new IllegalArgumentException(
          name + " must be 1 to " + maxLength + " characters, was " + value.length());
    }
    return value;
  }

  private static void requireOutcomeCode(String outcomeCode) {
    if (outcomeCode != null && (outcomeCode.isBlank() || outcomeCode.length() > MAX_OUTCOME_CODE)) {
      throw new IllegalArgumentException(
          "outcomeCode must be 1 to "
              + MAX_OUTCOME_CODE
              + " characters, was '"
              + outcomeCode
              + "'");
    }
  }

  private static void requireCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
  }

  private static void requireLease(Instant now, Instant leaseExpiresAt) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    if (!leaseExpiresAt.isAfter(now)) {
      throw new IllegalArgumentException(
          "leaseExpiresAt (" + leaseExpiresAt + ") must be after now (" + now + ")");
    }
  }

  private static void requireLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
    }
  }
}
