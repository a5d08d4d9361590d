package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The session lifecycle of runway-api.md §2.3, driven by simulated time only. */
class SessionLifecycleTest {
  static final Instant T0 = Instant.parse("2026-11-23T22:23:19.129Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private static final Pattern UUID_V4 =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  @Test
  void createAnswers200WithOnlyAUuidV4Id() {
    Response r = api.createRaw(TestApi.PRESET_BODY);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).contains("application/json");
    JsonNode json = r.json();
    assertThat(json.propertyNames()).containsExactly("id");
    assertThat(json.get("id").stringValue()).matches(UUID_V4);
  }

  @Test
  void notReadyUntilTheReadinessDelayThenReadyWithAKey() {
    String id = api.create();

    JsonNode first = api.retrieve(id).json();
    assertThat(first.get("status").stringValue()).isEqualTo("NOT_READY");
    assertThat(first.get("queued").booleanValue()).isFalse();
    assertThat(first.get("createdAt").stringValue()).isEqualTo("2026-11-23T22:23:19.129Z");

    admin.advanceClock(Duration.ofMillis(1_499));
    assertThat(status(id)).isEqualTo("NOT_READY");

    admin.advanceClock(Duration.ofMillis(1));
    JsonNode ready = api.retrieve(id).json();
    assertThat(ready.get("status").stringValue()).isEqualTo("READY");
    assertThat(ready.get("sessionKey").stringValue()).startsWith("stk_").hasSizeGreaterThan(40);
    // expiresAt = createdAt + sessionKeyTtl (5 min by default).
    assertThat(ready.get("expiresAt").stringValue()).isEqualTo("2026-11-23T22:28:19.129Z");
    assertThat(ready.propertyNames())
        .containsExactlyInAnyOrder("id", "status", "createdAt", "expiresAt", "sessionKey");
    SessionRecord record = admin.session(id).orElseThrow();
    assertThat(record.readyAt()).contains(T0.plusMillis(1_500));
    assertThat(record.getCount()).isEqualTo(3);
  }

  @Test
  void consumedSessionRunsThenCompletesAfterItsMaxDuration() {
    String id = api.createRaw(body(60)).json().get("id").stringValue();
    String key = readyKey(id);

    assertThat(api.consume(id, key).status()).isEqualTo(200);
    assertThat(status(id)).isEqualTo("RUNNING");
    assertThat(api.retrieve(id).json().propertyNames())
        .containsExactlyInAnyOrder("id", "status", "createdAt");

    admin.advanceClock(Duration.ofSeconds(59));
    assertThat(status(id)).isEqualTo("RUNNING");
    admin.advanceClock(Duration.ofSeconds(1));
    JsonNode done = api.retrieve(id).json();
    assertThat(done.get("status").stringValue()).isEqualTo("COMPLETED");
    assertThat(done.get("duration").isIntegralNumber()).isTrue();
    assertThat(done.get("duration").intValue()).isEqualTo(60);
    SessionRecord record = admin.session(id).orElseThrow();
    assertThat(record.endedAt()).contains(T0.plusMillis(1_500).plusSeconds(60));
    assertThat(record.leaked()).isFalse();
  }

  @Test
  void runningIsClampedToTheMaxSessionDuration() {
    // client-contract.md §6.3: sessions end at about 300 s even when maxDuration is 1800.
    String id = api.createRaw(body(1800)).json().get("id").stringValue();
    api.consume(id, readyKey(id));

    admin.advanceClock(Duration.ofSeconds(299));
    assertThat(status(id)).isEqualTo("RUNNING");
    admin.advanceClock(Duration.ofSeconds(1));
    JsonNode done = api.retrieve(id).json();
    assertThat(done.get("status").stringValue()).isEqualTo("COMPLETED");
    assertThat(done.get("duration").intValue()).isEqualTo(300);
  }

