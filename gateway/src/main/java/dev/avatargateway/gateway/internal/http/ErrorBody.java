package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON of every error answer: {@code {"error", "code", "requestId"}} and any details. */
final class ErrorBody {
  private ErrorBody() {}

  /** The members of the answer to {@code e}, in the documented order. */
  static Map<String, Object> of(GatewayException e, String requestId) {
    Map<String, Object> body = of(e.code(), e.getMessage(), requestId);
    body.putAll(e.details());
    return body;
  }

  /** The members of an answer with this code and sentence. */
  static Map<String, Object> of(ErrorCode code, String message, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("code", code.code());
    body.put("requestId", requestId);
    return body;
  }
}
