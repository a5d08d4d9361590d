package dev.avatargateway.spring.internal.web;

import tools.jackson.databind.json.JsonMapper;

/** JSON text of the endpoints' own answers. */
final class JsonText {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private JsonText() {}

  static String write(Object value) {
    return MAPPER.writeValueAsString(value);
  }
}
