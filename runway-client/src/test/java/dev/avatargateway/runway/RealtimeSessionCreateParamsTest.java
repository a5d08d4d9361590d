package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.runway.internal.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every documented limit of runway-api.md §2.1 fails before any request, naming field and limit.
 */
class RealtimeSessionCreateParamsTest {
  private static final SessionAvatar CAT = SessionAvatar.preset(AvatarPreset.CAT_CHARACTER);

  @Test
  void theSmallestRequestIsModelAndAvatar() {
    assertThat(Json.createBody(RealtimeSessionCreateParams.of(CAT)))
        .isEqualTo(
            "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"runway-preset\",\"presetId\":\"cat-character\"}}");
  }

  @Test
  void writesEveryField() {
    RealtimeSessionCreateParams params =
        RealtimeSessionCreateParams.builder(
                SessionAvatar.custom("3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10"))
            .maxDuration(120)
            .personality("Friendly")
            .startScript("Hi!")
            .addTool(
                Tool.clientEvent(
                    "show_card",
                    "Shows a card",
                    ToolParameter.string("title", "The title").withEnum("a", "b"),
                    ToolParameter.array("tags", "Tags", ToolParameter.ArrayParam.ItemType.STRING)))
            .addTool(
                Tool.backendRpc("lookup", "Looks up", ToolParameter.integer("n", "How many"))
                    .withTimeoutSeconds(2))
            .integration(
                new Integration.LiveKit(URI.create("wss://lk.example"), "tok", "room", null))
            .build();

    assertThat(Json.createBody(params))
        .isEqualTo(
            "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"custom\",\"avatarId\":\"3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10\"},"
                + "\"maxDuration\":120,\"personality\":\"Friendly\",\"startScript\":\"Hi!\","
                + "\"tools\":[{\"type\":\"client_event\",\"name\":\"show_card\",\"description\":\"Shows a card\",\"parameters\":["
                + "{\"type\":\"string\",\"name\":\"title\",\"description\":\"The title\",\"required\":true,\"enum\":[\"a\",\"b\"]},"
                + "{\"type\":\"array\",\"name\":\"tags\",\"description\":\"Tags\",\"required\":true,\"items\":{\"type\":\"string\"}}]},"
                + "{\"type\":\"backend_rpc\",\"name\":\"lookup\",\"description\":\"Looks up\",\"parameters\":["
                + "{\"type\":\"integer\",\"name\":\"n\",\"description\":\"How many\",\"required\":true}],\"timeoutSeconds\":2.0}],"
                + "\"integration\":{\"type\":\"livekit\",\"url\":\"wss://lk.example\",\"token\":\"tok\",\"roomName\":\"room\"}}");
  }

  @ParameterizedTest
  @ValueSource(ints = {9, 1801, 0, -5})
  void maxDurationOutsideTenTo1800(int seconds) {
    assertInvalid(
        () -> RealtimeSessionCreateParams.builder(CAT).maxDuration(seconds).build(),
        "maxDuration",
        "between 10 and 1800");
  }

  @Test
  void maxDurationBoundsAreAllowed() {
    RealtimeSessionCreateParams.builder(CAT).maxDuration(10).build();
    RealtimeSessionCreateParams.builder(CAT).maxDuration(1800).build();
  }

  @Test
  void textLimits() {
    assertInvalid(
        () -> RealtimeSessionCreateParams.builder(CAT).personality("").build(),
        "personality",
        "1 to 10000");
    assertInvalid(
        () -> RealtimeSessionCreateParams.builder(CAT).personality("x".repeat(10_001)).build(),
        "personality",
        "1 to 10000");
    RealtimeSessionCreateParams.builder(CAT).personality("x".repeat(10_000)).build();
    assertInvalid(
        () -> RealtimeSessionCreateParams.builder(CAT).startScript("x".repeat(2_001)).build(),
        "startScript",
        "1 to 2000");
    RealtimeSessionCreateParams.builder(CAT).startScript("x".repeat(2_000)).build();
  }

  @Test
  void customAvatarMustBeAUuidV4() {
    assertInvalid(
        () -> RealtimeSessionCreateParams.of(SessionAvatar.custom("not-a-uuid")),
        "avatar.avatarId",
        "UUID");
    assertInvalid(
        () ->
            RealtimeSessionCreateParams.of(
                SessionAvatar.custom("3f0b7a52-9c1e-1b5e-8f43-2d6a1c9e7b10")),
        "avatar.avatarId",
        "UUID");
  }

  @Test
  void unknownPresetIdsAreAcceptedForwardCompatibly() {
    AvatarPreset future = AvatarPreset.of("space-pirate");
    assertThat(future.isKnown()).isFalse();
    assertThat(AvatarPreset.of("cat-character")).isSameAs(AvatarPreset.CAT_CHARACTER);
    assertThat(AvatarPreset.known()).hasSize(9);
    assertThat(Json.createBody(RealtimeSessionCreateParams.of(SessionAvatar.preset(future))))
        .contains("\"presetId\":\"space-pirate\"");
  }

