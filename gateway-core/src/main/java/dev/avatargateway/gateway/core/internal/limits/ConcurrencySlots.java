package dev.avatargateway.gateway.core.internal.limits;

/**
 * Per-key caps on things in flight (a principal's connects). The seam where a later, shared (Redis)
 * implementation plugs in; {@link InFlightCounters} is the in-memory one.
 */
interface ConcurrencySlots {
  /** What {@link #tryAcquire} did. */
  enum Outcome {
    /** A slot was taken; {@link #release} gives it back. */
    ACQUIRED,
    /** The key already holds its maximum. */
    AT_LIMIT,
    /** The table cannot track another key (it is full of keys with slots in use). */
    FULL
  }

  /** Takes a slot for {@code key} if it has one free; never blocks. */
  Outcome tryAcquire(String key);

  /** Gives back a slot taken by a successful {@link #tryAcquire}; exactly once per slot. */
  void release(String key);
}
