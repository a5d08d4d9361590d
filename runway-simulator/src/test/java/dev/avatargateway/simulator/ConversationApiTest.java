package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/avatar_conversations} (runway-api-additions.md, Conversations): one record per
 * realtime session, derived from its timeline on the simulated clock.
 */
class ConversationApiTest {
  static final Instant T0 = Instant.parse("2026-07-01T10:00:00Z");
  static final String UNKNOWN = "7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10";
  static final String TOOLS_BODY =
      "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"runway-preset\","
          + "\"presetId\":\"music-superstar\"},\"maxDuration\":120,\"tools\":["
          + "{\"type\":\"client_event\",\"name\":\"show_card\",\"description\":\"Shows a card\"},"
          + "{\"type\":\"backend_rpc\",\"name\":\"lookup\",\"description\":\"Looks it up\","
          + "\"timeoutSeconds\":4}]}";

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  // ---------------------------------------------------------------- one record per session

  @Test
  void aRunningSessionIsInProgressWithTheWholeSecondsElapsed() {
    String id = started(api, admin, TOOLS_BODY);
    admin.advanceClock(Duration.ofMillis(10_700));

    Response r = api.get("/v1/avatar_conversations/" + id);

    assertThat(r.status()).isEqualTo(200);
    JsonNode c = r.json();
    assertThat(c.propertyNames())
        .containsExactlyInAnyOrder(
            "id",
            "name",
            "avatar",
            "createdAt",
            "maxDuration",
            "transcript",
            "recordingUrl",
            "tools",
            "status",
            "startedAt",
            "duration");
    assertThat(c.get("id").stringValue()).isEqualTo(id);
    assertThat(c.get("status").stringValue()).isEqualTo("in_progress");
    assertThat(c.get("createdAt").stringValue()).isEqualTo("2026-07-01T10:00:00.000Z");
    assertThat(c.get("startedAt").stringValue()).isEqualTo("2026-07-01T10:00:01.500Z");
    assertThat(c.get("duration").longValue()).isEqualTo(10);
    assertThat(c.get("maxDuration").intValue()).isEqualTo(120);
    assertThat(c.get("avatar"))
        .isEqualTo(
            TestApi.JSON.readTree("{\"type\":\"runway-preset\",\"presetId\":\"music-superstar\"}"));
    assertThat(c.get("name").stringValue()).isEqualTo("Conversation with Mina");
    assertThat(c.get("tools"))
        .isEqualTo(
            TestApi.JSON.readTree(
                "[{\"type\":\"client_event\",\"name\":\"show_card\",\"description\":\"Shows a card\"},"
                    + "{\"type\":\"backend_rpc\",\"name\":\"lookup\","
                    + "\"description\":\"Looks it up\"}]"));
    assertThat(c.get("transcript").isArray()).isTrue();
    assertThat(c.get("transcript").size()).isZero();
    assertThat(c.get("recordingUrl").isNull()).isTrue();
  }

  @Test
  void aSessionHasNoRecordBeforeItStarts() {
    String id = api.create();
    assertThat(api.get("/v1/avatar_conversations/" + id).status()).isEqualTo(404);
    admin.advanceClock(Duration.ofMillis(1_500));
    Response ready = api.get("/v1/avatar_conversations/" + id);
    assertThat(ready.status()).isEqualTo(404);
    assertThat(ready.error()).isEqualTo("Could not find Conversation");
    assertThat(list("").get("data").size()).isZero();

    api.consume(id, admin.session(id).orElseThrow().sessionKey().orElseThrow());

    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();
    assertThat(c.get("status").stringValue()).isEqualTo("in_progress");
    assertThat(c.get("duration").longValue()).isZero();
    // No maxDuration in the body: the record says so instead of the 300 s default.
    assertThat(c.get("maxDuration").isNull()).isTrue();
    assertThat(c.get("tools").size()).isZero();
  }

