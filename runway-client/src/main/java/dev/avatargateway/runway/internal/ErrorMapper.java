package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.AuthenticationException;
import dev.avatargateway.runway.BadRequestException;
import dev.avatargateway.runway.ConflictException;
import dev.avatargateway.runway.InternalServerException;
import dev.avatargateway.runway.NotFoundException;
import dev.avatargateway.runway.PermissionDeniedException;
import dev.avatargateway.runway.RateLimitException;
import dev.avatargateway.runway.RunwayApiException;
import dev.avatargateway.runway.UnprocessableEntityException;
import java.time.Clock;

/** Turns a non-2xx response into the exception for its status (runway-api.md §4.3). */
public final class ErrorMapper {
  /**
   * Response headers that may carry the upstream request id. ASSUMPTION: Runway documents none;
   * {@code x-request-id} is the common convention (and what our simulator sends).
   */
  static final String[] REQUEST_ID_HEADERS = {"x-request-id", "request-id"};

  private final Redactor redactor;
  private final Clock clock;

  /**
   * @param redactor cleans upstream text before it is stored
   * @param clock reads HTTP-date {@code Retry-After} values
   */
  public ErrorMapper(Redactor redactor, Clock clock) {
    this.redactor = redactor;
    this.clock = clock;
  }

  /** The exception for a non-2xx response. */
  public RunwayApiException toException(HttpResult response) {
    int status = response.status();
    String body = redactor.redact(response.body());
    String error = Json.errorText(response.body()).map(redactor::redact).orElse(null);
    String requestId = requestId(response);
    return switch (status) {
      case 400 -> new BadRequestException(status, error, body, requestId, Json.issues(body));
      case 401 -> new AuthenticationException(status, error, body, requestId);
      case 403 -> new PermissionDeniedException(status, error, body, requestId);
      case 404 -> new NotFoundException(status, error, body, requestId);
      case 409 -> new ConflictException(status, error, body, requestId);
      case 422 -> new UnprocessableEntityException(status, error, body, requestId);
      case 429 ->
          new RateLimitException(
              status,
              error,
              body,
              requestId,
              RetryDelays.serverAsked(response, clock).orElse(null));
      default ->
          status >= 500
              ? new InternalServerException(status, error, body, requestId)
              : new RunwayApiException(status, error, body, requestId);
    };
  }

  private static String requestId(HttpResult response) {
    for (String header : REQUEST_ID_HEADERS) {
      var value = response.header(header);
      if (value.isPresent() && !value.get().isBlank()) {
        return value.get();
      }
    }
    return null;
  }
}
