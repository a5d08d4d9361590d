package dev.avatargateway.runway;

/** The resource does not exist or is not visible to this API key (HTTP 404). */
public class NotFoundException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public NotFoundException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
