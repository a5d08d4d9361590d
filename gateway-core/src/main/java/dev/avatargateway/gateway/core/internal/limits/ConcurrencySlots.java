package dev.avatargateway.gateway.core.internal.limits;

/**
 * Per-key caps on things in flight (a principal's connects). {@link InFlightCounters} is the
 * in-memory one, {@link RedisSlots} the one shared through Redis.
 */
interface ConcurrencySlots {
  /** What {@link #tryAcquire} did. */
  enum Outcome {
    /** A slot was taken; {@link Attempt#release()} gives it back. */
    ACQUIRED,
    /** The key already holds its maximum. */
    AT_LIMIT,
    /** The table cannot track another key (it is full of keys with slots in use). */
    FULL
  }

  /**
   * One try.
   *
   * @param outcome what happened
   * @param release gives the slot back, exactly once; does nothing unless {@link Outcome#ACQUIRED}
   */
  record Attempt(Outcome outcome, Runnable release) {
    static final Attempt AT_LIMIT = new Attempt(Outcome.AT_LIMIT, () -> {});
    static final Attempt FULL = new Attempt(Outcome.FULL, () -> {});
  }

  /**
   * Takes a slot for {@code key} if it has one free; never waits (beyond one Redis command).
   *
   * @throws dev.avatargateway.gateway.core.GatewayException {@code limits_unavailable} when shared
   *     slots cannot be checked ({@code redis.onFailure: refuse})
   */
  Attempt tryAcquire(String key);
}
