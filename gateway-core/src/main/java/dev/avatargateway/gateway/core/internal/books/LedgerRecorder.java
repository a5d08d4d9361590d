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
import java.util.Set;

/**
 * Writes the connect events into the ledger, one row per upstream session, each step before the
 * flow takes the next. Once a session is handed over, it is due a check by the {@link
 * SessionKeeper}, which follows it until it ends.
 */
final class LedgerRecorder implements ConnectRecorder {
  private static final Set<SessionState> ONLY_CREATED = Set.of(SessionState.CREATED);
  private static final Set<SessionState> ONLY_READY = Set.of(SessionState.READY);

  private final JdbcSessionLedger ledger;
  private final Schedules schedules;

  LedgerRecorder(JdbcSessionLedger ledger, Schedules schedules) {
    this.ledger = ledger;
    this.schedules = schedules;
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
                  a.at()));
      case ConnectEvent.Created c ->
          require(ledger.recordCreated(c.connectId(), c.sessionId(), c.at()), c);
      case ConnectEvent.CreateFailed f -> {
        if (f.mayExist()) {
          // Its id is unknown, so nobody can cancel it: Runway fails an unconsumed session after
          // its READY window by itself (runway-api.md §2.4), which bounds what it costs.
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
      }
      case ConnectEvent.Queued q -> {}
      case ConnectEvent.Ready r ->
          require(
              ledger.transition(
                  r.connectId(), ONLY_CREATED, SessionState.READY, r.at(), null, null),
              r);
      case ConnectEvent.Consumed c -> {
        require(
            ledger.transition(c.connectId(), ONLY_READY, SessionState.CONSUMED, c.at(), null, null),
            c);
        ledger.scheduleCheck(c.connectId(), schedules.nextFollow(c.at()));
      }
      case ConnectEvent.HandedOut h -> {
        require(
            ledger.transition(
                h.connectId(), ONLY_READY, SessionState.HANDED_OUT, h.at(), null, null),
            h);
        ledger.scheduleCheck(h.connectId(), schedules.handOutCheck(h.at()));
      }
      case ConnectEvent.Cancelled c ->
          ledger.transition(
              c.connectId(),
              SessionState.nonTerminal(),
              SessionState.CANCELLED,
              c.at(),
              c.reason().code(),
              null);
      case ConnectEvent.CancelFailed c -> {
        ledger.transition(
            c.connectId(),
            SessionState.nonTerminal(),
            SessionState.CANCELLING,
            c.at(),
            c.reason().code(),
            null);
        ledger.scheduleCheck(c.connectId(), schedules.cancelRetry(c.at(), 0));
      }
      case ConnectEvent.Failed f ->
          ledger.transition(
              f.connectId(),
              SessionState.nonTerminal(),
              terminalState(f.status()),
              f.at(),
              "upstream_" + f.status().name().toLowerCase(java.util.Locale.ROOT),
              f.failureCode().orElse(null));
      case ConnectEvent.Ended e -> {
        if (e.sessionId().isPresent()) {
          ledger.recordUpstreamRequests(e.connectId(), e.upstreamRequests());
        }
      }
    }
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

  /** When the keeper looks at a row next. */
  record Schedules(
      Duration followInterval,
      double followJitter,
      Duration handOutTimeout,
      Duration cancelRetryInitial,
      Duration cancelRetryMax,
      java.util.function.DoubleSupplier random) {
    Instant nextFollow(Instant now) {
      double factor = 1 + followJitter * (2 * random.getAsDouble() - 1);
      return now.plusMillis(Math.round(followInterval.toMillis() * factor));
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
