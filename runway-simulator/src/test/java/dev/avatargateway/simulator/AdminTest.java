package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The admin interface in process and over HTTP under {@code /_simulator/}. */
class AdminTest {
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  // ---------------------------------------------------------------- in process

  @Test
  void requestsAreRecordedVerbatimWithLowerCaseHeaderNames() {
    api.send(
        api.request("/v1/realtime_sessions")
            .header("Content-Type", "application/json")
            .header("X-Stainless-Retry-Count", "0")
            .POST(BodyPublishers.ofString(TestApi.PRESET_BODY)));
    api.get("/v1/avatars?limit=5");
    admin.advanceClock(Duration.ofSeconds(1));

    List<RecordedRequest> requests = admin.requests();

    assertThat(requests).hasSize(2);
    RecordedRequest create = requests.get(0);
    assertThat(create.method()).isEqualTo("POST");
    assertThat(create.path()).isEqualTo("/v1/realtime_sessions");
    assertThat(create.query()).isEmpty();
    assertThat(create.body()).isEqualTo(TestApi.PRESET_BODY);
    assertThat(create.time()).isEqualTo(T0);
    assertThat(create.headers()).containsKeys("authorization", "x-runway-version", "content-type");
    assertThat(create.header("X-Stainless-Retry-Count")).contains("0");
    assertThat(requests.get(1).query()).isEqualTo("limit=5");
    assertThat(admin.stats().clientRetries()).isZero();
  }

  @Test
  void resetForgetsEverythingAndRestoresTheStartConfig() {
    admin.setConcurrencyCap(1);
    admin.setCreditsExhausted(true);
    admin.setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    admin.injectFault(FaultRule.builder().route(Route.AVATAR_LIST).status(500).build());
    admin.failNextSessions(3, "X", "y");
    admin.createAvatar("Ada", AvatarStatus.READY);
    admin.setCreditsExhausted(false);
    api.create();
    admin.advanceClock(Duration.ofHours(1));
    api.get("/v1/avatars");

    admin.reset();

    assertThat(admin.sessions()).isEmpty();
    assertThat(admin.requests()).isEmpty();
    assertThat(admin.stats().requests()).isZero();
    assertThat(admin.stats().responses()).isEmpty();
    assertThat(admin.leakedCount()).isZero();
    SimulatorConfig config = SIMULATOR.simulator().config();
    assertThat(config.concurrencyCap()).isEqualTo(SimulatorConfig.UNLIMITED);
    assertThat(config.creditsExhausted()).isFalse();
    assertThat(config.readyAfter()).isEqualTo(DelayDistribution.fixed(Duration.ofMillis(1_500)));
    assertThat(api.get("/v1/avatars").json().get("data").size()).isZero();
    String id = api.create();
    assertThat(admin.session(id).orElseThrow().createdAt()).isEqualTo(T0);
    admin.advanceClock(Duration.ofMillis(1_500));
    assertThat(admin.session(id).orElseThrow().status()).isEqualTo("READY");
  }

  @Test
  void configReportsTheBoundPort() {
    assertThat(SIMULATOR.simulator().config().port()).isEqualTo(SIMULATOR.simulator().port());
    assertThat(SIMULATOR.baseUrl().toString())
        .isEqualTo("http://127.0.0.1:" + SIMULATOR.simulator().port());
  }

  @Test
  void setAvatarStatusOfAnUnknownAvatarFails() {
    assertThatThrownBy(
            () -> admin.setAvatarStatus("7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10", AvatarStatus.READY))
        .isInstanceOf(SimulatorException.class);
  }

  // ---------------------------------------------------------------- over HTTP

