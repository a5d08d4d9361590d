package dev.avatargateway.simulator;

/**
 * The one unchecked exception of the simulator module: bad configuration, a port that cannot be
 * bound, or an unparsable setting string.
 */
public class SimulatorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong; never contains API keys, session keys or token secrets
   */
  public SimulatorException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong; never contains API keys, session keys or token secrets
   * @param cause the underlying failure
   */
  public SimulatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
