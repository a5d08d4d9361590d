package dev.avatargateway.simulator.internal.json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The module's one JSON mapper and the wire timestamp format. */
public final class Json {
  /** Thread-safe once built; shared by every request. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  // runway-api.md §1: ISO-8601 UTC with a literal Z; millisecond precision as in the live API's
  // observed timestamps (e.g. 2026-11-23T22:23:19.129Z).
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Json() {}

  public static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** {@code {"error": message}}, the error shape of runway-api.md §4.1. */
  public static ObjectNode error(String message) {
    return object().put("error", message);
  }

  public static byte[] bytes(JsonNode node) {
    return MAPPER.writeValueAsBytes(node);
  }
}
