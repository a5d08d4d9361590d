package dev.avatargateway.gateway.core.internal.observability;

import dev.avatargateway.gateway.core.LogFields;
import java.time.Duration;
import java.util.Objects;

/**
 * What one connect did, for its single summary log line ({@link ConnectLog#log(ConnectSummary)}).
 * Holds no secret by construction: ids, names, codes and timings only.
 *
 * @param requestId the request id (also the MDC's {@link LogFields#REQUEST_ID})
 * @param principal the authenticated principal's name; null when authentication failed
 * @param avatarId the avatar asked for; null when the request named none that could be read
 * @param avatarType {@code runway-preset} or {@code custom}; null with no avatar
 * @param upstreamSessionId the upstream session's id; null when none was created
 * @param outcome {@link GatewayMetrics#OUTCOME_SUCCESS} or {@link GatewayMetrics#OUTCOME_ERROR}
 * @param code {@link GatewayMetrics#CODE_OK} or the answered error code
 * @param failureCode the upstream's failure code of a FAILED session; null otherwise
 * @param timeToReady from creating the upstream session to READY; null when it never was
 * @param total from receiving the request to answering it
 * @param upstreamRequests HTTP attempts made to the upstream, retries included
 * @param queued whether the upstream reported the session queued for capacity
 */
public record ConnectSummary(
    String requestId,
    String principal,
    String avatarId,
    String avatarType,
    String upstreamSessionId,
    String outcome,
    String code,
    String failureCode,
    Duration timeToReady,
    Duration total,
    int upstreamRequests,
    boolean queued) {
  /** Rejects a missing request id, outcome, code or total, and a negative request count. */
  public ConnectSummary {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(total, "total");
    if (upstreamRequests < 0) {
      throw new IllegalArgumentException("upstreamRequests must not be negative");
    }
  }
}
