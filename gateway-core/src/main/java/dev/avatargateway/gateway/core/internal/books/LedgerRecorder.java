package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.internal.connect.ConnectRecorder;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import dev.avatargateway.gateway.core.internal.ledger.SessionIntent;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.runway.RealtimeSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the connect events into the ledger, one row per upstream session, each step that matters
 * for recovery before the flow takes the next. Once a session is handed over, it is due a check by
 * the {@link SessionKeeper}, which follows it until it ends.
 *
 * <p>A connect that goes well commits three times: the intent (before {@code create}), the upstream
 * id (as soon as {@code create} answers) and the hand-over (before the credentials or the key leave
 * the gateway), which also carries READY's instant, the first check and the upstream request count.
 * {@link ConnectEvent.Ready} writes nothing: what recovery does with a session depends only on
 * whether it was handed over, so a crash between READY and the hand-over, which leaves a {@code
 * created} row, is recovered exactly as a {@code ready} row would be (cancelled: nobody holds its
 * key). READY's instant waits in memory for the hand-over. {@link ConnectEvent.Ended} writes only
 * the upstream requests the row does not hold yet (none after a hand-over, unless a request came
 * after it).
 *
 * <p><b>When the database does not answer.</b> The steps the flow waits on (the intent, the
 * upstream id, the hand-over) throw, and the flow stops: 503 {@code ledger_unavailable} before
 * {@code create}, a cancel of the session after it. The others ({@link ConnectEvent.CreateFailed},
 * {@link ConnectEvent.Cancelled}, {@link ConnectEvent.CancelFailed}, {@link ConnectEvent.Failed},
 * {@link ConnectEvent.Ended}) record what already happened upstream: they go through {@link
 * PendingWrites}, which keeps them, in order, until the database answers again, so that a session
 * cancelled while the database was away is recorded cancelled once it is back. When the upstream id
 * itself could not be recorded, the cancel or failure that follows records it first: the keeper
 * cannot retry a cancel, nor anyone look the session up, without it.
 */
final class LedgerRecorder implements ConnectRecorder {
  private final JdbcSessionLedger ledger;
  private final Schedules schedules;

  /** Admits each intent in its own transaction (budgets); null for none. */
  private final JdbcSessionLedger.IntentGuard intentGuard;

  /**
   * READY's instant per connect, from {@link ConnectEvent.Ready} until the hand-over writes it (or
   * the connect ends without one). A connect is in here for the milliseconds of its consume only.
   */
  private final Map<String, Instant> readyAt = new ConcurrentHashMap<>();

  /**
   * The upstream requests the hand-over wrote per connect, until {@link ConnectEvent.Ended} (which
   * every connect sends last) adds only what came after.
   */
  private final Map<String, Integer> requestsWritten = new ConcurrentHashMap<>();

  /**
   * The connects whose upstream id the ledger could not record ({@link ConnectEvent.Created}
   * threw), with the id and when create answered, until {@link ConnectEvent.Ended}.
   */
  private final Map<String, ConnectEvent.Created> createdUnrecorded = new ConcurrentHashMap<>();

  private final PendingWrites pending;

  LedgerRecorder(JdbcSessionLedger ledger, Schedules schedules) {
    this(ledger, schedules, null);
  }

  /**
   * @param intentGuard admits each intent in the transaction that records it, or refuses it by
   *     throwing (budgets); null for none, and then recording an intent is one insert as ever
   */
  LedgerRecorder(
      JdbcSessionLedger ledger, Schedules schedules, JdbcSessionLedger.IntentGuard intentGuard) {
    this(ledger, schedules, intentGuard, new PendingWrites());
  }

  /**
   * @param pending where the writes the flow does not wait on are kept while the database fails
   *     them
   */
  LedgerRecorder(
      JdbcSessionLedger ledger,
      Schedules schedules,
      JdbcSessionLedger.IntentGuard intentGuard,
      PendingWrites pending) {
    this.ledger = ledger;
    this.schedules = schedules;
    this.intentGuard = intentGuard;
    this.pending = pending;
  }

