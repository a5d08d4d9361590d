package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Every constraint of runway-api.md §2.1 / the OAS create schema, one failing case at least. */
class CreateValidationTest {
  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(SimulatorConfig.defaults());

  private static final String UUID_V1 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

  /** A body that uses every optional member, each at an ordinary value. */
  static ObjectNode fullBody() {
    ObjectNode b = TestApi.JSON.createObjectNode();
    b.put("model", "gwm1_avatars");
    b.putObject("avatar").put("type", "runway-preset").put("presetId", "cooking-teacher");
    b.put("maxDuration", 120);
    b.put("personality", "You are Marco, a cooking teacher.");
    b.put("startScript", "Ciao! What shall we cook?");
    ArrayNode tools = b.putArray("tools");
    ObjectNode show = tools.addObject();
    show.put("type", "client_event").put("name", "show_recipe").put("description", "Show it");
    ArrayNode params = show.putArray("parameters");
    params
        .addObject()
        .put("type", "string")
        .put("name", "dish")
        .put("description", "Which dish")
        .put("required", true)
        .putArray("enum")
        .add("pasta")
        .add("risotto");
    params
        .addObject()
        .put("type", "integer")
        .put("name", "servings")
        .put("description", "How many");
    params.addObject().put("type", "number").put("name", "scale").put("description", "Factor");
    params.addObject().put("type", "boolean").put("name", "vegan").put("description", "Vegan?");
    params
        .addObject()
        .put("type", "array")
        .put("name", "extras")
        .put("description", "Extras")
        .putObject("items")
        .put("type", "string");
    ObjectNode obj =
        params.addObject().put("type", "object").put("name", "notes").put("description", "Notes");
    obj.putArray("properties").addObject().put("anything", "goes");
    ObjectNode lookup = tools.addObject();
    lookup
        .put("type", "backend_rpc")
        .put("name", "lookup_stock")
        .put("description", "Check the pantry")
        .put("timeoutSeconds", 4);
    b.putObject("integration")
        .put("type", "livekit")
        .put("url", "wss://example.livekit.cloud")
        .put("token", "eyJ.token")
        .put("roomName", "room-1")
        .put("agentIdentity", "agent-1");
    return b;
  }

