package dev.avatargateway.runway;

/**
 * Root of every exception this client throws. Unchecked, so that callers handle the cases they care
 * about ({@link RateLimitException}, {@link SessionStateException}, ...) and let the rest travel.
 *
 * <p>No message or {@code toString()} of any subclass contains the API key, a session key or a
 * LiveKit token: upstream text is redacted before it is stored.
 */
public class RunwayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, for a person; must not contain secrets
   */
  public RunwayException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, for a person; must not contain secrets
   * @param cause the underlying failure, or {@code null}
   */
  public RunwayException(String message, Throwable cause) {
    super(message, cause);
  }
}
