package dev.avatargateway.runway;

import java.time.Duration;
import java.time.Instant;

/**
 * A realtime session as {@code GET /v1/realtime_sessions/{id}} reports it: one record per status
 * (runway-api.md §2.3). Switch over it with pattern matching:
 *
 * <pre>{@code
 * switch (client.realtimeSessions().retrieve(id)) {
 *   case RealtimeSession.Ready ready -> consume(ready.sessionKey());
 *   case RealtimeSession.NotReady notReady -> pollAgain(notReady.queued());
 *   case RealtimeSession.Failed failed -> log(failed.failureCode());
 *   default -> giveUp();
 * }
 * }</pre>
 */
public sealed interface RealtimeSession {
  /** The session id (a UUID), which is also the avatar conversation id. */
  String id();

  /** When the session was created. */
  Instant createdAt();

  /** The status this record stands for. */
  Status status();

  /** Whether the session has ended for good (completed, failed or cancelled). */
  default boolean isTerminal() {
    return switch (status()) {
      case COMPLETED, FAILED, CANCELLED -> true;
      case NOT_READY, READY, RUNNING -> false;
    };
  }

  /** The six statuses of the upstream lifecycle. */
  enum Status {
    NOT_READY,
    READY,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED
  }

  /**
   * Being provisioned.
   *
   * @param queued true while the session waits in a queue for capacity (for example the
   *     organisation's concurrency limit); false while it is actively provisioned
   */
  record NotReady(String id, Instant createdAt, boolean queued) implements RealtimeSession {
    @Override
    public Status status() {
      return Status.NOT_READY;
    }
  }

  /**
   * Ready to connect. {@code toString()} hides the session key.
   *
   * @param sessionKey the one-time key that authenticates {@code consume}; a secret
   * @param expiresAt when the session key stops working
   */
  record Ready(String id, Instant createdAt, String sessionKey, Instant expiresAt)
      implements RealtimeSession {
    @Override
    public Status status() {
      return Status.READY;
    }

    @Override
    public String toString() {
      return "Ready[id=" + id + ", createdAt=" + createdAt + ", expiresAt=" + expiresAt + "]";
    }
  }

  /** A WebRTC connection is active (the session was consumed). */
  record Running(String id, Instant createdAt) implements RealtimeSession {
    @Override
    public Status status() {
      return Status.RUNNING;
    }
  }

  /**
   * Ended normally.
   *
   * @param duration how long the session ran, in whole seconds upstream
   */
  record Completed(String id, Instant createdAt, Duration duration) implements RealtimeSession {
    @Override
    public Status status() {
      return Status.COMPLETED;
    }
  }

  /**
   * Failed.
   *
   * @param failure a human-readable reason; not stable text
   * @param failureCode the stable, machine-readable reason, e.g. {@code
   *     TALKING_AVATAR.NO_PARTICIPANT}
   */
  record Failed(String id, Instant createdAt, String failure, String failureCode)
      implements RealtimeSession {
    @Override
    public Status status() {
      return Status.FAILED;
    }
  }

  /** Cancelled through {@code DELETE}. */
  record Cancelled(String id, Instant createdAt) implements RealtimeSession {
    @Override
    public Status status() {
      return Status.CANCELLED;
    }
  }
}
