package dev.avatargateway.gateway.core.internal.sessions;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.runway.NotFoundException;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a session that is not (or no longer) a running flow's: {@code DELETE
 * /v1/realtime_sessions/{id}} (runway-api-additions.md, "Ending a session": the session becomes
 * CANCELLED), then the ledger row moves to {@code cancelled}. A cancel the upstream does not
 * confirm leaves the row {@code cancelling}, due a check at once, so that its run's keeper retries
 * until it does.
 */
public final class SessionEnder {
  private static final Logger LOG = LoggerFactory.getLogger(SessionEnder.class);

  /** One cancel with one retry: the connect flow's own clean-up budget. */
  static final Duration CANCEL_BUDGET = Duration.ofSeconds(5);

  /**
   * A create in flight elsewhere answers within the upstream's time-out; a second is a fair hint.
   */
  static final Duration STARTING_RETRY_AFTER = Duration.ofSeconds(1);

  private final JdbcSessionLedger ledger;
  private final RealtimeSessions sessions;
  private final Clock clock;

  /**
   * @param ledger the books
   * @param sessions the upstream
   * @param clock the time
   */
  public SessionEnder(JdbcSessionLedger ledger, RealtimeSessions sessions, Clock clock) {
    this.ledger = ledger;
    this.sessions = sessions;
    this.clock = clock;
  }

  /**
   * Ends the session of this ledger row, unless it has ended already.
   *
   * @return the row afterwards
   * @throws GatewayException {@code SESSION_STARTING} for a row whose create has not answered yet
   *     (a flow of another instance: only it can learn the id)
   */
  public SessionRow end(String gatewayId, StopReason reason) {
    SessionRow row = ledger.find(gatewayId).orElseThrow(SessionService::notFound);
    if (row.state().isTerminal()) {
      return row;
    }
    if (row.upstreamId() == null) {
      throw new GatewayException(
          ErrorCode.SESSION_STARTING,
          "The session is still being created; try again in a moment.",
          STARTING_RETRY_AFTER,
          Map.of(),
          null);
    }
    try {
      sessions.cancel(
          row.upstreamId(),
          RequestOptions.deadline(clock.instant().plus(CANCEL_BUDGET)).withMaxRetries(1));
    } catch (NotFoundException e) {
      // Gone upstream already: nothing is paid any more.
    } catch (RunwayException e) {
      LOG.warn(
          "Could not end upstream session {} ({}); the ledger's keeper retries",
          row.upstreamId(),
          reason.code());
      ledger.transition(
          gatewayId,
          SessionState.nonTerminal(),
          SessionState.CANCELLING,
          clock.instant(),
          reason.code(),
          null);
      ledger.scheduleCheck(gatewayId, clock.instant());
      return ledger.find(gatewayId).orElse(row);
    }
    ledger.transition(
        gatewayId,
        SessionState.nonTerminal(),
        SessionState.CANCELLED,
        clock.instant(),
        reason.code(),
        null);
    LOG.info("Ended upstream session {} ({})", row.upstreamId(), reason.code());
    return ledger.find(gatewayId).orElse(row);
  }

  /** Ends it if it can, logging what it cannot: for the gateway's own clean-up. */
  public void endQuietly(String gatewayId, StopReason reason) {
    try {
      end(gatewayId, reason);
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not end the session of start {} ({}); the ledger's keeper follows it",
          gatewayId,
          reason.code(),
          e);
    }
  }
}