  @Test
  void defaultMaxDurationIs300Seconds() {
    String id = api.create();
    api.consume(id, readyKey(id));
    admin.advanceClock(Duration.ofMinutes(5));
    assertThat(api.retrieve(id).json().get("duration").intValue()).isEqualTo(300);
    assertThat(admin.session(id).orElseThrow().maxDurationSeconds()).isEqualTo(300);
  }

  @Test
  void endCallCompletesARunningSessionWithTheWholeSecondsItRan() {
    // runway-api-additions.md, "Ending a session": END_CALL gives COMPLETED with a duration.
    String id = api.createRaw(body(120)).json().get("id").stringValue();
    api.consume(id, readyKey(id));
    admin.advanceClock(Duration.ofMillis(42_900));

    admin.endCall(id);

    JsonNode done = api.retrieve(id).json();
    assertThat(done.get("status").stringValue()).isEqualTo("COMPLETED");
    assertThat(done.get("duration").intValue()).isEqualTo(42);
    SessionRecord record = admin.session(id).orElseThrow();
    assertThat(record.consumedAt()).contains(T0.plusMillis(1_500));
    assertThat(record.endedAt()).contains(T0.plusMillis(44_400));
    assertThat(record.durationSeconds()).contains(42L);
    assertThat(record.cancelledAt()).isEmpty();
    // The maxDuration timer of the ended run must not fire later.
    admin.advanceClock(Duration.ofMinutes(5));
    assertThat(admin.session(id).orElseThrow().endedAt()).contains(T0.plusMillis(44_400));
    assertThat(api.retrieve(id).json().get("duration").intValue()).isEqualTo(42);
  }

  @Test
  void endCallAndFailRunningSessionOnlyApplyToRunningSessions() {
    String notReady = api.create();
    assertThatThrownBy(() -> admin.endCall(notReady)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> admin.failRunningSession(notReady, "INTERNAL", "x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> admin.endCall("7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10"))
        .isInstanceOf(SimulatorException.class);
    String running = api.create();
    api.consume(running, readyKey(running));
    assertThatThrownBy(() -> admin.failRunningSession(running, " ", "x"))
        .isInstanceOf(SimulatorException.class);
    assertThat(status(running)).isEqualTo("RUNNING");
    admin.endCall(running);
    assertThatThrownBy(() -> admin.endCall(running)).isInstanceOf(IllegalStateException.class);
    assertThat(status(notReady)).isEqualTo("READY");
  }

  @Test
  void failRunningSessionFailsItAndFreesItsSlot() {
    admin.setConcurrencyCap(1);
    String id = api.create();
    String queued = api.create();
    api.consume(id, readyKey(id));

    admin.failRunningSession(id, "INTERNAL", "Worker crashed");

    JsonNode failed = api.retrieve(id).json();
    assertThat(failed.get("status").stringValue()).isEqualTo("FAILED");
    assertThat(failed.get("failure").stringValue()).isEqualTo("Worker crashed");
    assertThat(admin.session(id).orElseThrow().leaked()).isFalse();
    assertThat(admin.session(queued).orElseThrow().queued()).isFalse();
  }

  @Test
  void anUnconsumedReadySessionFailsForNoParticipantAndIsLeaked() {
    String id = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    assertThat(status(id)).isEqualTo("READY");
    assertThat(admin.openCount()).isEqualTo(1);

    admin.advanceClock(Duration.ofSeconds(25).minusMillis(1));
    assertThat(status(id)).isEqualTo("READY");
    assertThat(admin.leakedCount()).isZero();

    admin.advanceClock(Duration.ofMillis(1));
    JsonNode failed = api.retrieve(id).json();
    assertThat(failed.get("status").stringValue()).isEqualTo("FAILED");
    assertThat(failed.get("failureCode").stringValue()).isEqualTo("TALKING_AVATAR.NO_PARTICIPANT");
    assertThat(failed.get("failure").stringValue()).isEqualTo("No participants joined the session");
    assertThat(admin.leakedCount()).isEqualTo(1);
    assertThat(admin.openCount()).isZero();
    assertThat(admin.session(id).orElseThrow().leaked()).isTrue();
    assertThat(admin.stats().leaked()).isEqualTo(1);
  }

  @Test
  void theLeakIsSeenWithoutAnyRequestInBetween() {
    api.create();
    // One jump across READY and the whole window; nobody polled.
    admin.advanceClock(Duration.ofMinutes(10));
    assertThat(admin.leakedCount()).isEqualTo(1);
  }

  @Test
  void nothingLeaksWhenSessionsAreConsumedOrCancelled() {
    String consumed = api.create();
    String cancelledReady = api.create();
    String cancelledEarly = api.create();
    assertThat(api.delete("/v1/realtime_sessions/" + cancelledEarly).status()).isEqualTo(204);
    admin.advanceClock(Duration.ofMillis(1_500));
    api.consume(consumed, admin.session(consumed).orElseThrow().sessionKey().orElseThrow());
    api.delete("/v1/realtime_sessions/" + cancelledReady);

    admin.advanceClock(Duration.ofMinutes(30));

    assertThat(admin.leakedCount()).isZero();
    assertThat(admin.openCount()).isZero();
    assertThat(admin.sessions())
        .extracting(SessionRecord::status)
        .containsExactly("COMPLETED", "CANCELLED", "CANCELLED");
  }

  @Test
  void aShortKeyLifetimeEndsTheReadyWindowEarly() {
    admin.reset();
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .sessionKeyTtl(Duration.ofSeconds(10))
                .build())) {
      TestApi other = new TestApi(sim);
      String id = other.create();
      sim.admin().advanceClock(Duration.ofMillis(1_500));
      assertThat(other.retrieve(id).json().get("expiresAt").stringValue())
          .isEqualTo("2026-11-23T22:23:29.129Z");
      sim.admin().advanceClock(Duration.ofMillis(8_500));
      assertThat(other.retrieve(id).json().get("status").stringValue()).isEqualTo("FAILED");
      assertThat(sim.admin().leakedCount()).isEqualTo(1);
    }
  }

