package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hand-written conversation and usage fixtures have exactly the shapes of Runway's OpenAPI
 * document (its copy in src/test/resources/upstream), so that the client tests built on them test
 * the contract and not our reading of it. Checks the schema keywords those schemas use: {@code
 * type}, {@code properties}, {@code required}, {@code additionalProperties: false}, {@code anyOf},
 * {@code oneOf}, {@code const}, {@code enum}, {@code items}, {@code pattern}, {@code maxItems}.
 */
class FixturesMatchTheSpecTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final JsonNode PATHS =
      MAPPER.readTree(Fixtures.upstream("avatar-conversations.openapi.json")).get("paths");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "avatar-conversation-ended.json, /v1/avatar_conversations/{id}",
    "avatar-conversation-in-progress.json, /v1/avatar_conversations/{id}",
    "avatar-conversation-failed.json, /v1/avatar_conversations/{id}",
    "avatar-conversations-page-1.json, /v1/avatar_conversations",
    "avatar-conversations-page-2.json, /v1/avatar_conversations",
    "avatar-usage.json, /v1/avatar_usage",
  })
  void eachFixtureMatchesItsResponseSchema(String fixture, String path) {
    JsonNode schema = responseSchema(path);
    List<String> problems = new ArrayList<>();

    check(schema, MAPPER.readTree(Fixtures.upstream(fixture)), "$", problems);

    assertThat(problems).isEmpty();
  }

  @Test
  void theCheckerRejectsWhatTheSchemaForbids() {
    ObjectNode extra = (ObjectNode) MAPPER.readTree(Fixtures.upstream("avatar-usage.json"));
    extra.put("unexpected", 1);
    extra.remove("byDay");
    ObjectNode badStatus =
        (ObjectNode) MAPPER.readTree(Fixtures.upstream("avatar-conversation-ended.json"));
    badStatus.put("status", "cancelled");
    List<String> problems = new ArrayList<>();

    check(responseSchema("/v1/avatar_usage"), extra, "$", problems);
    check(responseSchema("/v1/avatar_conversations/{id}"), badStatus, "$", problems);

    assertThat(String.join("\n", problems))
        .contains("$: unexpected member 'unexpected'", "$: missing 'byDay'", "$: matches no oneOf");
  }

  private static JsonNode responseSchema(String path) {
    return PATHS
        .get(path)
        .get("get")
        .get("responses")
        .get("200")
        .get("content")
        .get("application/json")
        .get("schema");
  }

  private static void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
    if (schema.has("anyOf") || schema.has("oneOf")) {
      String keyword = schema.has("anyOf") ? "anyOf" : "oneOf";
      int matches = 0;
      for (JsonNode option : schema.get(keyword)) {
        List<String> mine = new ArrayList<>();
        check(option, value, at, mine);
        matches += mine.isEmpty() ? 1 : 0;
      }
      if (matches == 0 || (keyword.equals("oneOf") && matches > 1)) {
        problems.add(at + ": matches " + (matches == 0 ? "no " : "more than one ") + keyword);
      }
    }
    if (schema.has("const") && !schema.get("const").equals(value)) {
      problems.add(at + ": is not " + schema.get("const"));
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    if (schema.has("type") && !hasType(value, schema.get("type").asString())) {
      problems.add(at + ": is not of type " + schema.get("type").asString());
      return;
    }
    if (schema.has("pattern")
        && value.isString()
        && !Pattern.compile(schema.get("pattern").asString()).matcher(value.asString()).find()) {
      problems.add(at + ": '" + value.asString() + "' does not match " + schema.get("pattern"));
    }
    if (value.isObject() && schema.has("properties")) {
      checkObject(schema, value, at, problems);
    }
    if (value.isArray() && schema.has("items")) {
      if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
        problems.add(at + ": more than " + schema.get("maxItems") + " items");
      }
      for (int i = 0; i < value.size(); i++) {
        check(schema.get("items"), value.get(i), at + "[" + i + "]", problems);
      }
    }
  }

  private static void checkObject(
      JsonNode schema, JsonNode value, String at, List<String> problems) {
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asString())) {
        problems.add(at + ": missing '" + required.asString() + "'");
      }
    }
    for (Map.Entry<String, JsonNode> member : value.properties()) {
      JsonNode property = schema.get("properties").get(member.getKey());
      if (property == null) {
        if (schema.path("additionalProperties").isBoolean()
            && !schema.get("additionalProperties").asBoolean()) {
          problems.add(at + ": unexpected member '" + member.getKey() + "'");
        }
      } else {
        check(property, member.getValue(), at + "." + member.getKey(), problems);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isString();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> throw new IllegalArgumentException("unsupported type " + type);
    };
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode candidate : values) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
