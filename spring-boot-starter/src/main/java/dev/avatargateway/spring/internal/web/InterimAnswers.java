package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RenderedAnswer;
import java.util.LinkedHashMap;
import java.util.Map;

/** INTERIM until core's JsonAnswers lands: the gateway's ConnectAnswers, as it renders. */
public final class InterimAnswers implements AnswerRenderer {
  private final String sessionsPath;

  public InterimAnswers(String sessionsPath) {
    this.sessionsPath = sessionsPath;
  }

  @Override
  public RenderedAnswer success(ConnectResult result) {
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
    return new RenderedAnswer(200, JsonText.write(body), Map.of());
  }

  @Override
  public RenderedAnswer failure(GatewayException failure, String requestId) {
    Map<String, String> headers = new LinkedHashMap<>();
    failure
        .retryAfter()
        .ifPresent(
            d ->
                headers.put(
                    "Retry-After",
                    Long.toString(Math.max(1, d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0)))));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", failure.getMessage());
    body.put("code", failure.code().code());
    body.put("requestId", requestId);
    body.putAll(failure.details());
    return new RenderedAnswer(failure.code().status(), JsonText.write(body), headers);
  }

  @Override
  public RenderedAnswer started(String id) {
    String location = sessionsPath + "/" + id;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("events", location + "/events");
    return new RenderedAnswer(202, JsonText.write(body), Map.of("Location", location));
  }
}
