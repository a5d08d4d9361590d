package dev.avatargateway.runway;

import java.util.Optional;

/**
 * The upstream answered with a non-2xx HTTP status. Statuses with a dedicated meaning have a
 * subclass ({@link BadRequestException}, {@link AuthenticationException}, {@link
 * PermissionDeniedException}, {@link NotFoundException}, {@link ConflictException}, {@link
 * UnprocessableEntityException}, {@link RateLimitException}, {@link InternalServerException}); any
 * other status (402 included: Runway documents no meaning for it, runway-api.md §7.1) is an
 * instance of this class.
 */
public class RunwayApiException extends RunwayException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final String body;
  private final String requestId;

  /**
   * @param status the HTTP status code
   * @param error the upstream's {@code error} text (runway-api.md §4.1), redacted; may be null
   * @param body the raw response body, redacted; may be empty
   * @param requestId the upstream request id from the response headers; may be null
   */
  public RunwayApiException(int status, String error, String body, String requestId) {
    super(message(status, error, body, requestId));
    this.status = status;
    this.error = error;
    this.body = body == null ? "" : body;
    this.requestId = requestId;
  }

  private static String message(int status, String error, String body, String requestId) {
    String text;
    if (error != null && !error.isBlank()) {
      text = error;
    } else if (body != null && !body.isBlank()) {
      text = body;
    } else {
      text = "status code (no body)";
    }
    return status + " " + text + (requestId == null ? "" : " [request id " + requestId + "]");
  }

  /** The HTTP status code of the upstream response. */
  public int status() {
    return status;
  }

  /** The upstream's human-readable {@code error} member, if the body had one. Not stable text. */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /** The response body as text (redacted of anything that looks like a secret); may be empty. */
  public String body() {
    return body;
  }

  /** The upstream's request id ({@code X-Request-Id} header), for support tickets. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }
}
