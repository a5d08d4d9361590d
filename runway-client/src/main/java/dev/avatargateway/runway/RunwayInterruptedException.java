package dev.avatargateway.runway;

/**
 * The calling thread was interrupted while the client waited (for a response, between retries or
 * between polls). The thread's interrupt status is set again before this is thrown.
 */
public class RunwayInterruptedException extends RunwayException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was interrupted
   * @param cause the {@link InterruptedException}
   */
  public RunwayInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
