package dev.avatargateway.gateway.internal.http;

import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Writes the gateway's JSON answers. */
final class Json {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static String write(Map<String, ?> members) {
    return MAPPER.writeValueAsString(members);
  }

  static String write(Object value) {
    return MAPPER.writeValueAsString(value);
  }
}