  @Override
  public void record(ConnectEvent event) {
    switch (event) {
      case ConnectEvent.Accepted a ->
          ledger.recordIntent(
              new SessionIntent(
                  a.connectId(),
                  a.principal(),
                  a.clientAddress(),
                  a.avatarId(),
                  a.avatarType(),
                  a.requestId(),
                  a.mode().configName(),
                  a.maxDuration().map(d -> (int) d.toSeconds()).orElse(null),
                  a.at()),
              intentGuard);
      case ConnectEvent.Created c -> {
        boolean applied;
        try {
          applied = ledger.recordCreated(c.connectId(), c.sessionId(), c.at());
        } catch (RuntimeException e) {
          createdUnrecorded.put(c.connectId(), c);
          throw e;
        }
        require(applied, c);
      }
      case ConnectEvent.CreateFailed f ->
          later(
              f,
              () -> {
                if (f.mayExist()) {
                  // Its id is unknown, so nobody can cancel it: Runway fails an unconsumed session
                  // after its READY window by itself (runway-api.md §2.4), which bounds its cost.
                  ledger.transition(
                      f.connectId(),
                      Set.of(SessionState.PENDING),
                      SessionState.LOST,
                      f.at(),
                      f.code().code(),
                      null);
                } else {
                  ledger.recordRejected(f.connectId(), f.code().code(), f.at());
                }
              });
      case ConnectEvent.Queued q -> {}
      // Waiting in line writes nothing: no row exists before the intent, and nothing is paid.
      case ConnectEvent.Waiting w -> {}
      case ConnectEvent.WaitEnded w -> {}
      // Nothing to write: see the class comment. The hand-over writes the instant.
      case ConnectEvent.Ready r -> readyAt.put(r.connectId(), r.at());
      case ConnectEvent.Consumed c ->
          handOver(c, SessionState.CONSUMED, schedules.firstFollow(c.at()), c.upstreamRequests());
      case ConnectEvent.HandedOut h ->
          handOver(
              h, SessionState.HANDED_OUT, schedules.handOutCheck(h.at()), h.upstreamRequests());
      case ConnectEvent.Cancelled c ->
          afterCreate(
              c,
              () -> move(c.connectId(), SessionState.CANCELLED, c.at(), c.reason().code(), null));
      case ConnectEvent.CancelFailed c ->
          afterCreate(
              c,
              () -> {
                move(c.connectId(), SessionState.CANCELLING, c.at(), c.reason().code(), null);
                ledger.scheduleCheck(c.connectId(), schedules.cancelRetry(c.at(), 0));
              });
      case ConnectEvent.Failed f ->
          afterCreate(
              f,
              () ->
                  move(
                      f.connectId(),
                      terminalState(f.status()),
                      f.at(),
                      "upstream_" + f.status().name().toLowerCase(java.util.Locale.ROOT),
                      f.failureCode().orElse(null)));
      case ConnectEvent.Ended e -> {
        readyAt.remove(e.connectId());
        createdUnrecorded.remove(e.connectId());
        Integer written = requestsWritten.remove(e.connectId());
        int unwritten = e.upstreamRequests() - (written == null ? 0 : written);
        if (e.sessionId().isPresent() && unwritten > 0) {
          later(e, () -> ledger.recordUpstreamRequests(e.connectId(), unwritten));
        }
      }
    }
  }

  /**
   * A step after {@code create} that the flow does not wait on, recording first the upstream id
   * that {@link ConnectEvent.Created} could not.
   */
  private void afterCreate(ConnectEvent event, PendingWrites.Write write) {
    ConnectEvent.Created unrecorded = createdUnrecorded.remove(event.connectId());
    later(
        event,
        () -> {
          recordUpstreamId(unrecorded);
          write.apply();
        });
  }

  /** Moves a live row to {@code to}. */
  private void move(
      String connectId, SessionState to, Instant at, String outcome, String failureCode) {
    ledger.transition(connectId, SessionState.nonTerminal(), to, at, outcome, failureCode);
  }

  /** A write the flow does not wait on: now, or once the database answers again. */
  private void later(ConnectEvent event, PendingWrites.Write write) {
    pending.write(event.connectId(), event.getClass().getSimpleName(), write);
  }

  /**
   * Records the upstream id that {@link ConnectEvent.Created} could not, before the step that
   * follows it: a {@code pending} row becomes {@code created} (and then cancelled, or failed), a
   * row given up as {@code lost} meanwhile becomes {@code cancelling}. Nothing when it was
   * recorded.
   */
  private void recordUpstreamId(ConnectEvent.Created unrecorded) {
    if (unrecorded != null) {
      ledger.recordCreated(unrecorded.connectId(), unrecorded.sessionId(), unrecorded.at());
    }
  }

  /** The hand-over's one write; the flow may hand over only when it applied. */
  private void handOver(
      ConnectEvent event, SessionState to, Instant firstCheck, int upstreamRequests) {
    Instant ready = readyAt.remove(event.connectId());
    require(
        ledger.recordHandOver(
            event.connectId(), to, ready, event.at(), firstCheck, upstreamRequests),
        event);
    requestsWritten.put(event.connectId(), upstreamRequests);
  }

  /** The ledger state for a terminal upstream status. */
  static SessionState terminalState(RealtimeSession.Status status) {
    return switch (status) {
      case COMPLETED -> SessionState.COMPLETED;
      case CANCELLED -> SessionState.CANCELLED;
      default -> SessionState.FAILED;
    };
  }

