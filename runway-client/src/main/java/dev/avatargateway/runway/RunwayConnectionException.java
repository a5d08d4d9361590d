package dev.avatargateway.runway;

/**
 * No HTTP response was received: the connection could not be made or broke. Retried by default
 * (except for session creation, where it is retried only when the connection was never made).
 */
public class RunwayConnectionException extends RunwayException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, for a person
   * @param cause the I/O failure
   */
  public RunwayConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
