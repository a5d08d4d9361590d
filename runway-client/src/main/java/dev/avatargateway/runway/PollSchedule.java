package dev.avatargateway.runway;

import java.time.Duration;
import java.util.Objects;

/**
 * When to check a session's status while waiting for READY.
 *
 * <p>{@link #defaults()} checks at once after create (the seed guide sleeps a full second first,
 * which costs every caller up to a second), then backs off from 250 ms by 1.5x to 1 s: a session
 * that is ready in about 1.5 s (a third-party observation, official-sdk-behaviour.md §3) is seen
 * within half a second of becoming ready, and a queued session costs one request a second. No two
 * checks are ever closer than 250 ms.
 */
@FunctionalInterface
public interface PollSchedule {
  /** The first pause of {@link #defaults()}, and the shortest pause between two checks. */
  Duration MIN_INTERVAL = Duration.ofMillis(250);

  /** The longest pause of {@link #defaults()}: at most one request a second per waiting session. */
  Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(1);

  /** How much each pause of {@link #defaults()} grows over the previous one. */
  double DEFAULT_GROWTH = 1.5;

  /**
   * The pause before check number {@code check}.
   *
   * @param check 0 for the first check after create, 1 for the next, ...
   * @return how long to wait first; {@link Duration#ZERO} for at once
   */
  Duration delayBefore(int check);

  /** At once, then 250 ms growing by 1.5x to at most 1 s. */
  static PollSchedule defaults() {
    return backoff(MIN_INTERVAL, DEFAULT_GROWTH, DEFAULT_MAX_INTERVAL);
  }

  /**
   * At once, then every {@code interval}.
   *
   * @param interval the pause between checks; at least 250 ms
   */
  static PollSchedule fixed(Duration interval) {
    return backoff(interval, 1.0, interval);
  }

  /**
   * At once, then {@code initial}, growing by {@code growth} each time up to {@code max}.
   *
   * @param initial the first pause; at least 250 ms
   * @param growth the factor between two pauses; at least 1
   * @param max the longest pause; at least {@code initial}
   */
  static PollSchedule backoff(Duration initial, double growth, Duration max) {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("poll interval must be at least " + MIN_INTERVAL);
    }
    if (growth < 1.0 || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("growth must be >= 1 and max >= initial");
    }
    long initialMillis = initial.toMillis();
    long maxMillis = max.toMillis();
    return check -> {
      if (check <= 0) {
        return Duration.ZERO;
      }
      double millis = (double) initialMillis * Math.pow(growth, check - 1);
      return Duration.ofMillis((long) Math.min(millis, maxMillis));
    };
  }
}
