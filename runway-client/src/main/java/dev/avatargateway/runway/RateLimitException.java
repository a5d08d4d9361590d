package dev.avatargateway.runway;

import java.time.Duration;
import java.util.Optional;

/**
 * Too many requests (HTTP 429), after the retries the client was allowed. {@link #retryAfter()} is
 * the delay the upstream asked for, when it asked: a caller can pass it on (a gateway answers its
 * own 429 or 503 with {@code Retry-After}).
 */
public class RateLimitException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // Duration is serializable; the field is only declared as Optional
  private final Duration retryAfter;

  /**
   * See {@link RunwayApiException#RunwayApiException(int, String, String, String)}.
   *
   * @param retryAfter the delay the upstream asked for, or {@code null} when it named none
   */
  public RateLimitException(
      int status, String error, String body, String requestId, Duration retryAfter) {
    super(status, error, body, requestId);
    this.retryAfter = retryAfter;
  }

  /**
   * The delay the upstream asked for ({@code retry-after-ms}, else {@code Retry-After} in seconds
   * or as an HTTP date), or empty when it named none.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
