package dev.avatargateway.simulator.internal.validation;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Validates a {@code POST /v1/realtime_sessions} body against every constraint of runway-api.md
 * §2.1 and the OAS request schema (runway-realtime-sessions.subset.json), collecting all issues the
 * way Zod does.
 *
 * <p>Unknown keys are rejected at every object level (ASSUMPTION: the live API answered
 * "Unrecognized key: livekit" when that key was not yet in its schema, client-contract.md §6.16,
 * i.e. the schema is Zod-strict). The deprecated top-level {@code livekit} object is accepted,
 * because the current OAS (2026-08) declares it.
 */
public final class CreateSessionValidator {
  /** runway-api.md §1: the UUID v4 pattern of the OAS, for ids in bodies and paths. */
  public static final Pattern UUID_V4 =
      Pattern.compile(
          "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$");

  // runway-api.md §2.1.2: tool and parameter names.
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");

  // runway-api.md §2.1.1: the complete preset list (9 values, OAS and SDK agree).
  private static final List<String> PRESET_IDS =
      List.of(
          "game-character",
          "music-superstar",
          "game-character-man",
          "cat-character",
          "influencer",
          "tennis-coach",
          "human-resource",
          "fashion-designer",
          "cooking-teacher");
  private static final List<String> ARRAY_ITEM_TYPES =
      List.of("string", "integer", "number", "boolean");

  private static final String MODEL = "gwm1_avatars";
  private static final int MIN_MAX_DURATION = 10;
  private static final int MAX_MAX_DURATION = 1800;
  private static final int MAX_PERSONALITY = 10_000;
  private static final int MAX_START_SCRIPT = 2_000;
  private static final int MAX_TOOLS = 20;
  private static final int MAX_NAME = 64;
  private static final int MAX_DESCRIPTION = 1_024;
  private static final int MAX_PARAMETERS = 20;
  private static final int MAX_ENUM_VALUES = 20;
  private static final int MAX_ENUM_VALUE_LENGTH = 64;
  private static final int MAX_OBJECT_PROPERTIES = 20;
  private static final int MIN_RPC_TIMEOUT = 1;
  private static final int MAX_RPC_TIMEOUT = 8;
  private static final int MAX_LIVEKIT_TOKEN = 2_048;
  private static final int MAX_LIVEKIT_NAME = 256;

  private final List<Issue> issues = new ArrayList<>();
  private Optional<Integer> maxDuration = Optional.empty();
  private Optional<String> customAvatarId = Optional.empty();

  private CreateSessionValidator() {}

  /** Validates a parsed JSON body. */
  public static Validation validate(JsonNode body) {
    CreateSessionValidator v = new CreateSessionValidator();
    v.root(body);
    return new Validation(v.issues, v.maxDuration, v.customAvatarId);
  }

  private void root(JsonNode body) {
    List<Object> p = List.of();
    if (!isObject(body, p)) {
      return;
    }
    JsonNode model = body.get("model");
    if (model == null || !model.isString() || !MODEL.equals(model.stringValue())) {
      issues.add(
          issue(
              "invalid_value",
              path(p, "model"),
              "Invalid input: expected \"" + MODEL + "\"",
              Map.of("values", List.of(MODEL))));
    }
    avatar(body.get("avatar"), path(p, "avatar"));
    optional(body, "maxDuration", p, this::maxDuration);
    optional(body, "personality", p, (n, q) -> string(n, q, 1, MAX_PERSONALITY, null));
    optional(body, "startScript", p, (n, q) -> string(n, q, 1, MAX_START_SCRIPT, null));
    optional(body, "tools", p, this::tools);
    optional(body, "integration", p, this::integration);
    optional(body, "livekit", p, (n, q) -> livekit(n, q, false));
    strict(
        body,
        p,
        Set.of(
            "model",
            "avatar",
            "maxDuration",
            "personality",
            "startScript",
            "tools",
            "integration",
            "livekit"));
  }

