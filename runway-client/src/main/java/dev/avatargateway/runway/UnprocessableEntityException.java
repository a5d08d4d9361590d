package dev.avatargateway.runway;

/** The upstream understood the request but refused it (HTTP 422). */
public class UnprocessableEntityException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public UnprocessableEntityException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
