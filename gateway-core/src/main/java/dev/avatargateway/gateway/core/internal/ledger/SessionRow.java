package dev.avatargateway.gateway.core.internal.ledger;

import java.time.Duration;
import java.time.Instant;

/**
 * One upstream session as the ledger has it: every column of its row. Instants are UTC and
 * truncated to microseconds (what both databases store); a null means "not (yet) known" or "did not
 * happen".
 *
 * @param gatewayId the gateway's id for the session (a UUID)
 * @param upstreamId Runway's session id; null until {@code create} answered
 * @param principal who asked for it
 * @param clientAddress the client address of the connect, if known
 * @param avatarId the avatar as asked for
 * @param avatarType {@code runway-preset} or {@code custom}
 * @param requestId the connect's request id, if known
 * @param responseMode {@code credentials} or {@code session-key}
 * @param ownerRunId the run (of a gateway process) that looks after the session now: the one that
 *     recorded it, or the one that took it over from a dead run
 * @param state where the session stands
 * @param acceptedAt when the intent was recorded
 * @param createdAt when the upstream id was recorded
 * @param readyAt when the session was seen READY
 * @param handedOverAt when it was handed to the browser (consumed, or its key handed out)
 * @param runningAt when it was seen running
 * @param cancellingAt when the gateway decided to cancel it
 * @param endedAt when it reached its terminal state
 * @param updatedAt when the row last changed
 * @param outcomeCode why it ended or is being cancelled, a metric-safe word (a cancel reason or an
 *     error code)
 * @param failureCode the upstream's failure code, when it failed there
 * @param upstreamRequests how many requests the gateway sent upstream about this session
 * @param maxDurationSeconds the longest the call may last, in seconds, as sent upstream
 * @param duration how long the call lasted, in whole seconds, once known
 * @param durationConfirmed whether {@code duration} comes from Runway's conversation record (rather
 *     than the gateway's own estimate)
 * @param nextCheckAt when the keeper should look at the session next; null: not scheduled
 * @param attemptCount how many times the keeper tried the current step (such as a cancel) without
 *     success; back to 0 with every state transition
 */
public record SessionRow(
    String gatewayId,
    String upstreamId,
    String principal,
    String clientAddress,
    String avatarId,
    String avatarType,
    String requestId,
    String responseMode,
    String ownerRunId,
    SessionState state,
    Instant acceptedAt,
    Instant createdAt,
    Instant readyAt,
    Instant handedOverAt,
    Instant runningAt,
    Instant cancellingAt,
    Instant endedAt,
    Instant updatedAt,
    String outcomeCode,
    String failureCode,
    int upstreamRequests,
    Integer maxDurationSeconds,
    Duration duration,
    boolean durationConfirmed,
    Instant nextCheckAt,
    int attemptCount) {}