  @Test
  void httpSessionsAndSessionById() {
    String id = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    api.retrieve(id);

    JsonNode all = adminGet("/_simulator/sessions").json();
    JsonNode one = adminGet("/_simulator/sessions/" + id).json();

    assertThat(all.size()).isEqualTo(1);
    assertThat(one.get("id").stringValue()).isEqualTo(id);
    assertThat(one.get("status").stringValue()).isEqualTo("READY");
    assertThat(one.get("readyAt").stringValue()).isEqualTo("2026-11-23T12:00:01.500Z");
    assertThat(one.get("consumedAt").isNull()).isTrue();
    assertThat(one.get("sessionKey").stringValue()).startsWith("stk_");
    assertThat(one.get("getCount").intValue()).isEqualTo(1);
    assertThat(one.get("createBody").stringValue()).isEqualTo(TestApi.PRESET_BODY);
    assertThat(adminGet("/_simulator/sessions/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10").status())
        .isEqualTo(404);
  }

  @Test
  void httpStatsIncludeLeakedAndOpen() {
    api.create();
    api.create();
    admin.advanceClock(Duration.ofSeconds(30));
    api.create();

    JsonNode stats = adminGet("/_simulator/stats").json();

    assertThat(stats.get("leaked").intValue()).isEqualTo(2);
    assertThat(stats.get("open").intValue()).isEqualTo(1);
    assertThat(stats.get("sessionsCreated").intValue()).isEqualTo(3);
    assertThat(stats.get("requests").intValue()).isEqualTo(3);
    assertThat(stats.get("responses").get("CREATE").get("200").intValue()).isEqualTo(3);
  }

  @Test
  void httpRequests() {
    api.get("/v1/avatars");
    JsonNode requests = adminGet("/_simulator/requests").json();
    assertThat(requests.size()).isEqualTo(1);
    assertThat(requests.get(0).get("path").stringValue()).isEqualTo("/v1/avatars");
    assertThat(requests.get(0).get("headers").get("x-runway-version").get(0).stringValue())
        .isEqualTo(TestApi.VERSION);
  }

  @Test
  void httpFaultsAsJsonOrCompactSpecAndClear() {
    Response added =
        adminSend(
            "POST",
            "/_simulator/faults",
            "{\"route\":\"CREATE\",\"status\":429,\"times\":1,\"retryAfterMillis\":300,"
                + "\"shouldRetry\":true}");
    assertThat(added.status()).isEqualTo(200);
    assertThat(added.json().get("kind").stringValue()).isEqualTo("STATUS");
    assertThat(added.json().get("retryAfterMillis").intValue()).isEqualTo(300);
    Response spec = adminSend("POST", "/_simulator/faults", "{\"spec\":\"avatar-list:reset\"}");
    assertThat(spec.json().get("kind").stringValue()).isEqualTo("RESET");

    Response create = api.createRaw(TestApi.PRESET_BODY);
    assertThat(create.status()).isEqualTo(429);
    assertThat(create.header("retry-after-ms")).contains("300");
    assertThat(create.header("x-should-retry")).contains("true");

    assertThat(adminSend("DELETE", "/_simulator/faults", null).status()).isEqualTo(204);
    assertThat(api.get("/v1/avatars").status()).isEqualTo(200);
  }

  @Test
  void httpFaultValidation() {
    assertThat(adminSend("POST", "/_simulator/faults", "{\"status\":200}").status()).isEqualTo(400);
    assertThat(adminSend("POST", "/_simulator/faults", "{\"probability\":2}").status())
        .isEqualTo(400);
    assertThat(adminSend("POST", "/_simulator/faults", "{\"colour\":\"red\"}").status())
        .isEqualTo(400);
    assertThat(adminSend("POST", "/_simulator/faults", "{\"spec\":\"nowhere:500\"}").status())
        .isEqualTo(400);
    assertThat(adminSend("POST", "/_simulator/faults", "not json").status()).isEqualTo(400);
  }