  @Test
  void aCompletedSessionIsEndedWithItsDuration() {
    String id = started(api, admin, SessionLifecycleTest.body(60));
    admin.advanceClock(Duration.ofSeconds(60));

    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();

    assertThat(c.get("status").stringValue()).isEqualTo("ended");
    assertThat(c.get("duration").longValue()).isEqualTo(60);
    assertThat(c.get("startedAt").stringValue()).isEqualTo("2026-07-01T10:00:01.500Z");
    assertThat(c.get("endedAt").stringValue()).isEqualTo("2026-07-01T10:01:01.500Z");
    assertThat(c.has("failure")).isFalse();
    assertThat(c.propertyNames()).contains("endedAt").hasSize(12);
  }

  @Test
  void endCallEndsTheConversationWithTheWholeSecondsRun() {
    String id = started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofMillis(42_900));

    admin.endCall(id);

    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();
    assertThat(c.get("status").stringValue()).isEqualTo("ended");
    assertThat(c.get("duration").longValue()).isEqualTo(42);
    assertThat(c.get("endedAt").stringValue()).isEqualTo("2026-07-01T10:00:44.400Z");
    assertThat(c.get("name").stringValue()).isEqualTo("Conversation with Influencer");
  }

  @Test
  void aSessionCancelledWhileRunningIsEndedWithTheSecondsItRan() {
    // ASSUMPTION under test: a DELETE while RUNNING ends the conversation as `ended`, not failed.
    String id = started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofMillis(5_900));

    assertThat(api.delete("/v1/realtime_sessions/" + id).status()).isEqualTo(204);

    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();
    assertThat(c.get("status").stringValue()).isEqualTo("ended");
    assertThat(c.get("duration").longValue()).isEqualTo(5);
    assertThat(c.get("endedAt").stringValue()).isEqualTo("2026-07-01T10:00:07.400Z");
    assertThat(admin.session(id).orElseThrow().status()).isEqualTo("CANCELLED");
  }

  @Test
  void aSessionThatFailsWhileRunningIsFailed() {
    String id = started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofSeconds(3));

    admin.failRunningSession(id, "INTERNAL", "Worker crashed");

    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();
    assertThat(c.get("status").stringValue()).isEqualTo("failed");
    assertThat(c.get("failureCode").stringValue()).isEqualTo("INTERNAL");
    assertThat(c.get("failure").stringValue()).isEqualTo("Worker crashed");
    assertThat(c.get("duration").longValue()).isEqualTo(3);
    assertThat(c.get("startedAt").stringValue()).isEqualTo("2026-07-01T10:00:01.500Z");
    assertThat(c.get("endedAt").stringValue()).isEqualTo("2026-07-01T10:00:04.500Z");
    assertThat(c.propertyNames()).hasSize(14);
    JsonNode session = api.retrieve(id).json();
    assertThat(session.get("status").stringValue()).isEqualTo("FAILED");
    assertThat(session.get("failureCode").stringValue()).isEqualTo("INTERNAL");
  }

  @Test
  void sessionsThatNeverRanHaveNoRecordByDefault() {
    String cancelledEarly = api.create();
    api.delete("/v1/realtime_sessions/" + cancelledEarly);
    admin.failNextSessions(1, "SAFETY.INPUT.TEXT", "Refused");
    String failedEarly = api.create();
    String cancelledReady = api.create();
    String leaked = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    api.delete("/v1/realtime_sessions/" + cancelledReady);
    admin.advanceClock(Duration.ofSeconds(25));
    assertThat(admin.session(leaked).orElseThrow().leaked()).isTrue();

    for (String id : List.of(cancelledEarly, failedEarly, cancelledReady, leaked)) {
      assertThat(api.get("/v1/avatar_conversations/" + id).status()).as(id).isEqualTo(404);
    }
    assertThat(list("").get("data").size()).isZero();
  }

  @Test
  void withConversationsForUnstartedSessionsTheyHaveRecordsWithoutStartOrDuration() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .conversationsForUnstartedSessions(true)
                .build())) {
      TestApi other = new TestApi(sim);
      String waiting = other.create();
      String cancelled = other.create();
      sim.admin().failNextSessions(1, "SAFETY.INPUT.TEXT", "Refused");
      String failed = other.create();

      JsonNode notStarted = other.get("/v1/avatar_conversations/" + waiting).json();
      assertThat(notStarted.get("status").stringValue()).isEqualTo("in_progress");
      assertThat(notStarted.get("startedAt").isNull()).isTrue();
      assertThat(notStarted.get("duration").isNull()).isTrue();

      other.delete("/v1/realtime_sessions/" + cancelled);
      sim.admin().advanceClock(Duration.ofMillis(1_500));
      JsonNode ended = other.get("/v1/avatar_conversations/" + cancelled).json();
      assertThat(ended.get("status").stringValue()).isEqualTo("ended");
      assertThat(ended.get("startedAt").isNull()).isTrue();
      assertThat(ended.get("endedAt").isNull()).isTrue();
      assertThat(ended.get("duration").isNull()).isTrue();
      JsonNode refused = other.get("/v1/avatar_conversations/" + failed).json();
      assertThat(refused.get("status").stringValue()).isEqualTo("failed");
      assertThat(refused.get("failureCode").stringValue()).isEqualTo("SAFETY.INPUT.TEXT");
      assertThat(refused.get("endedAt").isNull()).isTrue();
      assertThat(refused.get("duration").isNull()).isTrue();

      sim.admin().advanceClock(Duration.ofSeconds(25));
      JsonNode leaked = other.get("/v1/avatar_conversations/" + waiting).json();
      assertThat(leaked.get("status").stringValue()).isEqualTo("failed");
      assertThat(leaked.get("failureCode").stringValue())
          .isEqualTo("TALKING_AVATAR.NO_PARTICIPANT");
      JsonNode summaries = other.get("/v1/avatar_conversations").json().get("data");
      assertThat(summaries.size()).isEqualTo(3);
      summaries.forEach(s -> assertThat(s.get("duration").isNull()).isTrue());
      // They count as sessions in usage, with no measured seconds.
      JsonNode usage = other.get("/v1/avatar_usage?startDate=2026-07-01&endDate=2026-07-02").json();
      assertThat(usage.get("totalSessions").longValue()).isEqualTo(3);
      assertThat(usage.get("totalSeconds").longValue()).isZero();
      assertThat(usage.get("avgDurationSeconds").longValue()).isZero();
    }
  }

  @Test
  void aRecordDelayHidesNewRecordsAndShowsChangesThatMuchLater() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .conversationRecordDelay(Duration.ofSeconds(30))
                .build())) {
      TestApi other = new TestApi(sim);
      SimulatorAdmin a = sim.admin();
      String id = started(other, a, TestApi.PRESET_BODY);
      String path = "/v1/avatar_conversations/" + id;

      a.advanceClock(Duration.ofMillis(29_999));
      assertThat(other.get(path).status()).isEqualTo(404);
      assertThat(other.get("/v1/avatar_conversations").json().get("data").size()).isZero();
      assertThat(other.delete(path).status()).isEqualTo(404);
      a.advanceClock(Duration.ofMillis(1));
      JsonNode appeared = other.get(path).json();
      assertThat(appeared.get("status").stringValue()).isEqualTo("in_progress");
      // The record shows the session as it was 30 s ago: just started.
      assertThat(appeared.get("duration").longValue()).isZero();

      a.advanceClock(Duration.ofSeconds(10));
      a.endCall(id);
      assertThat(other.retrieve(id).json().get("status").stringValue()).isEqualTo("COMPLETED");
      JsonNode lagging = other.get(path).json();
      assertThat(lagging.get("status").stringValue()).isEqualTo("in_progress");
      assertThat(lagging.get("duration").longValue()).isEqualTo(10);

      a.advanceClock(Duration.ofMillis(29_999));
      assertThat(other.get(path).json().get("status").stringValue()).isEqualTo("in_progress");
      a.advanceClock(Duration.ofMillis(1));
      JsonNode ended = other.get(path).json();
      assertThat(ended.get("status").stringValue()).isEqualTo("ended");
      assertThat(ended.get("duration").longValue()).isEqualTo(40);
    }
  }

  @Test
  void bothConversationSettingsCanChangeAtRunTimeOverHttp() {
    String id = api.create();
    Response put =
        api.send(
            api.bare("/_simulator/config")
                .header("Content-Type", "application/json")
                .PUT(
                    BodyPublishers.ofString(
                        "{\"conversationsForUnstartedSessions\":true,"
                            + "\"conversationRecordDelay\":\"10s\"}")));
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().get("conversationsForUnstartedSessions").booleanValue()).isTrue();
    assertThat(put.json().get("conversationRecordDelay").stringValue()).isEqualTo("10s");

    // Records are derived on read, so the new settings apply to the existing session at once.
    admin.advanceClock(Duration.ofMillis(9_999));
    assertThat(api.get("/v1/avatar_conversations/" + id).status()).isEqualTo(404);
    admin.advanceClock(Duration.ofMillis(1));
    JsonNode c = api.get("/v1/avatar_conversations/" + id).json();
    assertThat(c.get("status").stringValue()).isEqualTo("in_progress");
    assertThat(c.get("startedAt").isNull()).isTrue();
  }

  // ---------------------------------------------------------------- delete and ids

  @Test
  void deleteRemovesTheRecordForGoodAndLeavesTheSessionAlone() {
    String id = started(api, admin, SessionLifecycleTest.body(60));
    String kept = started(api, admin, TestApi.PRESET_BODY);
    String path = "/v1/avatar_conversations/" + id;

    Response deleted = api.delete(path);

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertThat(api.get(path).status()).isEqualTo(404);
    assertThat(api.delete(path).status()).isEqualTo(404);
    assertThat(ids(list(""))).containsExactly(kept);
    assertThat(api.retrieve(id).json().get("status").stringValue()).isEqualTo("RUNNING");
    admin.advanceClock(Duration.ofSeconds(60));
    assertThat(api.retrieve(id).json().get("status").stringValue()).isEqualTo("COMPLETED");
    assertThat(api.get(path).status()).isEqualTo(404);
  }

  @Test
  void unknownIdsAre404AndMalformedOnes400() {
    assertThat(api.get("/v1/avatar_conversations/" + UNKNOWN).status()).isEqualTo(404);
    assertThat(api.delete("/v1/avatar_conversations/" + UNKNOWN).status()).isEqualTo(404);
    for (Response r :
        List.of(
            api.get("/v1/avatar_conversations/not-a-uuid"),
            api.delete("/v1/avatar_conversations/not-a-uuid"))) {
      assertThat(r.status()).isEqualTo(400);
      JsonNode issue = r.json().get("issues").get(0);
      assertThat(issue.get("code").stringValue()).isEqualTo("invalid_format");
      assertThat(issue.get("path").get(0).stringValue()).isEqualTo("id");
    }
    String id = started(api, admin, TestApi.PRESET_BODY);
    assertThat(api.get("/v1/avatar_conversations/" + id.toUpperCase(Locale.ROOT)).status())
        .isEqualTo(200);
  }

  // ---------------------------------------------------------------- list

  @Test
  void summariesCarryExactlyTheListFields() {
    String withTools = started(api, admin, TOOLS_BODY);
    admin.advanceClock(Duration.ofMillis(2_500));

    JsonNode s = list("").get("data").get(0);

    assertThat(s.propertyNames())
        .containsExactlyInAnyOrder(
            "id", "name", "status", "avatar", "createdAt", "duration", "hasTools");
    assertThat(s.get("id").stringValue()).isEqualTo(withTools);
    assertThat(s.get("status").stringValue()).isEqualTo("in_progress");
    assertThat(s.get("duration").longValue()).isEqualTo(2);
    assertThat(s.get("hasTools").booleanValue()).isTrue();
    assertThat(s.get("avatar"))
        .isEqualTo(
            TestApi.JSON.readTree(
                "{\"type\":\"runway-preset\",\"presetId\":\"music-superstar\",\"name\":\"Mina\"}"));
    String plain = started(api, admin, TestApi.PRESET_BODY);
    JsonNode first = list("").get("data").get(0);
    assertThat(first.get("id").stringValue()).isEqualTo(plain);
    assertThat(first.get("hasTools").booleanValue()).isFalse();
  }

  @Test
  void listPagesNewestFirstAndACursorSurvivesTheDeletionOfItsRecord() {
    List<String> created = startedSessions(5);

    JsonNode first = list("?limit=2");
    assertThat(ids(first)).containsExactly(created.get(4), created.get(3));
    assertThat(first.get("hasMore").booleanValue()).isTrue();
    String cursor = first.get("nextCursor").stringValue();
    assertThat(api.delete("/v1/avatar_conversations/" + created.get(3)).status()).isEqualTo(204);

    JsonNode second = list("?limit=2&cursor=" + cursor);
    assertThat(ids(second)).containsExactly(created.get(2), created.get(1));
    JsonNode last = list("?limit=2&cursor=" + second.get("nextCursor").stringValue());
    assertThat(ids(last)).containsExactly(created.get(0));
    assertThat(last.get("hasMore").booleanValue()).isFalse();
    assertThat(last.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void limitDefaultsTo20AndIsOneToHundred() {
    startedSessions(21);
    JsonNode page = list("");
    assertThat(page.get("data").size()).isEqualTo(20);
    assertThat(page.get("hasMore").booleanValue()).isTrue();
    assertThat(list("?limit=100").get("data").size()).isEqualTo(21);

    assertIssue(api.get("/v1/avatar_conversations?limit=0"), "too_small", "limit");
    assertIssue(api.get("/v1/avatar_conversations?limit=101"), "too_big", "limit");
    assertIssue(api.get("/v1/avatar_conversations?limit=ten"), "invalid_type", "limit");
    assertIssue(api.get("/v1/avatar_conversations?cursor="), "too_small", "cursor");
    Response forged = api.get("/v1/avatar_conversations?cursor=bm90LWEtY3Vyc29y");
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.error()).isEqualTo("Invalid cursor");
    // A well-formed cursor naming no session (e.g. one from before a reset) is refused too.
    String staleCursor =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(("after:" + UNKNOWN).getBytes(StandardCharsets.UTF_8));
    Response stale = api.get("/v1/avatar_conversations?cursor=" + staleCursor);
    assertThat(stale.status()).isEqualTo(400);
  }

  @Test
  void theAvatarFilterKeepsOneCustomAvatarsConversations() {
    String ada = admin.createAvatar("Ada", AvatarStatus.READY);
    String bo = admin.createAvatar("Bo", AvatarStatus.READY);
    String withAda = started(api, admin, customBody(ada));
    started(api, admin, customBody(bo));
    started(api, admin, TestApi.PRESET_BODY);

    JsonNode page = list("?avatar=" + ada.toUpperCase(Locale.ROOT));

    assertThat(ids(page)).containsExactly(withAda);
    assertThat(page.get("data").get(0).get("avatar"))
        .isEqualTo(
            TestApi.JSON.readTree("{\"type\":\"custom\",\"id\":\"" + ada + "\",\"name\":\"Ada\"}"));
    JsonNode detail = api.get("/v1/avatar_conversations/" + withAda).json();
    assertThat(detail.get("avatar"))
        .isEqualTo(
            TestApi.JSON.readTree(
                "{\"type\":\"custom\",\"id\":\""
                    + ada
                    + "\",\"name\":\"Ada\",\"imageUrl\":"
                    + "\"https://assets.simulator.invalid/avatars/"
                    + ada
                    + "/processed.png\"}"));
    assertThat(detail.get("name").stringValue()).isEqualTo("Conversation with Ada");
    assertThat(list("?avatar=" + UNKNOWN).get("data").size()).isZero();
    assertIssue(api.get("/v1/avatar_conversations?avatar=ada"), "invalid_format", "avatar");
  }

  @Test
  void dateFiltersAreInclusiveStartAndExclusiveEndOnCreatedAtInBothForms() {
    String day1 = started(api, admin, TestApi.PRESET_BODY); // created 2026-07-01T10:00:00Z
    admin.advanceClock(Duration.ofDays(1).minusMillis(1_500));
    String day2 = started(api, admin, TestApi.PRESET_BODY); // created 2026-07-02T10:00:00Z
    admin.advanceClock(Duration.ofDays(1).minusMillis(1_500));
    String day3 = started(api, admin, TestApi.PRESET_BODY); // created 2026-07-03T10:00:00Z
    assertThat(admin.session(day2).orElseThrow().createdAt())
        .isEqualTo(Instant.parse("2026-07-02T10:00:00Z"));

    assertThat(ids(list("?startDate=2026-07-02"))).containsExactly(day3, day2);
    assertThat(ids(list("?endDate=2026-07-02"))).containsExactly(day1);
    assertThat(ids(list("?startDate=2026-07-02T10:00:00Z"))).containsExactly(day3, day2);
    assertThat(ids(list("?startDate=2026-07-02T10:00:00.001Z"))).containsExactly(day3);
    assertThat(ids(list("?endDate=2026-07-02T10:00:00.000Z"))).containsExactly(day1);
    assertThat(ids(list("?startDate=2026-07-02T12:00:00%2B02:00&endDate=2026-07-03T10:00Z")))
        .containsExactly(day2);
    // ASSUMPTION under test: a reversed range is an empty page, not an error.
    assertThat(ids(list("?startDate=2026-07-03&endDate=2026-07-01"))).isEmpty();

    assertIssue(
        api.get("/v1/avatar_conversations?startDate=yesterday"), "invalid_format", "startDate");
    assertIssue(
        api.get("/v1/avatar_conversations?endDate=2026-02-30"), "invalid_format", "endDate");
    assertIssue(
        api.get("/v1/avatar_conversations?startDate=2026-07-01T10:00:00"),
        "invalid_format",
        "startDate");
    Response both = api.get("/v1/avatar_conversations?startDate=x&endDate=y&limit=0");
    assertThat(both.json().get("issues").size()).isEqualTo(3);
  }

  @Test
  void theNewRoutesAreCountedInStats() {
    String id = started(api, admin, TestApi.PRESET_BODY);
    list("");
    api.get("/v1/avatar_conversations/" + id);
    api.get("/v1/avatar_conversations/" + UNKNOWN);
    api.delete("/v1/avatar_conversations/" + id);
    api.get("/v1/avatar_usage?startDate=2026-07-01&endDate=2026-07-02");

    SimulatorStats stats = admin.stats();
    assertThat(stats.count(FaultRule.Route.CONVERSATION_LIST, 200)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.CONVERSATION_RETRIEVE, 200)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.CONVERSATION_RETRIEVE, 404)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.CONVERSATION_DELETE, 204)).isEqualTo(1);
    assertThat(stats.count(FaultRule.Route.USAGE, 200)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  /** Creates a session from {@code body}, lets it become READY and consumes it. */
  static String started(TestApi api, SimulatorAdmin admin, String body) {
    Response created = api.createRaw(body);
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String id = created.json().get("id").stringValue();
    admin.advanceClock(Duration.ofMillis(1_500));
    String key = admin.session(id).orElseThrow().sessionKey().orElseThrow();
    assertThat(api.consume(id, key).status()).isEqualTo(200);
    return id;
  }

  static String customBody(String avatarId) {
    return "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"custom\",\"avatarId\":\""
        + avatarId
        + "\"}}";
  }

  /** {@code n} sessions created in order at the same simulated instant, then all consumed. */
  private List<String> startedSessions(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(api.create());
    }
    admin.advanceClock(Duration.ofMillis(1_500));
    for (String id : ids) {
      api.consume(id, admin.session(id).orElseThrow().sessionKey().orElseThrow());
    }
    return ids;
  }

  private JsonNode list(String query) {
    Response r = api.get("/v1/avatar_conversations" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static List<String> ids(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("data").forEach(c -> out.add(c.get("id").stringValue()));
    return out;
  }

  static void assertIssue(Response r, String code, String param) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonNode issue = r.json().get("issues").get(0);
    assertThat(issue.get("code").stringValue()).isEqualTo(code);
    assertThat(issue.get("path").get(0).stringValue()).isEqualTo(param);
  }
}
