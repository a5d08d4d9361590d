package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.internal.json.Json;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A response to send: status, optional JSON body, extra headers.
 *
 * @param body null for no body (e.g. 204)
 */
record Reply(int status, JsonNode body, Map<String, String> headers) {
  Reply {
    headers = Map.copyOf(headers);
  }

  static Reply json(int status, JsonNode body) {
    return new Reply(status, body, Map.of());
  }

  static Reply error(int status, String message) {
    return json(status, Json.error(message));
  }

  static Reply noContent() {
    return new Reply(HttpStatus.NO_CONTENT, null, Map.of());
  }

  boolean successful() {
    return status >= HttpStatus.OK && status < HttpStatus.MULTIPLE_CHOICES;
  }
}