  @Test
  void acceptsABodyUsingEveryOptionalMember() {
    Response r = api().createRaw(fullBody().toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  static Stream<Arguments> validVariants() {
    return Stream.of(
        valid("minimal preset body", b -> retain(b, "model", "avatar")),
        valid("maxDuration 10", b -> b.put("maxDuration", 10)),
        valid("maxDuration 1800", b -> b.put("maxDuration", 1800)),
        valid("maxDuration 300.0 (JSON has no integer type)", b -> b.put("maxDuration", 300.0)),
        valid("personality of 10000 chars", b -> b.put("personality", "p".repeat(10_000))),
        valid("startScript of 2000 chars", b -> b.put("startScript", "s".repeat(2_000))),
        valid("20 tools", b -> b.set("tools", tools(20))),
        valid("empty tools", b -> b.putArray("tools")),
        valid("tool name of 64 chars", b -> tool(b, 0).put("name", "_" + "a".repeat(63))),
        valid("description of 1024 chars", b -> tool(b, 0).put("description", "d".repeat(1024))),
        valid("timeoutSeconds 1", b -> tool(b, 1).put("timeoutSeconds", 1)),
        valid("timeoutSeconds 8", b -> tool(b, 1).put("timeoutSeconds", 8)),
        valid("timeoutSeconds 2.5", b -> tool(b, 1).put("timeoutSeconds", 2.5)),
        valid("20 parameters", b -> tool(b, 1).set("parameters", params(20))),
        valid("enum of 20 values of 64 chars", b -> param(b, 0).set("enum", strings(20, 64))),
        valid("object with 20 properties", b -> param(b, 5).set("properties", strings(20, 1))),
        valid(
            "elevenlabs integration",
            b ->
                b.putObject("integration")
                    .put("type", "elevenlabs")
                    .put("signedUrl", "wss://api.elevenlabs.io/v1/convai?token=x")),
        valid(
            "livekit integration without agentIdentity",
            b -> ((ObjectNode) b.get("integration")).remove("agentIdentity")),
        valid(
            "deprecated livekit object (declared by the OAS)",
            b -> {
              b.remove("integration");
              b.putObject("livekit")
                  .put("url", "wss://x.livekit.cloud")
                  .put("token", "t")
                  .put("roomName", "r");
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validVariants")
  void acceptsBoundaryValues(String name, Consumer<ObjectNode> change) {
    ObjectNode body = fullBody();
    change.accept(body);
    Response r = api().createRaw(body.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        // model
        bad("model missing", b -> b.remove("model"), "invalid_value", "model"),
        bad("model other", b -> b.put("model", "gen4_turbo"), "invalid_value", "model"),
        bad("model not a string", b -> b.put("model", 1), "invalid_value", "model"),
        // avatar
        bad("avatar missing", b -> b.remove("avatar"), "invalid_type", "avatar"),
        bad("avatar a string", b -> b.put("avatar", "influencer"), "invalid_type", "avatar"),
        bad(
            "avatar type unknown",
            b -> avatar(b).put("type", "stock"),
            "invalid_union",
            "avatar",
            "type"),
        bad(
            "avatar type missing",
            b -> avatar(b).remove("type"),
            "invalid_union",
            "avatar",
            "type"),
        bad(
            "presetId not in the enum",
            b -> avatar(b).put("presetId", "mochi"),
            "invalid_value",
            "avatar",
            "presetId"),
        bad(
            "presetId missing",
            b -> avatar(b).remove("presetId"),
            "invalid_value",
            "avatar",
            "presetId"),
        bad(
            "avatar with an unknown key",
            b -> avatar(b).put("avatarId", "x"),
            "unrecognized_keys",
            "avatar"),
        bad(
            "custom avatarId not a uuid",
            b -> b.putObject("avatar").put("type", "custom").put("avatarId", "ada"),
            "invalid_format",
            "avatar",
            "avatarId"),
        bad(
            "custom avatarId a v1 uuid",
            b -> b.putObject("avatar").put("type", "custom").put("avatarId", UUID_V1),
            "invalid_format",
            "avatar",
            "avatarId"),
        bad(
            "custom avatarId missing",
            b -> b.putObject("avatar").put("type", "custom"),
            "invalid_type",
            "avatar",
            "avatarId"),
        // maxDuration
        bad("maxDuration 9", b -> b.put("maxDuration", 9), "too_small", "maxDuration"),
        bad("maxDuration 1801", b -> b.put("maxDuration", 1801), "too_big", "maxDuration"),
        bad("maxDuration 60.5", b -> b.put("maxDuration", 60.5), "invalid_type", "maxDuration"),
        bad("maxDuration a string", b -> b.put("maxDuration", "60"), "invalid_type", "maxDuration"),
        bad("maxDuration null", b -> b.putNull("maxDuration"), "invalid_type", "maxDuration"),
        // personality, startScript
        bad("personality empty", b -> b.put("personality", ""), "too_small", "personality"),
        bad(
            "personality 10001 chars",
            b -> b.put("personality", "p".repeat(10_001)),
            "too_big",
            "personality"),
        bad("personality a number", b -> b.put("personality", 5), "invalid_type", "personality"),
        bad("startScript empty", b -> b.put("startScript", ""), "too_small", "startScript"),
        bad(
            "startScript 2001 chars",
            b -> b.put("startScript", "s".repeat(2_001)),
            "too_big",
            "startScript"),
        // tools
        bad("tools an object", b -> b.putObject("tools"), "invalid_type", "tools"),
        bad("21 tools", b -> b.set("tools", tools(21)), "too_big", "tools"),
        bad(
            "tool type unknown",
            b -> tool(b, 0).put("type", "mcp"),
            "invalid_union",
            "tools",
            0,
            "type"),
        bad(
            "tool not an object",
            b -> ((ArrayNode) b.get("tools")).set(0, TestApi.JSON.getNodeFactory().stringNode("x")),
            "invalid_type",
            "tools",
            0),
        bad(
            "tool name missing",
            b -> tool(b, 0).remove("name"),
            "invalid_type",
            "tools",
            0,
            "name"),
        bad("tool name empty", b -> tool(b, 0).put("name", ""), "too_small", "tools", 0, "name"),
        bad(
            "tool name 65 chars",
            b -> tool(b, 0).put("name", "a".repeat(65)),
            "too_big",
            "tools",
            0,
            "name"),
        bad(
            "tool name starts with a digit",
            b -> tool(b, 0).put("name", "1st"),
            "invalid_format",
            "tools",
            0,
            "name"),
        bad(
            "tool name with a dash",
            b -> tool(b, 1).put("name", "lookup-stock"),
            "invalid_format",
            "tools",
            1,
            "name"),
        bad(
            "tool names repeated",
            b -> tool(b, 1).put("name", "show_recipe"),
            "custom",
            "tools",
            1,
            "name"),
        bad(
            "tool description missing",
            b -> tool(b, 0).remove("description"),
            "invalid_type",
            "tools",
            0,
            "description"),
        bad(
            "tool description empty",
            b -> tool(b, 0).put("description", ""),
            "too_small",
            "tools",
            0,
            "description"),
        bad(
            "tool description 1025 chars",
            b -> tool(b, 0).put("description", "d".repeat(1_025)),
            "too_big",
            "tools",
            0,
            "description"),
        bad(
            "client_event with timeoutSeconds",
            b -> tool(b, 0).put("timeoutSeconds", 4),
            "unrecognized_keys",
            "tools",
            0),
        bad(
            "tool with an unknown key",
            b -> tool(b, 1).put("handler", "x"),
            "unrecognized_keys",
            "tools",
            1),
        bad(
            "timeoutSeconds 0.5",
            b -> tool(b, 1).put("timeoutSeconds", 0.5),
            "too_small",
            "tools",
            1,
            "timeoutSeconds"),
        bad(
            "timeoutSeconds 9",
            b -> tool(b, 1).put("timeoutSeconds", 9),
            "too_big",
            "tools",
            1,
            "timeoutSeconds"),
        bad(
            "timeoutSeconds a string",
            b -> tool(b, 1).put("timeoutSeconds", "4"),
            "invalid_type",
            "tools",
            1,
            "timeoutSeconds"),
        // parameters
        bad(
            "parameters an object",
            b -> tool(b, 0).putObject("parameters"),
            "invalid_type",
            "tools",
            0,
            "parameters"),
        bad(
            "21 parameters",
            b -> tool(b, 0).set("parameters", params(21)),
            "too_big",
            "tools",
            0,
            "parameters"),
        bad(
            "parameter type unknown",
            b -> param(b, 0).put("type", "date"),
            "invalid_union",
            "tools",
            0,
            "parameters",
            0,
            "type"),
        bad(
            "parameter name with a space",
            b -> param(b, 1).put("name", "two words"),
            "invalid_format",
            "tools",
            0,
            "parameters",
            1,
            "name"),
        bad(
            "parameter name 65 chars",
            b -> param(b, 1).put("name", "n".repeat(65)),
            "too_big",
            "tools",
            0,
            "parameters",
            1,
            "name"),
        bad(
            "parameter name missing",
            b -> param(b, 1).remove("name"),
            "invalid_type",
            "tools",
            0,
            "parameters",
            1,
            "name"),
        bad(
            "parameter description empty",
            b -> param(b, 2).put("description", ""),
            "too_small",
            "tools",
            0,
            "parameters",
            2,
            "description"),
        bad(
            "parameter description 1025 chars",
            b -> param(b, 2).put("description", "d".repeat(1_025)),
            "too_big",
            "tools",
            0,
            "parameters",
            2,
            "description"),
        bad(
            "parameter required not a boolean",
            b -> param(b, 3).put("required", "yes"),
            "invalid_type",
            "tools",
            0,
            "parameters",
            3,
            "required"),
        bad(
            "string enum of 21 values",
            b -> param(b, 0).set("enum", strings(21, 3)),
            "too_big",
            "tools",
            0,
            "parameters",
            0,
            "enum"),
        bad(
            "string enum value of 65 chars",
            b -> ((ArrayNode) param(b, 0).get("enum")).set(0, text("e".repeat(65))),
            "too_big",
            "tools",
            0,
            "parameters",
            0,
            "enum",
            0),
        bad(
            "string enum value not a string",
            b -> ((ArrayNode) param(b, 0).get("enum")).add(3),
            "invalid_type",
            "tools",
            0,
            "parameters",
            0,
            "enum",
            2),
        bad(
            "integer parameter with an enum",
            b -> param(b, 1).putArray("enum").add("1"),
            "unrecognized_keys",
            "tools",
            0,
            "parameters",
            1),
        bad(
            "array parameter without items",
            b -> param(b, 4).remove("items"),
            "invalid_type",
            "tools",
            0,
            "parameters",
            4,
            "items"),
        bad(
            "array items of type object",
            b -> ((ObjectNode) param(b, 4).get("items")).put("type", "object"),
            "invalid_value",
            "tools",
            0,
            "parameters",
            4,
            "items",
            "type"),
        bad(
            "array items with an unknown key",
            b -> ((ObjectNode) param(b, 4).get("items")).put("format", "x"),
            "unrecognized_keys",
            "tools",
            0,
            "parameters",
            4,
            "items"),
        bad(
            "object parameter without properties",
            b -> param(b, 5).remove("properties"),
            "invalid_type",
            "tools",
            0,
            "parameters",
            5,
            "properties"),
        bad(
            "object parameter with 21 properties",
            b -> param(b, 5).set("properties", strings(21, 1)),
            "too_big",
            "tools",
            0,
            "parameters",
            5,
            "properties"),
        // integration
        bad(
            "integration type unknown",
            b -> integration(b).put("type", "daily"),
            "invalid_union",
            "integration",
            "type"),
        bad(
            "elevenlabs signedUrl not a URL",
            b -> b.putObject("integration").put("type", "elevenlabs").put("signedUrl", "not a url"),
            "invalid_format",
            "integration",
            "signedUrl"),
        bad(
            "elevenlabs signedUrl missing",
            b -> b.putObject("integration").put("type", "elevenlabs"),
            "invalid_type",
            "integration",
            "signedUrl"),
        bad(
            "livekit url missing",
            b -> integration(b).remove("url"),
            "invalid_type",
            "integration",
            "url"),
        bad(
            "livekit url not a URL",
            b -> integration(b).put("url", "::"),
            "invalid_format",
            "integration",
            "url"),
        bad(
            "livekit token empty",
            b -> integration(b).put("token", ""),
            "too_small",
            "integration",
            "token"),
        bad(
            "livekit token 2049 chars",
            b -> integration(b).put("token", "t".repeat(2_049)),
            "too_big",
            "integration",
            "token"),
        bad(
            "livekit roomName empty",
            b -> integration(b).put("roomName", ""),
            "too_small",
            "integration",
            "roomName"),
        bad(
            "livekit roomName 257 chars",
            b -> integration(b).put("roomName", "r".repeat(257)),
            "too_big",
            "integration",
            "roomName"),
        bad(
            "livekit agentIdentity empty",
            b -> integration(b).put("agentIdentity", ""),
            "too_small",
            "integration",
            "agentIdentity"),
        bad(
            "livekit agentIdentity 257 chars",
            b -> integration(b).put("agentIdentity", "a".repeat(257)),
            "too_big",
            "integration",
            "agentIdentity"),
        bad(
            "integration with an unknown key",
            b -> integration(b).put("signedUrl", "wss://x"),
            "unrecognized_keys",
            "integration"),
        // deprecated livekit
        bad(
            "deprecated livekit without roomName",
            b -> b.putObject("livekit").put("url", "wss://x").put("token", "t"),
            "invalid_type",
            "livekit",
            "roomName"),
        bad(
            "deprecated livekit with a type",
            b ->
                b.putObject("livekit")
                    .put("type", "livekit")
                    .put("url", "wss://x")
                    .put("token", "t")
                    .put("roomName", "r"),
            "unrecognized_keys",
            "livekit"),
        // top level
        bad("unknown top-level key", b -> b.put("avatarId", "influencer"), "unrecognized_keys"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBodies")
  void rejectsWithAZodIssueAtThePath(
      String name, Consumer<ObjectNode> change, String code, List<Object> path) {
    ObjectNode body = fullBody();
    change.accept(body);

    Response r = api().createRaw(body.toString());

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonNode json = r.json();
    assertThat(json.get("error").stringValue()).isEqualTo("Invalid request body");
    assertThat(issues(json))
        .as(r.body())
        .anySatisfy(
            issue -> {
              assertThat(issue.code()).isEqualTo(code);
              assertThat(issue.path()).isEqualTo(path);
              assertThat(issue.message()).isNotBlank();
            });
    assertThat(SIMULATOR.admin().sessions()).isEmpty();
  }

  @Test
  void reportsEveryIssueAtOnce() {
    ObjectNode body = fullBody();
    body.put("model", "x").put("maxDuration", 5000).put("extra", true);

    JsonNode json = api().createRaw(body.toString()).json();

    assertThat(issues(json))
        .extracting(Issue::code)
        .containsExactlyInAnyOrder("invalid_value", "too_big", "unrecognized_keys");
    JsonNode unrecognized = json.get("issues").get(2);
    assertThat(unrecognized.get("keys").get(0).stringValue()).isEqualTo("extra");
    assertThat(unrecognized.get("message").stringValue()).isEqualTo("Unrecognized key: \"extra\"");
  }

  @Test
  void tooBigCarriesTheLimitLikeTheLiveApi() {
    // client-contract.md §6.3: maxDuration above 1800 answers 400 "Too big".
    JsonNode issue =
        api().createRaw(fullBody().put("maxDuration", 1801).toString()).json().get("issues").get(0);
    assertThat(issue.get("message").stringValue()).startsWith("Too big");
    assertThat(issue.get("maximum").intValue()).isEqualTo(1800);
  }

  @Test
  void malformedJsonIs400WithoutIssues() {
    Response r = api().createRaw("{\"model\": ");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().has("issues")).isFalse();
    assertThat(r.error()).containsIgnoringCase("json");
  }

  @Test
  void emptyBodyIs400() {
    Response r = api().createRaw("");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void aJsonArrayIsAnInvalidTypeAtTheRoot() {
    Response r = api().createRaw("[]");
    assertThat(r.status()).isEqualTo(400);
    assertThat(issues(r.json()))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.code()).isEqualTo("invalid_type");
              assertThat(i.path()).isEmpty();
            });
  }

  @Test
  void customAvatarMustExistAndBeReady() {
    SimulatorAdmin admin = SIMULATOR.admin();
    String ready = admin.createAvatar("Ada", AvatarStatus.READY);
    String processing = admin.createAvatar("Bo", AvatarStatus.PROCESSING);
    String failed = admin.createAvatar("Cy", AvatarStatus.FAILED);

    assertThat(createCustom(ready).status()).isEqualTo(200);
    assertThat(createCustom(ready.toUpperCase(java.util.Locale.ROOT)).status()).isEqualTo(200);
    Response notReady = createCustom(processing);
    assertThat(notReady.status()).isEqualTo(400);
    assertThat(notReady.error()).contains("PROCESSING");
    assertThat(createCustom(failed).status()).isEqualTo(400);
    Response unknown = createCustom("0b0f4e5c-2f43-4d6a-9a63-2f6a3b1c9d10");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).isEqualTo("Could not find Avatar");
    assertThat(admin.sessions()).hasSize(2);

    admin.setAvatarStatus(processing, AvatarStatus.READY);
    assertThat(createCustom(processing).status()).isEqualTo(200);
  }

  private static Response createCustom(String avatarId) {
    return api()
        .createRaw(
            "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"custom\",\"avatarId\":\""
                + avatarId
                + "\"}}");
  }

  // ---------------------------------------------------------------- helpers

  record Issue(String code, List<Object> path, String message) {}

  static List<Issue> issues(JsonNode json) {
    List<Issue> out = new ArrayList<>();
    for (JsonNode i : json.get("issues")) {
      List<Object> path = new ArrayList<>();
      i.get("path").forEach(p -> path.add(p.isInt() ? (Object) p.intValue() : p.stringValue()));
      out.add(new Issue(i.get("code").stringValue(), path, i.get("message").stringValue()));
    }
    return out;
  }

  private static TestApi api() {
    return new TestApi(SIMULATOR.baseUrl());
  }

  private static Arguments valid(String name, Consumer<ObjectNode> change) {
    return Arguments.of(name, change);
  }

  private static Arguments bad(
      String name, Consumer<ObjectNode> change, String code, Object... path) {
    return Arguments.of(name, change, code, List.of(path));
  }

  private static void retain(ObjectNode b, String... names) {
    List<String> keep = List.of(names);
    new ArrayList<>(b.propertyNames()).stream().filter(n -> !keep.contains(n)).forEach(b::remove);
  }

  private static ObjectNode avatar(ObjectNode b) {
    return (ObjectNode) b.get("avatar");
  }

  private static ObjectNode integration(ObjectNode b) {
    return (ObjectNode) b.get("integration");
  }

  private static ObjectNode tool(ObjectNode b, int i) {
    return (ObjectNode) b.get("tools").get(i);
  }

  private static ObjectNode param(ObjectNode b, int i) {
    return (ObjectNode) tool(b, 0).get("parameters").get(i);
  }

  private static ArrayNode tools(int n) {
    ArrayNode a = TestApi.JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      a.addObject().put("type", "client_event").put("name", "tool_" + i).put("description", "d");
    }
    return a;
  }

  private static ArrayNode params(int n) {
    ArrayNode a = TestApi.JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      a.addObject().put("type", "boolean").put("name", "p" + i).put("description", "d");
    }
    return a;
  }

  private static ArrayNode strings(int n, int length) {
    ArrayNode a = TestApi.JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      String s = Integer.toString(i);
      a.add(s + "x".repeat(Math.max(0, length - s.length())));
    }
    return a;
  }

  private static JsonNode text(String s) {
    return TestApi.JSON.getNodeFactory().stringNode(s);
  }
}
