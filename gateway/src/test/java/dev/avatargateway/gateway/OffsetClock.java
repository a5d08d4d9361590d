package dev.avatargateway.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock in UTC, moved by an offset a test sets: time still passes (deadlines and timers
 * work), and a test jumps over a UTC midnight or a keeper's interval without waiting.
 */
final class OffsetClock extends Clock {
  private final AtomicReference<Duration> offset;

  private OffsetClock(AtomicReference<Duration> offset) {
    this.offset = offset;
  }

  /** A clock that reads {@code start} now and runs on from there. */
  static OffsetClock startingAt(Instant start) {
    return new OffsetClock(new AtomicReference<>(Duration.between(Instant.now(), start)));
  }

  /** Moves the clock forward. */
  void advance(Duration by) {
    offset.updateAndGet(current -> current.plus(by));
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone)) {
      throw new UnsupportedOperationException("an offset clock is in UTC");
    }
    return this;
  }
}