  private void avatar(JsonNode node, List<Object> p) {
    String type = discriminator(node, p, List.of("runway-preset", "custom"));
    if (type == null) {
      return;
    }
    if (type.equals("runway-preset")) {
      JsonNode preset = node.get("presetId");
      if (preset == null || !preset.isString() || !PRESET_IDS.contains(preset.stringValue())) {
        issues.add(enumIssue(path(p, "presetId"), PRESET_IDS));
      }
      strict(node, p, Set.of("type", "presetId"));
    } else {
      JsonNode id = node.get("avatarId");
      List<Object> idPath = path(p, "avatarId");
      if (isString(id, idPath)) {
        if (UUID_V4.matcher(id.stringValue()).matches()) {
          customAvatarId = Optional.of(id.stringValue());
        } else {
          issues.add(
              issue(
                  "invalid_format",
                  idPath,
                  "Invalid UUID",
                  Map.of("format", "uuid", "origin", "string")));
        }
      }
      strict(node, p, Set.of("type", "avatarId"));
    }
  }

  private void maxDuration(JsonNode node, List<Object> p) {
    if (!node.isNumber()) {
      issues.add(typeIssue(p, "number", node));
      return;
    }
    if (!isIntegral(node)) {
      issues.add(
          issue(
              "invalid_type",
              p,
              "Invalid input: expected int, received number",
              Map.of("expected", "int")));
      return;
    }
    double value = node.doubleValue();
    boolean ok = range(p, value, MIN_MAX_DURATION, MAX_MAX_DURATION);
    if (ok) {
      maxDuration = Optional.of((int) value);
    }
  }

