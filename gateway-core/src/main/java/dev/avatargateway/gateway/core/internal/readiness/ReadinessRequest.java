package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.runway.RealtimeSession;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One session to wait for, as {@link ReadinessPoller#await(ReadinessRequest)} takes it.
 *
 * @param sessionId the upstream session id
 * @param avatarId the avatar, whose past sessions tell when to read this one
 * @param createdAt when {@code create} answered, by the gateway's clock: the instant the ledger
 *     records as {@code created_at}, so that the model's samples from the ledger and from live
 *     sessions measure the same interval
 * @param deadline give up at this instant while the session is provisioning
 * @param queuedDeadline give up at this later instant instead once the session has been seen queued
 *     for capacity
 * @param onStatus called with every status read, in order, on the waiting thread (for events, the
 *     ledger, metrics); must not block for long
 * @param aroundRead wraps each status read of this session before it runs on a reader thread, for
 *     context the waiting thread would have given it (such as counting the read against the
 *     connect); must run the read it is given. {@link UnaryOperator#identity()} for none
 */
public record ReadinessRequest(
    String sessionId,
    String avatarId,
    Instant createdAt,
    Instant deadline,
    Instant queuedDeadline,
    Consumer<RealtimeSession> onStatus,
    UnaryOperator<Runnable> aroundRead) {

  /** Rejects nulls and a queued deadline before the deadline. */
  public ReadinessRequest {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(avatarId, "avatarId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(queuedDeadline, "queuedDeadline");
    Objects.requireNonNull(onStatus, "onStatus");
    Objects.requireNonNull(aroundRead, "aroundRead");
    if (queuedDeadline.isBefore(deadline)) {
      throw new IllegalArgumentException("queuedDeadline must not be before deadline");
    }
  }

  /** A request whose reads need no context of the waiting thread. */
  public static ReadinessRequest of(
      String sessionId,
      String avatarId,
      Instant createdAt,
      Instant deadline,
      Instant queuedDeadline,
      Consumer<RealtimeSession> onStatus) {
    return new ReadinessRequest(
        sessionId,
        avatarId,
        createdAt,
        deadline,
        queuedDeadline,
        onStatus,
        UnaryOperator.identity());
  }
}
