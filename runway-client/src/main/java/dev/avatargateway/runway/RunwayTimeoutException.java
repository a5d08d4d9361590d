package dev.avatargateway.runway;

/**
 * An attempt ran out of time (the per-attempt time-out or the caller's deadline) before a response
 * arrived, or before a connection came free to send it on (the message then says it "waited for a
 * free connection": nothing was sent, see {@link RunwayClient.Builder#maxConnections(int)}).
 */
public class RunwayTimeoutException extends RunwayConnectionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what timed out, for a person
   * @param cause the time-out, or {@code null} when the deadline passed before an attempt started
   */
  public RunwayTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
