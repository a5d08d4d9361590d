package dev.avatargateway.runway;

/**
 * The credential was refused (HTTP 401): a wrong, disabled or wrong-environment API key, or a wrong
 * session key on consume.
 */
public class AuthenticationException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public AuthenticationException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