  private void tools(JsonNode node, List<Object> p) {
    if (!isArray(node, p, MAX_TOOLS)) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      List<Object> tp = path(p, i);
      JsonNode tool = node.get(i);
      String type = discriminator(tool, tp, List.of("client_event", "backend_rpc"));
      if (type == null) {
        continue;
      }
      JsonNode name = tool.get("name");
      string(name, path(tp, "name"), 1, MAX_NAME, NAME);
      // runway-api.md §6 / DOCS tools reference: tool names must be unique within a session.
      if (name != null && name.isString() && !seen.add(name.stringValue())) {
        issues.add(
            issue(
                "custom",
                path(tp, "name"),
                "Tool names must be unique: \"" + name.stringValue() + "\" is repeated",
                Map.of()));
      }
      string(tool.get("description"), path(tp, "description"), 1, MAX_DESCRIPTION, null);
      optional(tool, "parameters", tp, this::parameters);
      if (type.equals("backend_rpc")) {
        optional(tool, "timeoutSeconds", tp, this::timeoutSeconds);
        strict(tool, tp, Set.of("type", "name", "description", "parameters", "timeoutSeconds"));
      } else {
        strict(tool, tp, Set.of("type", "name", "description", "parameters"));
      }
    }
  }

  private void timeoutSeconds(JsonNode node, List<Object> p) {
    if (!node.isNumber()) {
      issues.add(typeIssue(p, "number", node));
      return;
    }
    range(p, node.doubleValue(), MIN_RPC_TIMEOUT, MAX_RPC_TIMEOUT);
  }

  private void parameters(JsonNode node, List<Object> p) {
    if (!isArray(node, p, MAX_PARAMETERS)) {
      return;
    }
    for (int i = 0; i < node.size(); i++) {
      List<Object> pp = path(p, i);
      JsonNode param = node.get(i);
      String type =
          discriminator(
              param, pp, List.of("string", "integer", "number", "boolean", "array", "object"));
      if (type == null) {
        continue;
      }
      string(param.get("name"), path(pp, "name"), 1, MAX_NAME, NAME);
      string(param.get("description"), path(pp, "description"), 1, MAX_DESCRIPTION, null);
      optional(
          param,
          "required",
          pp,
          (n, q) -> {
            if (!n.isBoolean()) {
              issues.add(typeIssue(q, "boolean", n));
            }
          });
      Set<String> allowed = new HashSet<>(Set.of("type", "name", "description", "required"));
      switch (type) {
        case "string" -> {
          optional(param, "enum", pp, this::enumValues);
          allowed.add("enum");
        }
        case "array" -> {
          arrayItems(param.get("items"), path(pp, "items"));
          allowed.add("items");
        }
        case "object" -> {
          JsonNode props = param.get("properties");
          List<Object> propsPath = path(pp, "properties");
          if (props == null) {
            issues.add(typeIssue(propsPath, "array", null));
          } else {
            isArray(props, propsPath, MAX_OBJECT_PROPERTIES);
          }
          allowed.add("properties");
        }
        default -> {
          // integer, number, boolean: no extra fields (runway-api.md §2.1.2).
        }
      }
      strict(param, pp, allowed);
    }
  }

  private void enumValues(JsonNode node, List<Object> p) {
    if (!isArray(node, p, MAX_ENUM_VALUES)) {
      return;
    }
    for (int i = 0; i < node.size(); i++) {
      string(node.get(i), path(p, i), 0, MAX_ENUM_VALUE_LENGTH, null);
    }
  }

  private void arrayItems(JsonNode node, List<Object> p) {
    if (!isObject(node, p)) {
      return;
    }
    JsonNode type = node.get("type");
    if (type == null || !type.isString() || !ARRAY_ITEM_TYPES.contains(type.stringValue())) {
      issues.add(enumIssue(path(p, "type"), ARRAY_ITEM_TYPES));
    }
    strict(node, p, Set.of("type"));
  }

  private void integration(JsonNode node, List<Object> p) {
    String type = discriminator(node, p, List.of("elevenlabs", "livekit"));
    if (type == null) {
      return;
    }
    if (type.equals("elevenlabs")) {
      url(node.get("signedUrl"), path(p, "signedUrl"));
      strict(node, p, Set.of("type", "signedUrl"));
    } else {
      livekit(node, p, true);
    }
  }

  private void livekit(JsonNode node, List<Object> p, boolean typed) {
    if (!typed && !isObject(node, p)) {
      return;
    }
    url(node.get("url"), path(p, "url"));
    string(node.get("token"), path(p, "token"), 1, MAX_LIVEKIT_TOKEN, null);
    string(node.get("roomName"), path(p, "roomName"), 1, MAX_LIVEKIT_NAME, null);
    optional(node, "agentIdentity", p, (n, q) -> string(n, q, 1, MAX_LIVEKIT_NAME, null));
    strict(
        node,
        p,
        typed
            ? Set.of("type", "url", "token", "roomName", "agentIdentity")
            : Set.of("url", "token", "roomName", "agentIdentity"));
  }

  // ---------------------------------------------------------------- primitives

  /**
   * Checks a discriminated union's object and tag.
   *
   * @return the tag, or null when an issue was recorded
   */
  private String discriminator(JsonNode node, List<Object> p, List<String> tags) {
    if (!isObject(node, p)) {
      return null;
    }
    JsonNode type = node.get("type");
    if (type == null || !type.isString() || !tags.contains(type.stringValue())) {
      // Zod 4 discriminatedUnion: one invalid_union issue at the discriminator's path.
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("errors", List.of());
      details.put("note", "No matching discriminator");
      details.put("discriminator", "type");
      issues.add(issue("invalid_union", path(p, "type"), "Invalid input", details));
      return null;
    }
    return type.stringValue();
  }

  private void string(JsonNode node, List<Object> p, int min, int max, Pattern pattern) {
    if (!isString(node, p)) {
      return;
    }
    String s = node.stringValue();
    if (s.length() < min) {
      issues.add(
          issue(
              "too_small",
              p,
              "Too small: expected string to have >=" + min + " characters",
              Map.of("origin", "string", "minimum", min, "inclusive", true)));
    }
    if (s.length() > max) {
      issues.add(
          issue(
              "too_big",
              p,
              "Too big: expected string to have <=" + max + " characters",
              Map.of("origin", "string", "maximum", max, "inclusive", true)));
    }
    if (pattern != null && !pattern.matcher(s).matches()) {
      issues.add(
          issue(
              "invalid_format",
              p,
              "Invalid string: must match pattern /" + pattern.pattern() + "/",
              Map.of("origin", "string", "format", "regex", "pattern", pattern.pattern())));
    }
  }

  private void url(JsonNode node, List<Object> p) {
    if (!isString(node, p)) {
      return;
    }
    boolean ok;
    try {
      URI uri = new URI(node.stringValue());
      ok = uri.isAbsolute() && uri.getSchemeSpecificPart() != null;
    } catch (URISyntaxException e) {
      ok = false;
    }
    if (!ok) {
      issues.add(
          issue("invalid_format", p, "Invalid URL", Map.of("origin", "string", "format", "url")));
    }
  }

  private boolean range(List<Object> p, double value, int min, int max) {
    if (value < min) {
      issues.add(
          issue(
              "too_small",
              p,
              "Too small: expected number to be >=" + min,
              Map.of("origin", "number", "minimum", min, "inclusive", true)));
      return false;
    }
    if (value > max) {
      issues.add(
          issue(
              "too_big",
              p,
              "Too big: expected number to be <=" + max,
              Map.of("origin", "number", "maximum", max, "inclusive", true)));
      return false;
    }
    return true;
  }

  private boolean isObject(JsonNode node, List<Object> p) {
    if (node == null || !node.isObject()) {
      issues.add(typeIssue(p, "object", node));
      return false;
    }
    return true;
  }

  private boolean isString(JsonNode node, List<Object> p) {
    if (node == null || !node.isString()) {
      issues.add(typeIssue(p, "string", node));
      return false;
    }
    return true;
  }

  private boolean isArray(JsonNode node, List<Object> p, int maxItems) {
    if (node == null || !node.isArray()) {
      issues.add(typeIssue(p, "array", node));
      return false;
    }
    if (node.size() > maxItems) {
      issues.add(
          issue(
              "too_big",
              p,
              "Too big: expected array to have <=" + maxItems + " items",
              Map.of("origin", "array", "maximum", maxItems, "inclusive", true)));
    }
    return true;
  }

  private void strict(JsonNode node, List<Object> p, Set<String> known) {
    List<String> unknown = new ArrayList<>();
    for (String name : node.propertyNames()) {
      if (!known.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      String listed = unknown.stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(", "));
      issues.add(
          issue(
              "unrecognized_keys",
              p,
              (unknown.size() == 1 ? "Unrecognized key: " : "Unrecognized keys: ") + listed,
              Map.of("keys", unknown)));
    }
  }

  private void optional(JsonNode parent, String name, List<Object> p, Check check) {
    JsonNode child = parent.get(name);
    if (child != null) {
      check.apply(child, path(p, name));
    }
  }

  private static boolean isIntegral(JsonNode node) {
    if (node.isIntegralNumber()) {
      return true;
    }
    // JSON has no integer type: 300.0 is the integer 300 to a JavaScript (Zod) server.
    double d = node.doubleValue();
    return Double.isFinite(d) && d == Math.rint(d);
  }

  private static Issue enumIssue(List<Object> p, List<String> values) {
    String listed = values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining("|"));
    return issue(
        "invalid_value", p, "Invalid option: expected one of " + listed, Map.of("values", values));
  }

  private static Issue typeIssue(List<Object> p, String expected, JsonNode actual) {
    return issue(
        "invalid_type",
        p,
        "Invalid input: expected " + expected + ", received " + jsType(actual),
        Map.of("expected", expected));
  }

  private static String jsType(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "undefined";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isArray()) {
      return "array";
    }
    if (node.isObject()) {
      return "object";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    return "string";
  }

  private static Issue issue(
      String code, List<Object> p, String message, Map<String, Object> details) {
    return new Issue(code, p, message, details);
  }

  private static List<Object> path(List<Object> base, Object segment) {
    List<Object> p = new ArrayList<>(base.size() + 1);
    p.addAll(base);
    p.add(segment);
    return p;
  }

  @FunctionalInterface
  private interface Check {
    void apply(JsonNode node, List<Object> path);
  }
}
