package dev.avatargateway.runway;

/**
 * A 2xx response whose body does not match the documented contract: not JSON, a required field
 * missing or of the wrong type, or a {@code status} value this library does not know. The upstream
 * answered, so retrying the same request is unlikely to help; a newer release of this library may.
 * The message names the field or value, never a secret.
 */
public class UnexpectedResponseException extends RunwayException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what did not match, for a person; must not contain secrets
   */
  public UnexpectedResponseException(String message) {
    super(message);
  }
}
