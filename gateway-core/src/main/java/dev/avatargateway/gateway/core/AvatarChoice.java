package dev.avatargateway.gateway.core;

import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which avatar the browser asked for (client-contract.md §1.1): a preset or custom id in {@code
 * avatarId}, a custom id in {@code customAvatarId}, or neither for the configured default.
 *
 * @param avatarId the body's {@code avatarId}
 * @param customAvatarId the body's {@code customAvatarId}
 */
public record AvatarChoice(Optional<String> avatarId, Optional<String> customAvatarId) {
  /** Neither: the configured default avatar. */
  public static final AvatarChoice DEFAULT = new AvatarChoice(Optional.empty(), Optional.empty());

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /**
   * The choice in a connect request body (client-contract.md §1.1, §1.2): {@code {"avatarId":
   * "..."}}, {@code {"customAvatarId": "..."}}, or empty (or {@code {}}) for the default avatar.
   * Unknown fields are ignored: clients send extras (the playground sends an {@code apiKey}, which
   * is ignored and never logged). Every adapter reads bodies through this, so that they answer the
   * same body the same way.
   *
   * @param body the body as text (UTF-8)
   * @throws GatewayException {@link ErrorCode#INVALID_REQUEST} for a body that is not a JSON
   *     object, or whose ids are not non-empty strings
   */
  public static AvatarChoice parseJson(String body) {
    if (body.isBlank()) {
      return DEFAULT;
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw new GatewayException(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST,
          "The request body must be a JSON object such as {\"avatarId\": \"...\"}.");
    }
    return new AvatarChoice(text(root, "avatarId"), text(root, "customAvatarId"));
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