  /** A step of the flow's own row that did not apply means the books and the flow disagree. */
  private static void require(boolean applied, ConnectEvent event) {
    if (!applied) {
      throw new LedgerException(
          "the ledger row of connect "
              + event.connectId()
              + " was not in the state "
              + event.getClass().getSimpleName()
              + " follows");
    }
  }

  /**
   * When the keeper looks at a row next.
   *
   * <p><b>Following a call.</b> A handed-over session is read first {@code followInterval} after
   * the hand-over (30 s by default), then, while it runs, after as long again as it has been handed
   * over: the time since the hand-over doubles with each read (30, 60, 120, 240 s...). A call
   * cannot outlast its {@code maxDuration} (Runway's default 300 s when the template sets none;
   * runway-api.md §2.1, §6), counted at the latest from the first read that saw it running, so no
   * read is placed beyond that instant plus {@link #END_MARGIN}; a call still running after it is
   * read every {@code followInterval} again (Runway does not document the cap exactly, see
   * client-contract.md §6 item 3). For a 5-minute call (default settings, no jitter): before, one
   * read every 30 s until the end was seen, 11 reads (30, 60, ..., 330 s); now 5 (30, 60, 120, 240
   * and 340 s, the last at the latest end plus the margin), while a one-minute call takes 3 either
   * way (30, 60, 90 s before; 30, 60, 120 s now). The price is that the books learn of an early end
   * later (a call that ends after 2½ minutes is seen ending after 4 instead of within 30 s):
   * nothing is paid for that, for the duration recorded is Runway's own (the session's and its
   * conversation record), not the instant the keeper noticed. Before the call runs (a key not yet
   * used), reads stay every {@code followInterval} until the hand-out time-out.
   */
  record Schedules(
      Duration followInterval,
      double followJitter,
      Duration handOutTimeout,
      Duration cancelRetryInitial,
      Duration cancelRetryMax,
      java.util.function.DoubleSupplier random) {
    /**
     * Runway's {@code maxDuration} when the create request sets none (runway-api.md §2.1: default
     * 300 s).
     */
    static final Duration RUNWAY_DEFAULT_MAX_DURATION = Duration.ofSeconds(300);

    /**
     * How long after the latest possible end of a call its last read waits: Runway ends a call at
     * its cap through its own teardown (the avatar leaves the room), and a read a moment too early
     * would cost a further interval. Ten seconds is far above the gap between the clocks involved,
     * and short beside the call.
     */
    static final Duration END_MARGIN = Duration.ofSeconds(10);

    /** The first read of a session consumed at {@code handedOverAt}. */
    Instant firstFollow(Instant handedOverAt) {
      return jittered(handedOverAt, followInterval);
    }

    /** The next read of a handed-over session that is not running (yet). */
    Instant nextFollow(Instant now) {
      return jittered(now, followInterval);
    }

    /**
     * The next read of a running call: as long after {@code now} as it has been handed over (at
     * least {@code followInterval}), never beyond {@code runningSince + maxDuration +} {@link
     * #END_MARGIN}; every {@code followInterval} once that has passed.
     *
     * @param handedOverAt when the session was handed over (null: unknown, read at the base rate)
     * @param runningSince the first instant the keeper saw it running: the call started at or
     *     before it, so it ends by this plus its {@code maxDuration}
     * @param maxDurationSeconds the session's {@code maxDuration}; null for Runway's default
     */
    Instant followRunning(
        Instant now, Instant handedOverAt, Instant runningSince, Integer maxDurationSeconds) {
      Duration maxDuration =
          maxDurationSeconds == null
              ? RUNWAY_DEFAULT_MAX_DURATION
              : Duration.ofSeconds(maxDurationSeconds);
      Instant latestEnd = runningSince.plus(maxDuration).plus(END_MARGIN);
      if (handedOverAt == null || !now.isBefore(latestEnd)) {
        return nextFollow(now);
      }
      Duration handedOverFor = Duration.between(handedOverAt, now);
      Instant next =
          jittered(
              now, handedOverFor.compareTo(followInterval) > 0 ? handedOverFor : followInterval);
      return next.isAfter(latestEnd) ? latestEnd : next;
    }

    private Instant jittered(Instant from, Duration interval) {
      double factor = 1 + followJitter * (2 * random.getAsDouble() - 1);
      return from.plusMillis(Math.round(interval.toMillis() * factor));
    }

    Instant handOutCheck(Instant handedOutAt) {
      return handedOutAt.plus(handOutTimeout);
    }

    /** Doubles from the initial back-off up to the maximum. */
    Instant cancelRetry(Instant now, int attempts) {
      long initial = cancelRetryInitial.toMillis();
      long max = cancelRetryMax.toMillis();
      long delay = attempts >= 62 ? max : Math.min(max, initial << Math.min(attempts, 30));
      return now.plusMillis(delay);
    }
  }
}
