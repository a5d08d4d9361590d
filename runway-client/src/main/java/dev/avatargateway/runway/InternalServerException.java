package dev.avatargateway.runway;

/**
 * The upstream failed or shed load (HTTP 500 or above). Retried by default, except for session
 * creation.
 */
public class InternalServerException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public InternalServerException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
