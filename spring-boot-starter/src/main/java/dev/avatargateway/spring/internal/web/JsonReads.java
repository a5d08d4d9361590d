package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.Caller;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.RenderedAnswer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * How the starter's session, usage and admin endpoints answer: the caller as the core authenticates
 * it, a 200 with the core's JSON (or another rendered answer), or the failure as the gateway
 * answers it, with the request id and the security headers of every answer ({@link Responses}).
 */
final class JsonReads {
  private static final Logger LOG = LoggerFactory.getLogger(JsonReads.class);

  private final GatewayCore core;
  private final AnswerRenderer answers;

  JsonReads(GatewayCore core, AnswerRenderer answers) {
    this.core = core;
    this.answers = answers;
  }

  /** Answers {@code read}'s body for this request's caller, or the failure it threw. */
  void answer(
      HttpServletRequest http,
      HttpServletResponse response,
      Function<Caller, Map<String, Object>> read)
      throws IOException {
    respond(
        http,
        response,
        requestId -> new RenderedAnswer(200, JsonAnswers.json(read.apply(caller(http))), Map.of()));
  }

  /**
   * Sends {@code work}'s answer, or the failure it threw as the gateway answers it, with this
   * request's id (in the log's MDC while {@code work} runs).
   *
   * @param work gets the request id
   */
  void respond(
      HttpServletRequest http, HttpServletResponse response, Function<String, RenderedAnswer> work)
      throws IOException {
    String requestId = Responses.requestId(http, response);
    MDC.put(LogFields.REQUEST_ID, requestId);
    try {
      RenderedAnswer answer;
      try {
        answer = work.apply(requestId);
      } catch (GatewayException e) {
        answer = Responses.failure(core, answers, response, e, requestId);
      } catch (RuntimeException e) {
        LOG.error("Unexpected failure answering {} {}", http.getMethod(), http.getRequestURI(), e);
        answer = Responses.unexpected(answers, requestId);
      }
      Responses.send(response, answer);
    } finally {
      MDC.remove(LogFields.REQUEST_ID);
    }
  }

  /** The caller: its credentials (and Spring Security's user) and its address. */
  static Caller caller(HttpServletRequest http) {
    return new Caller(
        new ServletHeaders(http),
        http.getRemoteAddr(),
        Collections.list(http.getHeaders(ConnectBodies.FORWARDED_FOR)));
  }

  /** A query parameter as the gateway reads it: absent when missing or blank. */
  static Optional<String> query(HttpServletRequest http, String name) {
    return Optional.ofNullable(http.getParameter(name)).filter(value -> !value.isBlank());
  }
}
