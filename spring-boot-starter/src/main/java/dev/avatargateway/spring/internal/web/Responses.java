package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RenderedAnswer;
import dev.avatargateway.gateway.core.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What every answer of the starter's endpoints gets: its request id, headers and JSON body. */
final class Responses {
  /**
   * Answers carry credentials or errors, so they must never be cached, sniffed or framed (the
   * gateway's SecurityHeaders; the rest of the application keeps its own policy).
   */
  private static final Map<String, String> SECURITY_HEADERS =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "Cache-Control", "no-store",
          "Referrer-Policy", "no-referrer");

  private Responses() {}

  /**
   * The request's id, as {@link GatewayRequestFilter} gave it (so that its log lines and this
   * answer agree), or by the core's rule where an application replaced the filter; echoed on the
   * answer.
   */
  static String requestId(HttpServletRequest request, HttpServletResponse response) {
    String id =
        request.getAttribute(GatewayRequestFilter.REQUEST_ID_ATTRIBUTE) instanceof String given
            ? given
            : RequestIds.accept(request.getHeader(RequestIds.HEADER));
    response.setHeader(RequestIds.HEADER, id);
    return id;
  }

  /** The answer to a failure, with the {@code WWW-Authenticate} of an authentication failure. */
  static RenderedAnswer failure(
      GatewayCore core,
      AnswerRenderer answers,
      HttpServletResponse response,
      GatewayException e,
      String requestId) {
    core.wwwAuthenticate(e).ifPresent(value -> response.setHeader("WWW-Authenticate", value));
    return answers.failure(e, requestId);
  }

  /** The answer to a failure nobody foresaw; the failure itself is the caller's to log. */
  static RenderedAnswer unexpected(AnswerRenderer answers, String requestId) {
    return answers.failure(
        new GatewayException(
            ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; try again."),
        requestId);
  }

  /** Sends an answer: status, its own headers, the exact JSON. */
  static void send(HttpServletResponse response, RenderedAnswer answer) throws IOException {
    SECURITY_HEADERS.forEach(response::setHeader);
    answer.headers().forEach(response::setHeader);
    response.setStatus(answer.status());
    response.setContentType("application/json");
    byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