  @Test
  void cancelEndsEveryLiveStatusAndLeavesTerminalOnesAlone() {
    String notReady = api.create();
    String ready = api.create();
    String running = api.create();
    assertThat(api.delete("/v1/realtime_sessions/" + notReady).status()).isEqualTo(204);
    admin.advanceClock(Duration.ofMillis(1_500));
    api.consume(running, admin.session(running).orElseThrow().sessionKey().orElseThrow());

    Response r1 = api.delete("/v1/realtime_sessions/" + ready);
    Response r2 = api.delete("/v1/realtime_sessions/" + running);

    assertThat(r1.status()).isEqualTo(204);
    assertThat(r1.body()).isEmpty();
    assertThat(r2.status()).isEqualTo(204);
    for (String id : new String[] {notReady, ready, running}) {
      JsonNode j = api.retrieve(id).json();
      assertThat(j.get("status").stringValue()).isEqualTo("CANCELLED");
      assertThat(j.propertyNames()).containsExactlyInAnyOrder("id", "status", "createdAt");
    }
    assertThat(admin.session(notReady).orElseThrow().cancelledAt()).contains(T0);

    // ASSUMPTION under test: DELETE of a terminal session is 204 and changes nothing.
    String completed = api.createRaw(body(10)).json().get("id").stringValue();
    api.consume(completed, readyKey(completed));
    admin.advanceClock(Duration.ofSeconds(10));
    assertThat(api.delete("/v1/realtime_sessions/" + completed).status()).isEqualTo(204);
    assertThat(status(completed)).isEqualTo("COMPLETED");
    assertThat(admin.session(completed).orElseThrow().cancelledAt()).isEmpty();

    // Every DELETE is counted, the ones that changed nothing too: a client that cancels each
    // session exactly once is told apart from one that cancels twice.
    assertThat(api.delete("/v1/realtime_sessions/" + ready).status()).isEqualTo(204);
    assertThat(admin.session(ready).orElseThrow().cancelRequests()).isEqualTo(2);
    assertThat(admin.session(running).orElseThrow().cancelRequests()).isEqualTo(1);
    assertThat(admin.session(completed).orElseThrow().cancelRequests()).isEqualTo(1);
  }

