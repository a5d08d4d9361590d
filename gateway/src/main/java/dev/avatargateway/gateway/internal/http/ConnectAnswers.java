package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RenderedAnswer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connect's answers as they are sent: the one rendering used both to answer and to store the
 * answer of an idempotent start, so that a replay is the same bytes. Only headers that belong to
 * the answer itself are part of it ({@code Retry-After}, an asynchronous start's {@code Location});
 * per-request ones ({@code X-Request-Id}, CORS, {@code WWW-Authenticate} of an authentication
 * failure, which is never stored) are not.
 */
public final class ConnectAnswers implements AnswerRenderer {
  @Override
  public RenderedAnswer success(ConnectResult result) {
    return new RenderedAnswer(200, Json.write(body(result)), Map.of());
  }

  @Override
  public RenderedAnswer failure(GatewayException failure, String requestId) {
    Map<String, String> headers = new LinkedHashMap<>();
    failure
        .retryAfter()
        .ifPresent(d -> headers.put("Retry-After", Long.toString(HttpApi.retryAfterSeconds(d))));
    return new RenderedAnswer(
        failure.code().status(), Json.write(ErrorBody.of(failure, requestId)), headers);
  }

  @Override
  public RenderedAnswer started(String id) {
    String location = SessionRoutes.SESSIONS + "/" + id;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("events", location + "/events");
    return new RenderedAnswer(202, Json.write(body), Map.of("Location", location));
  }

  /**
   * {@code {sessionId, serverUrl, token, roomName}} or {@code {sessionId, sessionKey[, baseUrl]}}.
   */
  static Map<String, Object> body(ConnectResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", result.sessionId());
    switch (result) {
      case ConnectResult.Credentials credentials -> {
        body.put("serverUrl", credentials.serverUrl());
        body.put("token", credentials.token());
        body.put("roomName", credentials.roomName());
      }
      case ConnectResult.SessionKey key -> {
        body.put("sessionKey", key.sessionKey());
        key.baseUrl().ifPresent(url -> body.put("baseUrl", url));
      }
    }
    return body;
  }
}
