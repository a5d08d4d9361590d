package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connect request body (client-contract.md §1.1, §1.2): {@code {"avatarId": "..."}}, {@code
 * {"customAvatarId": "..."}}, or empty. Unknown fields are ignored: clients send extras (the
 * playground sends an {@code apiKey}, which is ignored and never logged).
 *
 * @param avatarId a preset id or a custom avatar's UUID
 * @param customAvatarId a custom avatar's UUID
 */
record ConnectBody(Optional<String> avatarId, Optional<String> customAvatarId) {
  /** As the core's value. */
  AvatarChoice choice() {
    return new AvatarChoice(avatarId, customAvatarId);
  }

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** Parses a body; an empty one (or {@code {}}) asks for the default avatar. */
  static ConnectBody parse(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return new ConnectBody(Optional.empty(), Optional.empty());
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw new GatewayException(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST,
          "The request body must be a JSON object such as {\"avatarId\": \"...\"}.");
    }
    return new ConnectBody(text(root, "avatarId"), text(root, "customAvatarId"));
  }

  private static Optional<String> text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isString() || value.asString().isBlank()) {
      throw new GatewayException(ErrorCode.INVALID_REQUEST, field + " must be a non-empty string.");
    }
    return Optional.of(value.asString());
  }
}
