package dev.avatargateway.gateway.core.internal.readiness;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The gateway-wide budget of status reads: at most {@code perSecond} reads start in any window of
 * one second. A token bucket (Bucket4j) of {@code burst} tokens refilled continuously at {@code
 * perSecond − burst} a second lets at most {@code burst + (perSecond − burst) × w} reads through in
 * any window of {@code w} seconds: {@code perSecond} in any one second, and up to {@code burst} at
 * once when reads of sessions created together fall due together. Used by the poller's thread only.
 */
final class ReadBudget {
  /**
   * A tenth of the budget may go at once: sessions created together (a page of users arriving) fall
   * due together, and spacing their reads out at the sustained rate would make the last of them
   * late. The price is that the sustained rate is 90% of the budget.
   */
  static final int BURST_DIVISOR = 10;

  private final Bucket bucket;

  ReadBudget(int perSecond, Clock clock) {
    if (perSecond < 2) {
      throw new IllegalArgumentException("perSecond must be at least 2, was " + perSecond);
    }
    int burst = Math.max(1, perSecond / BURST_DIVISOR);
    this.bucket =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(burst)
                    .refillGreedy(perSecond - burst, Duration.ofSeconds(1))
                    .build())
            .withCustomTimePrecision(new ClockTimeMeter(clock))
            .build();
  }

  /** Takes one read from the budget, if it has one now. */
  boolean tryTake() {
    return bucket.tryConsume(1);
  }

  /** How many reads the budget has now. */
  long available() {
    return bucket.getAvailableTokens();
  }

  /** How long until the budget has a read again (zero when it has one now). */
  Duration untilNext() {
    return Duration.ofNanos(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
  }

  /** Bucket4j's time from the injected clock, so that tests move it without sleeping. */
  private record ClockTimeMeter(Clock clock) implements TimeMeter {
    @Override
    public long currentTimeNanos() {
      Instant now = clock.instant();
      return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }

    @Override
    public boolean isWallClockBased() {
      return true;
    }
  }
}
