package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's one unchecked exception: whatever throws it decides what the browser sees. It is
 * answered as {@code {"error": message, "code": code, "requestId": ...}} with the code's status,
 * plus {@code Retry-After} when {@link #retryAfter()} is set. The message is shown to people: it
 * must be a plain sentence and never contain a secret or raw upstream text.
 */
public class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  @SuppressWarnings("serial") // Duration is serializable; exceptions are not serialized here
  private final Duration retryAfter;

  @SuppressWarnings("serial") // an immutable Map.copyOf
  private final Map<String, Object> details;

  /**
   * @param code the stable error code (and with it the HTTP status)
   * @param message a plain sentence for a person, free of secrets
   */
  public GatewayException(ErrorCode code, String message) {
    this(code, message, null, Map.of(), null);
  }

  /**
   * @param code the stable error code (and with it the HTTP status)
   * @param message a plain sentence for a person, free of secrets
   * @param retryAfter when to try again, answered as {@code Retry-After} (whole seconds, rounded
   *     up); null for none
   * @param details extra JSON members of the answer (e.g. {@code failureCode}); must be safe to
   *     show
   * @param cause the failure behind it, for logs; null for none
   */
  public GatewayException(
      ErrorCode code,
      String message,
      Duration retryAfter,
      Map<String, Object> details,
      Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfter = retryAfter;
    this.details = Map.copyOf(details);
  }

  /** The stable error code. */
  public ErrorCode code() {
    return code;
  }

  /** When the client may try again, if the error is temporary. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Extra members of the JSON answer. */
  public Map<String, Object> details() {
    return details;
  }
}
