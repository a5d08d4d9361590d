package dev.avatargateway.runway;

/** The credential may not do this (HTTP 403). */
public class PermissionDeniedException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  /** See {@link RunwayApiException#RunwayApiException(int, String, String, String)}. */
  public PermissionDeniedException(int status, String error, String body, String requestId) {
    super(status, error, body, requestId);
  }
}