  @Test
  void atMostTwentyTools() {
    List<Tool> tools =
        IntStream.range(0, 21).mapToObj(i -> (Tool) Tool.clientEvent("t" + i, "d")).toList();
    assertInvalid(
        () -> RealtimeSessionCreateParams.builder(CAT).tools(tools).build(), "tools", "at most 20");
    RealtimeSessionCreateParams.builder(CAT).tools(tools.subList(0, 20)).build();
  }

  @Test
  void toolNamesFollowThePatternAndAreUnique() {
    assertInvalid(() -> withTool(Tool.clientEvent("1st", "d")), "tools[0].name", "^[a-zA-Z_]");
    assertInvalid(() -> withTool(Tool.clientEvent("has-dash", "d")), "tools[0].name", "^[a-zA-Z_]");
    assertInvalid(
        () -> withTool(Tool.clientEvent("x".repeat(65), "d")), "tools[0].name", "1 to 64");
    assertInvalid(() -> withTool(Tool.clientEvent("", "d")), "tools[0].name", "1 to 64");
    assertInvalid(
        () ->
            RealtimeSessionCreateParams.builder(CAT)
                .addTool(Tool.clientEvent("same", "d"))
                .addTool(Tool.backendRpc("same", "d"))
                .build(),
        "tools[1].name",
        "unique");
    assertInvalid(
        () -> withTool(Tool.clientEvent("ok", "x".repeat(1025))),
        "tools[0].description",
        "1 to 1024");
  }

  @Test
  void backendRpcTimeoutIsOneToEightSeconds() {
    assertInvalid(
        () -> withTool(Tool.backendRpc("rpc", "d").withTimeoutSeconds(0.5)),
        "tools[0].timeoutSeconds",
        "between 1 and 8");
    assertInvalid(
        () -> withTool(Tool.backendRpc("rpc", "d").withTimeoutSeconds(8.5)),
        "tools[0].timeoutSeconds",
        "between 1 and 8");
    withTool(Tool.backendRpc("rpc", "d").withTimeoutSeconds(8));
  }

  @Test
  void parameterLimits() {
    ToolParameter[] many =
        IntStream.range(0, 21)
            .mapToObj(i -> ToolParameter.bool("p" + i, "d"))
            .toArray(ToolParameter[]::new);
    assertInvalid(
        () -> withTool(Tool.clientEvent("t", "d", many)), "tools[0].parameters", "at most 20");
    assertInvalid(
        () -> withTool(Tool.clientEvent("t", "d", ToolParameter.number("bad name", "d"))),
        "tools[0].parameters[0].name",
        "^[a-zA-Z_]");
    assertInvalid(
        () -> withTool(Tool.clientEvent("t", "d", ToolParameter.number("n", ""))),
        "tools[0].parameters[0].description",
        "1 to 1024");
    String[] values = Collections.nCopies(21, "v").toArray(String[]::new);
    assertInvalid(
        () -> withTool(Tool.clientEvent("t", "d", ToolParameter.string("s", "d").withEnum(values))),
        "tools[0].parameters[0].enum",
        "at most 20");
    assertInvalid(
        () ->
            withTool(
                Tool.clientEvent(
                    "t", "d", ToolParameter.string("s", "d").withEnum("v".repeat(65)))),
        "tools[0].parameters[0].enum[0]",
        "1 to 64");
    List<Object> properties = new ArrayList<>(Collections.nCopies(21, "p"));
    assertInvalid(
        () ->
            withTool(
                Tool.clientEvent(
                    "t", "d", new ToolParameter.ObjectParam("o", "d", true, properties))),
        "tools[0].parameters[0].properties",
        "at most 20");
  }

  @Test
  void integrationLimits() {
    assertInvalid(
        () ->
            withIntegration(
                new Integration.LiveKit(URI.create("wss://lk"), "t".repeat(2049), "r", null)),
        "integration.token",
        "1 to 2048");
    assertInvalid(
        () ->
            withIntegration(
                new Integration.LiveKit(URI.create("wss://lk"), "t", "r".repeat(257), null)),
        "integration.roomName",
        "1 to 256");
    assertInvalid(
        () -> withIntegration(new Integration.LiveKit(URI.create("wss://lk"), "t", "r", "")),
        "integration.agentIdentity",
        "1 to 256");
    assertInvalid(
        () -> withIntegration(new Integration.ElevenLabs(URI.create("relative/path"))),
        "integration.signedUrl",
        "absolute");
  }

  @Test
  void toBuilderRoundTrips() {
    RealtimeSessionCreateParams params =
        RealtimeSessionCreateParams.builder(CAT)
            .maxDuration(60)
            .personality("p")
            .addTool(Tool.clientEvent("t", "d"))
            .build();
    assertThat(params.toBuilder().build()).isEqualTo(params);
  }

  private static RealtimeSessionCreateParams withTool(Tool tool) {
    return RealtimeSessionCreateParams.builder(CAT).addTool(tool).build();
  }

  private static RealtimeSessionCreateParams withIntegration(Integration integration) {
    return RealtimeSessionCreateParams.builder(CAT).integration(integration).build();
  }

  private static void assertInvalid(Runnable build, String field, String limit) {
    assertThatThrownBy(build::run)
        .isInstanceOfSatisfying(
            InvalidParamsException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(limit);
  }
}
