package dev.avatargateway.simulator;

import java.time.Instant;
import java.util.Optional;

/**
 * One realtime session as the simulator sees it, with its timeline evaluated at the simulated time
 * of the call that returned it. All instants are simulated time.
 *
 * @param id the session id (UUID v4)
 * @param status one of {@code NOT_READY}, {@code READY}, {@code RUNNING}, {@code COMPLETED}, {@code
 *     FAILED}, {@code CANCELLED} (runway-api.md §2.3)
 * @param queued true while NOT_READY and waiting for a capacity slot
 * @param createdAt when create was answered
 * @param provisioningStartedAt when the session got a capacity slot and started provisioning
 * @param readyAt when it became READY
 * @param expiresAt when its session key expires (set once READY)
 * @param consumedAt when the first successful consume happened (it then became RUNNING)
 * @param cancelledAt when DELETE cancelled it
 * @param endedAt when it reached a terminal status
 * @param sessionKey the key issued at READY, for tests that consume without polling
 * @param failureCode the stable failure code when FAILED
 * @param failure the human-readable failure when FAILED
 * @param durationSeconds the {@code duration} reported when COMPLETED
 * @param maxDurationSeconds the requested {@code maxDuration} (300 when absent, runway-api.md §2.1)
 * @param leaked true when it reached READY and was neither consumed nor cancelled before it failed
 *     for no participant
 * @param getCount how many {@code GET /v1/realtime_sessions/{id}} calls it answered
 * @param consumeAttempts how many consume calls (successful or not) named it
 * @param cancelRequests how many {@code DELETE /v1/realtime_sessions/{id}} calls it answered, the
 *     first and any later ones (a cancel of an ended session changes nothing but is counted): a
 *     client that cancels each session exactly once shows 1
 * @param createBody the raw JSON body of the create request
 */
public record SessionRecord(
    String id,
    String status,
    boolean queued,
    Instant createdAt,
    Optional<Instant> provisioningStartedAt,
    Optional<Instant> readyAt,
    Optional<Instant> expiresAt,
    Optional<Instant> consumedAt,
    Optional<Instant> cancelledAt,
    Optional<Instant> endedAt,
    Optional<String> sessionKey,
    Optional<String> failureCode,
    Optional<String> failure,
    Optional<Long> durationSeconds,
    int maxDurationSeconds,
    boolean leaked,
    long getCount,
    long consumeAttempts,
    long cancelRequests,
    String createBody) {

  /** Whether the status is COMPLETED, FAILED or CANCELLED. */
  public boolean terminal() {
    return switch (status) {
      case "COMPLETED", "FAILED", "CANCELLED" -> true;
      default -> false;
    };
  }

  @Override
  public String toString() {
    // Leaves the session key out: records end up in test logs.
    return "SessionRecord[id="
        + id
        + ", status="
        + status
        + ", queued="
        + queued
        + ", createdAt="
        + createdAt
        + ", readyAt="
        + readyAt.orElse(null)
        + ", consumedAt="
        + consumedAt.orElse(null)
        + ", cancelledAt="
        + cancelledAt.orElse(null)
        + ", endedAt="
        + endedAt.orElse(null)
        + ", failureCode="
        + failureCode.orElse(null)
        + ", leaked="
        + leaked
        + ", getCount="
        + getCount
        + "]";
  }
}
