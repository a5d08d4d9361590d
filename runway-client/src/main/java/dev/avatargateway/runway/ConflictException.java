package dev.avatargateway.runway;

/**
 * The resource is in a state that does not allow this call (HTTP 409). Retried by default, as the
 * official SDK does.
 */
public class ConflictException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public ConflictException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
