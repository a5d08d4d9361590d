package dev.avatargateway.runway.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads the delay a server asks for, the way the official SDK does (official-sdk-behaviour.md
 * §1.4): {@code retry-after-ms} (milliseconds, may be fractional) wins; else {@code Retry-After} as
 * seconds (may be fractional) or as an HTTP date. A date in the past asks for no delay.
 */
public final class RetryDelays {
  private RetryDelays() {}

  /** The server-asked delay, if the response names a valid one. */
  public static Optional<Duration> serverAsked(HttpResult response, Clock clock) {
    Optional<Duration> millis =
        response.header("retry-after-ms").flatMap(v -> number(v, 1_000_000L));
    if (millis.isPresent()) {
      return millis;
    }
    return response
        .header("retry-after")
        .flatMap(v -> number(v, 1_000_000_000L).or(() -> httpDate(v, clock.instant())));
  }

  private static Optional<Duration> number(String value, long nanosPerUnit) {
    try {
      double amount = Double.parseDouble(value.trim());
      if (Double.isNaN(amount) || Double.isInfinite(amount) || amount < 0) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos((long) Math.min(amount * nanosPerUnit, Long.MAX_VALUE)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> httpDate(String value, Instant now) {
    try {
      Instant at =
          ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration delay = Duration.between(now, at);
      return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
