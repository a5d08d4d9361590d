package dev.avatargateway.gateway.core.internal.observability;

import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.ConnectListener;
import dev.avatargateway.gateway.core.ErrorCode;

/** The metrics and the summary log line, as readers of the connect events. */
public final class ConnectObservers {
  /** What the operator must do when the upstream refuses our secret. */
  static final String MISCONFIGURED_FIX =
      "Runway refused this gateway's API secret: set RUNWAYML_API_SECRET to a valid, enabled key"
          + " of the organisation for the Runway host in RUNWAYML_BASE_URL (a production key does"
          + " not work against staging, and the reverse).";

  private ConnectObservers() {}

  /** Records time to READY, waits in the line, cancelled sessions and finished connects. */
  public static ConnectListener metrics(GatewayMetrics metrics) {
    return event -> {
      switch (event) {
        case ConnectEvent.Ready ready -> metrics.timeToReady(ready.timeToReady());
        case ConnectEvent.WaitEnded left ->
            metrics.lineWait(
                left.served() ? GatewayMetrics.LINE_SERVED : GatewayMetrics.LINE_GAVE_UP,
                left.waited());
        case ConnectEvent.Cancelled cancelled ->
            metrics.upstreamSessionCancelled(cancelled.reason().code());
        case ConnectEvent.Ended ended ->
            metrics.connectFinished(
                ended.succeeded() ? GatewayMetrics.OUTCOME_SUCCESS : GatewayMetrics.OUTCOME_ERROR,
                ended.code().map(ErrorCode::code).orElse(GatewayMetrics.CODE_OK),
                ended.total());
        default -> {}
      }
    };
  }

  /** Writes the one summary line per connect, and the misconfiguration ERROR when it applies. */
  public static ConnectListener log(ConnectLog log) {
    return event -> {
      if (event instanceof ConnectEvent.Ended ended) {
        if (ended.code().filter(ErrorCode.GATEWAY_MISCONFIGURED::equals).isPresent()) {
          log.misconfigured(MISCONFIGURED_FIX);
        }
        log.log(
            new ConnectSummary(
                ended.requestId(),
                ended.principal().orElse(null),
                ended.avatarId().orElse(null),
                ended.avatarType().orElse(null),
                ended.sessionId().orElse(null),
                ended.succeeded() ? GatewayMetrics.OUTCOME_SUCCESS : GatewayMetrics.OUTCOME_ERROR,
                ended.code().map(ErrorCode::code).orElse(GatewayMetrics.CODE_OK),
                ended.failureCode().orElse(null),
                ended.timeToReady().orElse(null),
                ended.total(),
                ended.upstreamRequests(),
                ended.queued()));
      }
    };
  }
}
