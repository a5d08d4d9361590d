package dev.avatargateway.runway;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Per-call overrides. Anything left empty takes the client's setting.
 *
 * @param deadline no attempt starts, and no wait between retries runs, past this instant; an
 *     attempt in flight is cut off at it
 * @param timeout the time-out of each attempt (from sending to the response headers)
 * @param maxRetries how many times a failed attempt may be retried (0 for none)
 */
public record RequestOptions(
    Optional<Instant> deadline, Optional<Duration> timeout, OptionalInt maxRetries) {

  private static final RequestOptions NONE =
      new RequestOptions(Optional.empty(), Optional.empty(), OptionalInt.empty());

  /** Checks the values. */
  public RequestOptions {
    timeout.ifPresent(
        t -> {
          if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
          }
        });
    maxRetries.ifPresent(
        n -> {
          if (n < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
          }
        });
  }

  /** No overrides. */
  public static RequestOptions none() {
    return NONE;
  }

  /** Only a deadline. */
  public static RequestOptions deadline(Instant deadline) {
    return new RequestOptions(Optional.of(deadline), Optional.empty(), OptionalInt.empty());
  }

  /** A copy with this deadline. */
  public RequestOptions withDeadline(Instant deadline) {
    return new RequestOptions(Optional.of(deadline), timeout, maxRetries);
  }

  /** A copy with this per-attempt time-out. */
  public RequestOptions withTimeout(Duration timeout) {
    return new RequestOptions(deadline, Optional.of(timeout), maxRetries);
  }

  /** A copy with this retry budget. */
  public RequestOptions withMaxRetries(int maxRetries) {
    return new RequestOptions(deadline, timeout, OptionalInt.of(maxRetries));
  }
}
