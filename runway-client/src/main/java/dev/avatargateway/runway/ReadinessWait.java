package dev.avatargateway.runway;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link RealtimeSessions#awaitReady(String, ReadinessWait)} waits.
 *
 * @param deadline give up at this instant while the session is provisioning
 * @param queuedDeadline give up at this later instant instead once the session has been seen queued
 *     for capacity ({@code NOT_READY} with {@code queued: true}): time in a queue is not
 *     provisioning time, and a 30 s budget is often too short when queued (runway-api.md §7.8)
 * @param schedule when to check the status
 * @param onStatus called with every status seen, on the waiting thread (for logs, metrics or a
 *     ledger); must not block for long
 */
public record ReadinessWait(
    Instant deadline,
    Instant queuedDeadline,
    PollSchedule schedule,
    Consumer<RealtimeSession> onStatus) {

  /** Rejects nulls and a queued deadline before the deadline. */
  public ReadinessWait {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(queuedDeadline, "queuedDeadline");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(onStatus, "onStatus");
    if (queuedDeadline.isBefore(deadline)) {
      throw new IllegalArgumentException("queuedDeadline must not be before deadline");
    }
  }

  /** Waits until {@code deadline}, queued or not, with {@link PollSchedule#defaults()}. */
  public static ReadinessWait until(Instant deadline) {
    return new ReadinessWait(deadline, deadline, PollSchedule.defaults(), status -> {});
  }

  /** A copy that waits until {@code queuedDeadline} once the session was seen queued. */
  public ReadinessWait extendWhileQueuedUntil(Instant queuedDeadline) {
    return new ReadinessWait(deadline, queuedDeadline, schedule, onStatus);
  }

  /** A copy with this schedule. */
  public ReadinessWait withSchedule(PollSchedule schedule) {
    return new ReadinessWait(deadline, queuedDeadline, schedule, onStatus);
  }

  /** A copy that reports every status seen to {@code onStatus}. */
  public ReadinessWait onStatus(Consumer<RealtimeSession> onStatus) {
    return new ReadinessWait(deadline, queuedDeadline, schedule, onStatus);
  }
}