  @Test
  void unknownIdIs404AndAMalformedIdIs400() {
    String unknown = "7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10";
    Response get = api.retrieve(unknown);
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.error()).isNotBlank();
    assertThat(api.delete("/v1/realtime_sessions/" + unknown).status()).isEqualTo(404);

    Response malformed = api.retrieve("not-a-uuid");
    assertThat(malformed.status()).isEqualTo(400);
    JsonNode issue = malformed.json().get("issues").get(0);
    assertThat(issue.get("code").stringValue()).isEqualTo("invalid_format");
    assertThat(issue.get("path").get(0).stringValue()).isEqualTo("id");
    assertThat(api.delete("/v1/realtime_sessions/not-a-uuid").status()).isEqualTo(400);
  }

  @Test
  void idsAreMatchedCaseInsensitively() {
    String id = api.create();
    assertThat(api.retrieve(id.toUpperCase(java.util.Locale.ROOT)).status()).isEqualTo(200);
  }

  @Test
  void sessionsBeyondTheCapQueueUntilASlotFrees() {
    admin.setConcurrencyCap(1);
    String first = api.create();
    String second = api.create();

    JsonNode queued = api.retrieve(second).json();
    assertThat(queued.get("status").stringValue()).isEqualTo("NOT_READY");
    assertThat(queued.get("queued").booleanValue()).isTrue();

    admin.advanceClock(Duration.ofSeconds(5));
    assertThat(status(first)).isEqualTo("READY");
    assertThat(api.retrieve(second).json().get("queued").booleanValue()).isTrue();

    // A slot is held until a terminal status: cancelling the first frees it.
    api.delete("/v1/realtime_sessions/" + first);
    JsonNode provisioning = api.retrieve(second).json();
    assertThat(provisioning.get("queued").booleanValue()).isFalse();
    assertThat(admin.session(second).orElseThrow().provisioningStartedAt())
        .contains(T0.plusSeconds(5));

    admin.advanceClock(Duration.ofMillis(1_500));
    assertThat(status(second)).isEqualTo("READY");
  }

  @Test
  void aQueuedSessionStartsAtTheInstantTheSlotFreedEvenIfNobodyLooked() {
    admin.setConcurrencyCap(1);
    String first = api.create();
    String second = api.create();

    // first: READY at 1.5 s, FAILED (no participant) at 26.5 s; second starts then, READY at 28 s.
    admin.advanceClock(Duration.ofSeconds(28));

    SessionRecord a = admin.session(first).orElseThrow();
    SessionRecord b = admin.session(second).orElseThrow();
    assertThat(a.status()).isEqualTo("FAILED");
    assertThat(a.endedAt()).contains(T0.plusMillis(26_500));
    assertThat(b.provisioningStartedAt()).isEqualTo(a.endedAt());
    assertThat(b.status()).isEqualTo("READY");
    assertThat(b.readyAt()).contains(T0.plusSeconds(28));
  }

  @Test
  void completingOrFailingAlsoFreesTheSlotInCreationOrder() {
    admin.setConcurrencyCap(1);
    String first = api.createRaw(body(10)).json().get("id").stringValue();
    String second = api.create();
    String third = api.create();
    api.consume(first, readyKey(first));

    admin.advanceClock(Duration.ofSeconds(10));
    assertThat(status(first)).isEqualTo("COMPLETED");
    assertThat(api.retrieve(second).json().get("queued").booleanValue()).isFalse();
    assertThat(api.retrieve(third).json().get("queued").booleanValue()).isTrue();
  }

  @Test
  void raisingTheCapStartsQueuedSessionsAtOnce() {
    admin.setConcurrencyCap(1);
    api.create();
    String queued = api.create();
    assertThat(admin.session(queued).orElseThrow().queued()).isTrue();

    admin.setConcurrencyCap(2);

    assertThat(admin.session(queued).orElseThrow().queued()).isFalse();
    assertThat(SIMULATOR.simulator().config().concurrencyCap()).isEqualTo(2);
  }

  @Test
  void cancellingAQueuedSessionRemovesItFromTheQueue() {
    admin.setConcurrencyCap(1);
    String first = api.create();
    String second = api.create();
    String third = api.create();
    api.delete("/v1/realtime_sessions/" + second);
    api.delete("/v1/realtime_sessions/" + first);

    assertThat(admin.session(second).orElseThrow().provisioningStartedAt()).isEmpty();
    assertThat(admin.session(third).orElseThrow().queued()).isFalse();
  }

  @Test
  void failNextSessionsFailsThemWhenProvisioningEnds() {
    admin.failNextSessions(2, "SAFETY.INPUT.TEXT", "Refused by moderation");
    String a = api.create();
    String b = api.create();
    String c = api.create();
    assertThat(status(a)).isEqualTo("NOT_READY");

    admin.advanceClock(Duration.ofMillis(1_500));

    JsonNode failed = api.retrieve(a).json();
    assertThat(failed.get("status").stringValue()).isEqualTo("FAILED");
    assertThat(failed.get("failureCode").stringValue()).isEqualTo("SAFETY.INPUT.TEXT");
    assertThat(failed.get("failure").stringValue()).isEqualTo("Refused by moderation");
    assertThat(status(b)).isEqualTo("FAILED");
    assertThat(status(c)).isEqualTo("READY");
    assertThat(admin.leakedCount()).isZero();
  }

  @Test
  void setReadyAfterChangesTheDelayOfNewSessions() {
    admin.setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(4)));
    String id = api.create();
    admin.advanceClock(Duration.ofMillis(3_999));
    assertThat(status(id)).isEqualTo("NOT_READY");
    admin.advanceClock(Duration.ofMillis(1));
    assertThat(status(id)).isEqualTo("READY");
  }

  @Test
  void uniformDelaysStayWithinTheirBounds() {
    admin.setReadyAfter(DelayDistribution.parse("uniform(1s,3s)"));
    for (int i = 0; i < 20; i++) {
      api.create();
    }
    admin.advanceClock(Duration.ofMillis(999));
    assertThat(admin.sessions()).allMatch(s -> s.status().equals("NOT_READY"));
    admin.advanceClock(Duration.ofMillis(2_001));
    assertThat(admin.sessions()).allMatch(s -> s.status().equals("READY"));
  }

  @Test
  void exhaustedCreditsAnswer402AndCreateNothing() {
    admin.setCreditsExhausted(true);
    Response r = api.createRaw(TestApi.PRESET_BODY);
    assertThat(r.status()).isEqualTo(402);
    assertThat(r.error()).isNotBlank();
    assertThat(admin.sessions()).isEmpty();

    admin.setCreditsExhausted(false);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(200);
  }

  @Test
  void theRecordKeepsTheRawCreateBody() {
    String body = body(42);
    String id = api.createRaw(body).json().get("id").stringValue();
    SessionRecord r = admin.session(id).orElseThrow();
    assertThat(r.createBody()).isEqualTo(body);
    assertThat(r.maxDurationSeconds()).isEqualTo(42);
    assertThat(r.toString()).doesNotContain("stk_");
  }

  @Test
  void advancingTheClockBackwardsIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> admin.advanceClock(Duration.ofSeconds(-1)))
        .isInstanceOf(SimulatorException.class);
  }

  private String status(String id) {
    return api.retrieve(id).json().get("status").stringValue();
  }

  private String readyKey(String id) {
    admin.advanceClock(Duration.ofMillis(1_500));
    JsonNode j = api.retrieve(id).json();
    assertThat(j.get("status").stringValue()).isEqualTo("READY");
    return j.get("sessionKey").stringValue();
  }

  static String body(int maxDuration) {
    return "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"runway-preset\","
        + "\"presetId\":\"influencer\"},\"maxDuration\":"
        + maxDuration
        + "}";
  }
}
