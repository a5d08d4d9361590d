package dev.avatargateway.gateway.internal.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.RequestIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the errors Jetty finds before a request reaches the routes (headers or URI too large, a
 * malformed request line or header, an unknown HTTP version) as the gateway answers every error:
 * JSON {@code {error, code, requestId}} with a stable code and the security headers, where Jetty
 * would write an HTML page. Set as the server's error handler; logs one INFO line per answer, with
 * no stack trace: these are the client's mistakes.
 */
public final class JsonErrorHandler implements Request.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

  private static final Map<Integer, Answer> ANSWERS =
      Map.of(
          HttpStatus.BAD_REQUEST_400,
          new Answer(ErrorCode.BAD_REQUEST, "The request is not well-formed HTTP."),
          HttpStatus.URI_TOO_LONG_414,
          new Answer(
              ErrorCode.URI_TOO_LONG, "The request's address is longer than this server accepts."),
          HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431,
          new Answer(
              ErrorCode.HEADERS_TOO_LARGE,
              "The request's headers are larger than this server accepts."),
          HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505,
          new Answer(
              ErrorCode.HTTP_VERSION_NOT_SUPPORTED, "This server speaks HTTP/1.1 and HTTP/1.0."),
          HttpStatus.REQUEST_TIMEOUT_408,
          new Answer(ErrorCode.REQUEST_TIMEOUT, "The request did not arrive in time."),
          HttpStatus.PAYLOAD_TOO_LARGE_413,
          new Answer(
              ErrorCode.BODY_TOO_LARGE, "The request body is larger than this server accepts."),
          // What the graceful stop answers to requests that arrive while the server stops.
          HttpStatus.SERVICE_UNAVAILABLE_503,
          new Answer(ErrorCode.SHUTTING_DOWN, "This server is shutting down; try again."));

  /** For statuses Jetty rarely answers itself; the status is kept, the code is the nearest. */
  private static final Answer OTHER_CLIENT_ERROR =
      new Answer(ErrorCode.BAD_REQUEST, "The request could not be accepted.");

  private static final Answer OTHER_SERVER_ERROR =
      new Answer(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; try again.");

  /** The code and the sentence answered for one status. */
  private record Answer(ErrorCode code, String message) {}

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = status(request, response);
    Answer answer =
        ANSWERS.getOrDefault(
            status, HttpStatus.isServerError(status) ? OTHER_SERVER_ERROR : OTHER_CLIENT_ERROR);
    String requestId = RequestIds.accept(request.getHeaders().get(RequestIds.HEADER));
    LOG.info(
        "Refused a request the HTTP server could not accept: {} {}",
        status,
        answer.code().code(),
        kv(LogFields.REQUEST_ID, requestId),
        kv("reason", String.valueOf(request.getAttribute(ErrorHandler.ERROR_MESSAGE))));
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(RequestIds.HEADER, requestId);
    SecurityHeaders.apply(response.getHeaders()::put);
    byte[] body =
        JsonAnswers.json(JsonAnswers.errorBody(answer.code(), answer.message(), requestId))
            .getBytes(StandardCharsets.UTF_8);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private static int status(Request request, Response response) {
    return request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer status
        ? status
        : response.getStatus();
  }
}
