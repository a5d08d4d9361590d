package dev.avatargateway.simulator.internal.world;

import dev.avatargateway.simulator.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Mutable state of one session; only {@link World} touches it, under its lock. */
final class Session {
  final String id;
  final Instant createdAt;
  final String createBody;
  final SessionSpec spec;
  final int maxDurationSeconds;
  final Optional<FailurePlan> failurePlan;

  SessionStatus status = SessionStatus.NOT_READY;
  boolean queued;
  boolean holdsSlot;
  Instant provisioningStartedAt;
  Instant readyAt;
  Instant expiresAt;
  Instant consumedAt;
  Instant cancelledAt;
  Instant endedAt;
  String sessionKey;
  String failureCode;
  String failure;
  Long durationSeconds;
  Duration runFor;
  boolean leaked;
  long getCount;
  long consumeAttempts;
  long cancelRequests;

  /** Set by {@code DELETE /v1/avatar_conversations/{id}}; the session itself is unaffected. */
  boolean conversationDeleted;

  /** Bumped on every transition so that timers scheduled for an older state are ignored. */
  long version;

  Session(
      String id,
      Instant createdAt,
      SessionSpec spec,
      int maxDurationSeconds,
      Optional<FailurePlan> failurePlan) {
    this.id = id;
    this.createdAt = createdAt;
    this.spec = spec;
    this.createBody = spec.rawBody();
    this.maxDurationSeconds = maxDurationSeconds;
    this.failurePlan = failurePlan;
  }

  /** NOT_READY or READY: nobody has consumed or cancelled it and it has not ended. */
  boolean open() {
    return status == SessionStatus.NOT_READY || status == SessionStatus.READY;
  }

  SessionRecord snapshot() {
    return new SessionRecord(
        id,
        status.name(),
        queued,
        createdAt,
        Optional.ofNullable(provisioningStartedAt),
        Optional.ofNullable(readyAt),
        Optional.ofNullable(expiresAt),
        Optional.ofNullable(consumedAt),
        Optional.ofNullable(cancelledAt),
        Optional.ofNullable(endedAt),
        Optional.ofNullable(sessionKey),
        Optional.ofNullable(failureCode),
        Optional.ofNullable(failure),
        Optional.ofNullable(durationSeconds),
        maxDurationSeconds,
        leaked,
        getCount,
        consumeAttempts,
        cancelRequests,
        createBody);
  }

  /** Failure to apply when provisioning ends ({@code failNextSessions}). */
  record FailurePlan(String failureCode, String failure) {}
}