  @Test
  void httpConfigPartialUpdate() {
    Response r =
        adminSend(
            "PUT",
            "/_simulator/config",
            "{\"readyAfter\":\"uniform(1s,3s)\",\"concurrencyCap\":2,\"creditsExhausted\":true,"
                + "\"readyWindow\":\"10s\",\"secondConsumeStatus\":410,\"maxSessionDuration\":60000}");

    assertThat(r.status()).isEqualTo(200);
    JsonNode c = r.json();
    assertThat(c.get("readyAfter").stringValue()).isEqualTo("uniform(1s,3s)");
    assertThat(c.get("concurrencyCap").intValue()).isEqualTo(2);
    assertThat(c.get("readyWindow").stringValue()).isEqualTo("10s");
    assertThat(c.get("maxSessionDuration").stringValue()).isEqualTo("60s");
    assertThat(c.toString()).doesNotContain(SimulatorConfig.DEFAULT_API_KEY);
    SimulatorConfig now = SIMULATOR.simulator().config();
    assertThat(now.creditsExhausted()).isTrue();
    assertThat(now.secondConsumeStatus()).isEqualTo(410);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(402);

    assertThat(
            adminSend("PUT", "/_simulator/config", "{\"concurrencyCap\":null}")
                .json()
                .get("concurrencyCap")
                .isNull())
        .isTrue();
    assertThat(adminSend("PUT", "/_simulator/config", "{\"port\":1}").status()).isEqualTo(400);
    assertThat(adminSend("PUT", "/_simulator/config", "{\"concurrencyCap\":0}").status())
        .isEqualTo(400);
    assertThat(adminGet("/_simulator/config").json().get("concurrencyCap").isNull()).isTrue();
  }

  @Test
  void httpFailNext() {
    assertThat(
            adminSend(
                    "POST",
                    "/_simulator/fail-next",
                    "{\"count\":1,\"failureCode\":\"SAFETY.INPUT.TEXT\",\"failure\":\"No\"}")
                .status())
        .isEqualTo(204);
    String id = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    assertThat(admin.session(id).orElseThrow().failureCode()).contains("SAFETY.INPUT.TEXT");
    assertThat(adminSend("POST", "/_simulator/fail-next", "{}").status()).isEqualTo(400);
  }

  @Test
  void httpAvatars() {
    Response created =
        adminSend(
            "POST",
            "/_simulator/avatars",
            "{\"name\":\"Ada\",\"status\":\"PROCESSING\",\"startScript\":\"Hello\"}");
    String id = created.json().get("id").stringValue();
    JsonNode avatar = api.get("/v1/avatars/" + id).json();
    assertThat(avatar.get("status").stringValue()).isEqualTo("PROCESSING");
    assertThat(avatar.get("startScript").stringValue()).isEqualTo("Hello");

    assertThat(adminSend("PUT", "/_simulator/avatars/" + id, "{\"status\":\"READY\"}").status())
        .isEqualTo(204);
    assertThat(api.get("/v1/avatars/" + id).json().get("status").stringValue()).isEqualTo("READY");
    assertThat(adminSend("POST", "/_simulator/avatars", "{\"status\":\"READY\"}").status())
        .isEqualTo(400);
    assertThat(
            adminSend(
                    "PUT",
                    "/_simulator/avatars/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10",
                    "{\"status\":\"READY\"}")
                .status())
        .isEqualTo(404);
  }

  @Test
  void httpClockAdvance() {
    String id = api.create();
    Response r = adminSend("POST", "/_simulator/clock/advance", "{\"millis\": 1500}");
    assertThat(r.json().get("now").stringValue()).isEqualTo("2026-11-23T12:00:01.500Z");
    assertThat(admin.session(id).orElseThrow().status()).isEqualTo("READY");
    adminSend("POST", "/_simulator/clock/advance", "{\"by\": \"25s\"}");
    assertThat(admin.leakedCount()).isEqualTo(1);
    assertThat(adminSend("POST", "/_simulator/clock/advance", "{\"millis\": -1}").status())
        .isEqualTo(400);
  }

