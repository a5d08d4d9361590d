package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's responses validated against the official OpenAPI schemas (copied into
 * src/test/resources/spec, see SOURCE.md there), and the simulator's request validation
 * cross-checked against the OAS request schema.
 */
class SpecConformanceTest {
  // A leap day just before midnight: READY lands on 1 March, exercising the spec's date pattern.
  static final Instant T0 = Instant.parse("2028-02-29T23:59:59.999Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private static final JsonNode SESSIONS = load("/spec/runway-realtime-sessions.subset.json");
  private static final JsonNode AVATARS = load("/spec/runway-avatars.subset.json");
  private static final JsonNode CONVERSATIONS =
      load("/spec/runway-avatar-conversations.subset.json");
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          b ->
              b.schemaRegistryConfig(
                  SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  private static final Schema CREATE_REQUEST =
      schema(
          SESSIONS,
          "/paths/~1v1~1realtime_sessions/post/requestBody/content/application~1json/schema");
  private static final Schema CREATE_RESPONSE = response(SESSIONS, "/v1/realtime_sessions", "post");
  private static final Schema RETRIEVE_RESPONSE =
      response(SESSIONS, "/v1/realtime_sessions/{id}", "get");
  private static final Schema AVATAR_RESPONSE = response(AVATARS, "/v1/avatars/{id}", "get");
  private static final Schema AVATAR_LIST_RESPONSE = response(AVATARS, "/v1/avatars", "get");
  private static final Schema CONVERSATION_RESPONSE =
      response(CONVERSATIONS, "/v1/avatar_conversations/{id}", "get");
  private static final Schema CONVERSATION_LIST_RESPONSE =
      response(CONVERSATIONS, "/v1/avatar_conversations", "get");
  private static final Schema USAGE_RESPONSE = response(CONVERSATIONS, "/v1/avatar_usage", "get");

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  @Test
  void createResponseMatchesTheSpec() {
    assertValid(CREATE_RESPONSE, api.createRaw(TestApi.PRESET_BODY));
  }

  @Test
  void everyStatusVariantMatchesTheSpec() {
    admin.setConcurrencyCap(3);
    String ready = api.create();
    String running = api.createRaw(SessionLifecycleTest.body(10)).json().get("id").stringValue();
    admin.failNextSessions(1, "INTERNAL", "Worker crashed");
    String failed = api.create();
    String queued = api.create();

    assertValid(RETRIEVE_RESPONSE, api.retrieve(ready), "NOT_READY");
    Response waiting = api.retrieve(queued);
    assertValid(RETRIEVE_RESPONSE, waiting, "NOT_READY");
    assertThat(waiting.json().get("queued").booleanValue()).isTrue();
    api.delete("/v1/realtime_sessions/" + queued);
    assertValid(RETRIEVE_RESPONSE, api.retrieve(queued), "CANCELLED");

    admin.advanceClock(Duration.ofMillis(1_500));
    Response readyNow = api.retrieve(ready);
    assertValid(RETRIEVE_RESPONSE, readyNow, "READY");
    assertThat(readyNow.json().get("expiresAt").stringValue())
        .startsWith("2028-03-01T00:04:59.999");
    assertValid(RETRIEVE_RESPONSE, api.retrieve(failed), "FAILED");
    api.consume(running, admin.session(running).orElseThrow().sessionKey().orElseThrow());
    assertValid(RETRIEVE_RESPONSE, api.retrieve(running), "RUNNING");
    admin.advanceClock(Duration.ofSeconds(10));
    assertValid(RETRIEVE_RESPONSE, api.retrieve(running), "COMPLETED");
  }

  @Test
  void theValidatorCatchesAnOpenShape() {
    // Guards against a vacuous check: an extra member must break the closed variants.
    String id = api.create();
    ObjectNode extra = (ObjectNode) api.retrieve(id).json();
    extra.put("progress", 0.5);
    assertThat(RETRIEVE_RESPONSE.validate(extra)).isNotEmpty();
    ObjectNode badTime = (ObjectNode) api.retrieve(id).json();
    badTime.put("createdAt", "2026-11-23 22:23:19");
    assertThat(RETRIEVE_RESPONSE.validate(badTime)).isNotEmpty();
  }

  @Test
  void avatarsOfEveryStatusMatchTheSpec() {
    for (AvatarStatus status : AvatarStatus.values()) {
      String id = admin.createAvatar("Avatar " + status, status);
      Response r = api.get("/v1/avatars/" + id);
      assertValid(AVATAR_RESPONSE, r, status.name());
    }
  }

  @Test
  void avatarPagesMatchTheSpec() {
    assertValid(AVATAR_LIST_RESPONSE, api.get("/v1/avatars"));
    for (int i = 0; i < 3; i++) {
      admin.createAvatar("A" + i, AvatarStatus.READY);
    }
    Response first = api.get("/v1/avatars?limit=2");
    assertValid(AVATAR_LIST_RESPONSE, first);
    assertThat(first.json().get("hasMore").booleanValue()).isTrue();
    String cursor = first.json().get("nextCursor").stringValue();
    Response last = api.get("/v1/avatars?limit=2&cursor=" + cursor);
    assertValid(AVATAR_LIST_RESPONSE, last);
    assertThat(last.json().get("nextCursor").isNull()).isTrue();
  }

  @Test
  void everyConversationVariantAndItsSummaryMatchTheSpec() {
    String avatar = admin.createAvatar("Ada", AvatarStatus.READY);
    String inProgress =
        ConversationApiTest.started(api, admin, ConversationApiTest.customBody(avatar));
    String completes = ConversationApiTest.started(api, admin, ConversationApiTest.TOOLS_BODY);
    String cancelled = ConversationApiTest.started(api, admin, TestApi.PRESET_BODY);
    String fails = ConversationApiTest.started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofSeconds(2));
    admin.endCall(completes);
    api.delete("/v1/realtime_sessions/" + cancelled);
    admin.failRunningSession(fails, "INTERNAL", "Worker crashed");

    assertValid(CONVERSATION_RESPONSE, conversation(inProgress), "in_progress");
    assertValid(CONVERSATION_RESPONSE, conversation(completes), "ended");
    assertValid(CONVERSATION_RESPONSE, conversation(cancelled), "ended");
    assertValid(CONVERSATION_RESPONSE, conversation(fails), "failed");
    Response page = api.get("/v1/avatar_conversations?limit=3");
    assertValid(CONVERSATION_LIST_RESPONSE, page);
    assertThat(page.json().get("nextCursor").isString()).isTrue();
    Response last =
        api.get(
            "/v1/avatar_conversations?limit=3&cursor="
                + page.json().get("nextCursor").stringValue());
    assertValid(CONVERSATION_LIST_RESPONSE, last);
    assertThat(last.json().get("nextCursor").isNull()).isTrue();
  }

  @Test
  void recordsOfSessionsThatNeverRanMatchTheSpec() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .conversationsForUnstartedSessions(true)
                .build())) {
      TestApi other = new TestApi(sim);
      String waiting = other.create();
      String cancelled = other.create();
      other.delete("/v1/realtime_sessions/" + cancelled);
      sim.admin().failNextSessions(1, "INTERNAL", "Worker crashed");
      String failed = other.create();
      sim.admin().advanceClock(Duration.ofMillis(1_500));

      assertValid(
          CONVERSATION_RESPONSE, other.get("/v1/avatar_conversations/" + waiting), "in_progress");
      assertValid(
          CONVERSATION_RESPONSE, other.get("/v1/avatar_conversations/" + cancelled), "ended");
      assertValid(CONVERSATION_RESPONSE, other.get("/v1/avatar_conversations/" + failed), "failed");
      assertValid(CONVERSATION_LIST_RESPONSE, other.get("/v1/avatar_conversations"));
    }
  }

  @Test
  void usageMatchesTheSpecAndTheValidatorCatchesAnOpenShape() {
    String id = ConversationApiTest.started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofSeconds(5));
    admin.endCall(id);
    // T0 is 29 Feb 2028: the range covers the leap day and 1 March.
    Response usage = api.get("/v1/avatar_usage?startDate=2028-02-29&endDate=2028-03-02");
    assertValid(USAGE_RESPONSE, usage);
    assertThat(usage.json().get("byDay").get(0).get("date").stringValue()).isEqualTo("2028-02-29");

    ObjectNode extra = (ObjectNode) usage.json();
    extra.put("currency", "credits");
    assertThat(USAGE_RESPONSE.validate(extra)).isNotEmpty();
    ObjectNode open = (ObjectNode) conversation(id).json();
    open.put("transcriptUrl", "https://example.test");
    assertThat(CONVERSATION_RESPONSE.validate(open)).isNotEmpty();
  }

  @Test
  void bodiesTheSimulatorAcceptsAreValidPerTheOas() {
    assertThat(CREATE_REQUEST.validate(CreateValidationTest.fullBody())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.avatargateway.simulator.CreateValidationTest#validVariants")
  void boundaryBodiesAreValidPerTheOas(String name, Consumer<ObjectNode> change) {
    ObjectNode body = CreateValidationTest.fullBody();
    change.accept(body);
    assertThat(CREATE_REQUEST.validate(body)).isEmpty();
  }

  /**
   * The simulator's rejections minus the two rules the OAS cannot express: strict objects (it
   * leaves additionalProperties unset) and unique tool names (a docs rule, runway-api.md §6).
   */
  static Stream<Arguments> oasExpressibleRejections() {
    return CreateValidationTest.invalidBodies()
        .filter(a -> !Set.of("unrecognized_keys", "custom").contains((String) a.get()[2]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oasExpressibleRejections")
  void bodiesTheSimulatorRejectsAreInvalidPerTheOasToo(
      String name, Consumer<ObjectNode> change, String code, List<Object> path) {
    ObjectNode body = CreateValidationTest.fullBody();
    change.accept(body);
    assertThat(CREATE_REQUEST.validate(body)).as(body.toString()).isNotEmpty();
  }

  private Response conversation(String id) {
    return api.get("/v1/avatar_conversations/" + id);
  }

  private static void assertValid(Schema schema, Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    List<Error> errors = schema.validate(r.json());
    assertThat(errors).as(r.body()).isEmpty();
  }

  private static void assertValid(Schema schema, Response r, String status) {
    assertValid(schema, r);
    assertThat(r.json().get("status").stringValue()).isEqualTo(status);
  }

  private static Schema response(JsonNode spec, String path, String method) {
    return schema(
        spec,
        "/paths/"
            + path.replace("~", "~0").replace("/", "~1")
            + "/"
            + method
            + "/responses/200/content/application~1json/schema");
  }

  private static Schema schema(JsonNode spec, String pointer) {
    JsonNode node = spec.at(pointer);
    assertThat(node.isObject()).as(pointer).isTrue();
    return REGISTRY.getSchema(node);
  }

  private static JsonNode load(String resource) {
    try (InputStream in = SpecConformanceTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing test resource " + resource);
      }
      return TestApi.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
