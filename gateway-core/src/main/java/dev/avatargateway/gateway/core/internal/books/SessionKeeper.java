package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.runway.AvatarConversation;
import dev.avatargateway.runway.AvatarConversations;
import dev.avatargateway.runway.NotFoundException;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayApiException;
import dev.avatargateway.runway.RunwayException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the books true after the connect that wrote them is gone: on every {@link #runOnce()} it
 * renews this run's lease, takes over the rows of runs whose lease expired (a crashed process, or
 * this instance's previous run), and acts on each of its rows that is due:
 *
 * <ul>
 *   <li>not handed over ({@code pending}, {@code created}, {@code ready}): nobody can use the
 *       session, so it is cancelled upstream ({@code cancelled}, reason {@code recovered}); a
 *       {@code pending} row (a crash during create) has no upstream id to cancel and becomes {@code
 *       lost};
 *   <li>{@code cancelling} (a cancel that failed): the cancel is retried with back-off until the
 *       upstream confirms it, or says the session is gone or has ended;
 *   <li>handed over ({@code consumed}, {@code handed_out}, {@code running}): followed with status
 *       reads that grow further apart while the call runs (see {@link LedgerRecorder.Schedules})
 *       until it ends, then recorded with its duration, confirmed by Runway's conversation record
 *       where there is one; a key handed out but not used (the session not RUNNING) within the
 *       hand-out timeout is cancelled ({@code hand_out_expired}).
 * </ul>
 *
 * Each round, once the lease is renewed, first writes what the connects could not record while the
 * database did not answer ({@link PendingWrites}), and acts on no row until all of it is written:
 * the rows it acts on must show what happened to their sessions.
 *
 * <p>The keeper's own writes are not kept for later: a step that fails leaves its row due, and the
 * next round does it again from what the upstream says then (a second cancel of a cancelled session
 * changes nothing, runway-api.md §2.3). Every step applies only while the row is this run's ({@link
 * JdbcSessionLedger#ownRowsOnly()}): a run that lost rows to another while it could not renew its
 * lease leaves them to their new owner.
 *
 * <p>Rounds are serialised: the background schedule and a caller's {@link #runOnce()} never
 * overlap.
 */
final class SessionKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(SessionKeeper.class);

  /** One upstream call's budget: the keeper has time, but must not hang on a stuck call. */
  static final Duration CALL_BUDGET = Duration.ofSeconds(5);

  private final JdbcSessionLedger ledger;
  private final RealtimeSessions sessions;
  private final AvatarConversations conversations;
  private final LedgerRecorder.Schedules schedules;
  private final Settings settings;
  private final Clock clock;
  private final PendingWrites pending;
  private Instant nextHeartbeat = Instant.MIN;

  /**
   * Whether the last round failed: during an outage every round does, once a second, and one WARN
   * for the first is enough (the rest are DEBUG) until a round goes through again.
   */
  private boolean failing;

  private Instant nextRecovery = Instant.MIN;

  /**
   * @param heartbeatInterval how often the lease is renewed
   * @param leaseDuration how long a lease lasts after each renewal
   * @param recoveryInterval how often rows of dead runs are looked for
   * @param batchSize the most rows taken over, or acted on, per round
   */
  record Settings(
      Duration heartbeatInterval,
      Duration leaseDuration,
      Duration recoveryInterval,
      int batchSize) {}

  SessionKeeper(
      JdbcSessionLedger ledger,
      RealtimeSessions sessions,
      AvatarConversations conversations,
      LedgerRecorder.Schedules schedules,
      Settings settings,
      Clock clock,
      PendingWrites pending) {
    this.ledger = ledger.ownRowsOnly();
    this.pending = pending;
    this.sessions = sessions;
    this.conversations = conversations;
    this.schedules = schedules;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * One round: the lease, the kept writes, the orphans, the due rows. Never throws; failures are
   * logged.
   */
  synchronized void runOnce() {
    try {
      Instant now = clock.instant();
      // The lease first: it touches no session row, and a long replay after an outage must not
      // let it run out (another run would then take this run's sessions over).
      if (!now.isBefore(nextHeartbeat)) {
        ledger.heartbeat(ledger.runId(), now, now.plus(settings.leaseDuration()));
        nextHeartbeat = now.plus(settings.heartbeatInterval());
      }
      if (!pending.replay(this::databaseAnswers)) {
        // The database still fails them: the rows must show what the kept writes say before the
        // keeper acts on them. See docs/ledger.md, "When the database is unreachable".
        return;
      }
      now = clock.instant();
      if (!now.isBefore(nextRecovery)) {
        List<SessionRow> claimed = ledger.claimOrphans(ledger.runId(), now, settings.batchSize());
        if (!claimed.isEmpty()) {
          LOG.warn(
              "Took over {} session(s) of a gateway run that is gone: cancelling those not handed"
                  + " over, following the others",
              claimed.size());
        }
        nextRecovery = now.plus(settings.recoveryInterval());
      }
      for (SessionRow row : ledger.due(ledger.runId(), now, settings.batchSize())) {
        act(row, now);
      }
      if (failing) {
        failing = false;
        LOG.info("The session keeper's rounds go through again");
      }
    } catch (RuntimeException e) {
      if (failing) {
        LOG.debug("The session keeper's round failed again", e);
      } else {
        failing = true;
        LOG.warn("The session keeper's round failed; it tries again every round", e);
      }
    }
  }

  /**
   * Writes what the connects could not record, once, stopping at the first write the database fails
   * (for a clean stop: nothing runs after it).
   *
   * @return how many writes are still kept
   */
  synchronized int flushPending() {
    pending.replay(() -> false);
    return pending.size();
  }

  private boolean databaseAnswers() {
    try {
      return ledger.findRun(ledger.runId()).isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void act(SessionRow row, Instant now) {
    try {
      switch (row.state()) {
        case PENDING -> {
          // A crash during create: nothing to cancel, the id never reached us.
          ledger.transition(
              row.gatewayId(),
              Set.of(SessionState.PENDING),
              SessionState.LOST,
              now,
              StopReason.RECOVERED.code(),
              null);
          LOG.warn(
              "Session of connect {} was being created when its gateway stopped; its upstream id"
                  + " is unknown (Runway fails it unused after its READY window)",
              row.gatewayId());
        }
        case CREATED, READY -> cancel(row, now, StopReason.RECOVERED.code());
        case CANCELLING ->
            cancel(
                row,
                now,
                row.outcomeCode() == null ? StopReason.RECOVERED.code() : row.outcomeCode());
        case CONSUMED, HANDED_OUT, RUNNING -> follow(row, now);
        default -> ledger.clearCheck(row.gatewayId());
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not act on the session of connect {}; trying again later", row.gatewayId(), e);
      ledger.recordAttempt(row.gatewayId(), schedules.cancelRetry(now, row.attemptCount() + 1));
    }
  }

  private void cancel(SessionRow row, Instant now, String reason) {
    try {
      sessions.cancel(row.upstreamId(), budget(now));
    } catch (NotFoundException e) {
      // Gone upstream: nothing left to pay for.
    } catch (RunwayException e) {
      if (row.state() != SessionState.CANCELLING) {
        ledger.transition(
            row.gatewayId(),
            SessionState.nonTerminal(),
            SessionState.CANCELLING,
            now,
            reason,
            null);
      }
      int attempts = row.state() == SessionState.CANCELLING ? row.attemptCount() + 1 : 1;
      ledger.recordAttempt(row.gatewayId(), schedules.cancelRetry(now, attempts));
      LOG.warn(
          "Could not cancel upstream session {} ({}, attempt {}{}); retrying",
          row.upstreamId(),
          reason,
          attempts,
          e instanceof RunwayApiException api ? ", HTTP " + api.status() : "");
      return;
    }
    ledger.transition(
        row.gatewayId(), SessionState.nonTerminal(), SessionState.CANCELLED, now, reason, null);
    LOG.info("Cancelled upstream session {} ({})", row.upstreamId(), reason);
  }

  private void follow(SessionRow row, Instant now) {
    RealtimeSession session;
    try {
      session = sessions.retrieve(row.upstreamId(), budget(now));
    } catch (NotFoundException e) {
      ledger.transition(
          row.gatewayId(),
          SessionState.nonTerminal(),
          SessionState.CANCELLED,
          now,
          "gone_upstream",
          null);
      return;
    }
    switch (session) {
      case RealtimeSession.Running running -> {
        // The first read that sees it running bounds when the call started (at or before now).
        Instant runningSince = row.state() == SessionState.RUNNING ? row.runningAt() : now;
        Instant next =
            schedules.followRunning(
                now,
                row.handedOverAt(),
                runningSince == null ? now : runningSince,
                row.maxDurationSeconds());
        if (row.state() == SessionState.RUNNING) {
          ledger.scheduleCheck(row.gatewayId(), next);
        } else {
          ledger.recordRunning(row.gatewayId(), now, next);
        }
      }
      case RealtimeSession.Completed completed -> end(row, now, SessionState.COMPLETED, null);
      case RealtimeSession.Failed failed ->
          end(row, now, SessionState.FAILED, failed.failureCode());
      case RealtimeSession.Cancelled cancelled -> end(row, now, SessionState.CANCELLED, null);
      default -> {
        // Handed out, not yet used (READY, or NOT_READY): the browser has until the timeout.
        Instant expires = schedules.handOutCheck(row.handedOverAt());
        if (row.state() == SessionState.HANDED_OUT && !now.isBefore(expires)) {
          cancel(row, now, StopReason.HAND_OUT_EXPIRED.code());
        } else {
          Instant next = schedules.nextFollow(now);
          ledger.scheduleCheck(row.gatewayId(), next.isBefore(expires) ? next : expires);
        }
      }
    }
    if (session instanceof RealtimeSession.Completed completed) {
      ledger.recordDuration(row.gatewayId(), completed.duration(), false);
    }
    if (session.isTerminal()) {
      confirmDuration(row, now);
    }
  }

  private void end(SessionRow row, Instant now, SessionState state, String failureCode) {
    ledger.transition(
        row.gatewayId(), SessionState.nonTerminal(), state, now, "ended_upstream", failureCode);
  }

  /**
   * Runway's conversation record (its id is the session id) has the duration Runway bills.
   * ASSUMPTION (runway-api-additions.md, "Unknown"): the record may be missing, or appear late; the
   * duration from the session's status then stands, unconfirmed.
   */
  private void confirmDuration(SessionRow row, Instant now) {
    try {
      AvatarConversation conversation = conversations.retrieve(row.upstreamId(), budget(now));
      conversation
          .duration()
          .ifPresent(duration -> ledger.recordDuration(row.gatewayId(), duration, true));
    } catch (RunwayException e) {
      LOG.debug("No conversation record for session {} yet", row.upstreamId(), e);
    }
  }

  private RequestOptions budget(Instant now) {
    return RequestOptions.deadline(now.plus(CALL_BUDGET)).withMaxRetries(1);
  }
}