  @Test
  void httpEndCallAndFailOfARunningSession() {
    String ends = ConversationApiTest.started(api, admin, TestApi.PRESET_BODY);
    String fails = ConversationApiTest.started(api, admin, TestApi.PRESET_BODY);
    admin.advanceClock(Duration.ofSeconds(7));

    Response ended = adminSend("POST", "/_simulator/sessions/" + ends + "/end-call", null);
    Response failed =
        adminSend(
            "POST",
            "/_simulator/sessions/" + fails + "/fail",
            "{\"failureCode\":\"SAFETY.OUTPUT.AUDIO\"}");

    assertThat(ended.status()).isEqualTo(204);
    JsonNode one = adminGet("/_simulator/sessions/" + ends).json();
    assertThat(one.get("status").stringValue()).isEqualTo("COMPLETED");
    assertThat(one.get("durationSeconds").intValue()).isEqualTo(8);
    assertThat(one.get("endedAt").stringValue()).isEqualTo("2026-11-23T12:00:10.000Z");
    assertThat(failed.status()).isEqualTo(204);
    SessionRecord f = admin.session(fails).orElseThrow();
    assertThat(f.status()).isEqualTo("FAILED");
    assertThat(f.failureCode()).contains("SAFETY.OUTPUT.AUDIO");
    assertThat(f.failure()).contains("Session failed (simulated)");

    Response again = adminSend("POST", "/_simulator/sessions/" + ends + "/end-call", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).contains("COMPLETED");
    assertThat(adminSend("POST", "/_simulator/sessions/" + fails + "/fail", "{}").status())
        .isEqualTo(409);
    String unknown = "/_simulator/sessions/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10";
    assertThat(adminSend("POST", unknown + "/end-call", null).status()).isEqualTo(404);
    assertThat(adminSend("POST", unknown + "/fail", null).status()).isEqualTo(404);
    assertThat(adminGet("/_simulator/sessions/" + ends + "/end-call").status()).isEqualTo(405);
    assertThat(adminSend("POST", "/_simulator/sessions/" + ends + "/nope", null).status())
        .isEqualTo(404);
    assertThat(
            adminSend("POST", "/_simulator/sessions/" + fails + "/fail", "{\"colour\":1}").status())
        .isEqualTo(400);
  }

  @Test
  void httpConfigShowsTheConversationSettingsAndResetRestoresThem() {
    JsonNode before = adminGet("/_simulator/config").json();
    assertThat(before.get("conversationsForUnstartedSessions").booleanValue()).isFalse();
    assertThat(before.get("conversationRecordDelay").stringValue()).isEqualTo("0ms");

    JsonNode after =
        adminSend(
                "PUT",
                "/_simulator/config",
                "{\"conversationsForUnstartedSessions\":true,\"conversationRecordDelay\":2500}")
            .json();
    assertThat(after.get("conversationsForUnstartedSessions").booleanValue()).isTrue();
    assertThat(after.get("conversationRecordDelay").stringValue()).isEqualTo("2500ms");
    assertThat(SIMULATOR.simulator().config().conversationRecordDelay())
        .isEqualTo(Duration.ofMillis(2_500));
    assertThat(
            adminSend("PUT", "/_simulator/config", "{\"conversationsForUnstartedSessions\":1}")
                .status())
        .isEqualTo(400);
    assertThat(
            adminSend("PUT", "/_simulator/config", "{\"conversationRecordDelay\":\"-1s\"}")
                .status())
        .isEqualTo(400);

    admin.reset();

    assertThat(SIMULATOR.simulator().config().conversationsForUnstartedSessions()).isFalse();
    assertThat(SIMULATOR.simulator().config().conversationRecordDelay()).isZero();
  }

  @Test
  void httpReset() {
    api.create();
    assertThat(adminSend("POST", "/_simulator/reset", null).status()).isEqualTo(204);
    assertThat(admin.sessions()).isEmpty();
  }

  @Test
  void httpAdminUnknownRoutesAndMethods() {
    assertThat(adminGet("/_simulator/nope").status()).isEqualTo(404);
    assertThat(adminSend("POST", "/_simulator/sessions", "{}").status()).isEqualTo(405);
    assertThat(adminGet("/_simulator/reset").status()).isEqualTo(405);
    // Admin calls are neither recorded nor counted.
    assertThat(admin.requests()).isEmpty();
  }

  private Response adminGet(String path) {
    return api.send(api.bare(path).GET());
  }

  private Response adminSend(String method, String path, String body) {
    HttpRequest.Builder b = api.bare(path).header("Content-Type", "application/json");
    return api.send(
        b.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)));
  }
}
