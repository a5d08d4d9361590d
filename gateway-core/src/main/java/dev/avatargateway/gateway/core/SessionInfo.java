package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.time.Instant;

/**
 * One session as the ledger has it, for the session endpoints (docs/sessions.md). Instants are UTC;
 * a null means "not (yet) known" or "did not happen". Holds no secret.
 *
 * @param id the gateway's id for the session (a UUID), the id in its URLs
 * @param principal whose session it is
 * @param sessionId Runway's session id, once created
 * @param state the ledger state, e.g. {@code created}, {@code consumed}, {@code cancelled}
 * @param avatarId the avatar asked for
 * @param avatarType {@code runway-preset} or {@code custom}
 * @param responseMode {@code credentials} or {@code session-key}
 * @param acceptedAt when the start was accepted
 * @param createdAt when Runway created the session
 * @param readyAt when it was seen READY
 * @param handedOverAt when the credentials or the key were handed over
 * @param runningAt when the call was first seen running
 * @param endedAt when it reached its terminal state
 * @param duration how long the call lasted, in whole seconds, once known
 * @param durationConfirmed whether {@code duration} is Runway's own record
 * @param outcome why it ended or is being cancelled (a cancel reason or an error code)
 * @param failureCode Runway's failure code, when it failed there
 */
public record SessionInfo(
    String id,
    String principal,
    String sessionId,
    String state,
    String avatarId,
    String avatarType,
    String responseMode,
    Instant acceptedAt,
    Instant createdAt,
    Instant readyAt,
    Instant handedOverAt,
    Instant runningAt,
    Instant endedAt,
    Duration duration,
    boolean durationConfirmed,
    String outcome,
    String failureCode) {}
