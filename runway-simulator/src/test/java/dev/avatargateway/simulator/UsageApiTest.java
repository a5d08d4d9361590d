package dev.avatargateway.simulator;

import static dev.avatargateway.simulator.ConversationApiTest.assertIssue;
import static dev.avatargateway.simulator.ConversationApiTest.started;
import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/avatar_usage} (runway-api-additions.md, Usage), from the sessions' run times. */
class UsageApiTest {
  // One minute before midnight UTC: the sessions below fall on two days.
  static final Instant T0 = Instant.parse("2026-07-01T23:59:00Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();
  private String ended60;
  private String cancelled45;

  /**
   * 2026-07-01: one call ended by END_CALL after 60 s. 2026-07-02: one cancelled after 45 s while
   * RUNNING, one still running, and one cancelled before it started (no record by default).
   */
  @BeforeEach
  void seed() {
    ended60 = started(api, admin, TestApi.PRESET_BODY); // created 2026-07-01T23:59:00Z
    admin.advanceClock(Duration.ofSeconds(60));
    admin.endCall(ended60);
    cancelled45 = started(api, admin, TestApi.PRESET_BODY); // created 2026-07-02T00:00:01.500Z
    admin.advanceClock(Duration.ofMillis(45_500));
    api.delete("/v1/realtime_sessions/" + cancelled45);
    started(api, admin, TestApi.PRESET_BODY); // created 2026-07-02T00:00:48.500Z, running
    String neverStarted = api.create();
    api.delete("/v1/realtime_sessions/" + neverStarted);
    admin.advanceClock(Duration.ofSeconds(100));
  }

  @Test
  void totalsAndDaysCountRecordsAndMeasuredSecondsWithEmptyDaysAsZeroes() {
    JsonNode u = usage("startDate=2026-07-01&endDate=2026-07-04");

    assertThat(u.propertyNames())
        .containsExactlyInAnyOrder("totalSessions", "totalSeconds", "avgDurationSeconds", "byDay");
    // The running one counts as a session but has no measured duration yet (OAS wording).
    assertThat(u.get("totalSessions").longValue()).isEqualTo(3);
    assertThat(u.get("totalSeconds").longValue()).isEqualTo(105);
    // ASSUMPTION under test: 105 / 2 = 52.5 rounds half up.
    assertThat(u.get("avgDurationSeconds").longValue()).isEqualTo(53);
    assertThat(u.get("byDay"))
        .isEqualTo(
            TestApi.JSON.readTree(
                "[{\"date\":\"2026-07-01\",\"sessions\":1,\"seconds\":60},"
                    + "{\"date\":\"2026-07-02\",\"sessions\":2,\"seconds\":45},"
                    + "{\"date\":\"2026-07-03\",\"sessions\":0,\"seconds\":0}]"));
  }

  @Test
  void instantsBoundTheRangeInclusiveStartExclusiveEnd() {
    JsonNode u = usage("startDate=2026-07-02T00:00:01.500Z&endDate=2026-07-02T00:00:48.500Z");

    assertThat(u.get("totalSessions").longValue()).isEqualTo(1);
    assertThat(u.get("totalSeconds").longValue()).isEqualTo(45);
    assertThat(u.get("avgDurationSeconds").longValue()).isEqualTo(45);
    assertThat(u.get("byDay").size()).isEqualTo(1);
    assertThat(u.get("byDay").get(0).get("date").stringValue()).isEqualTo("2026-07-02");

    JsonNode offset = usage("startDate=2026-07-02T01:00:00%2B01:00&endDate=2026-07-02T00:01Z");
    assertThat(offset.get("totalSessions").longValue()).isEqualTo(2);
  }

  @Test
  void aDeletedConversationNoLongerCounts() {
    assertThat(api.delete("/v1/avatar_conversations/" + cancelled45).status()).isEqualTo(204);

    JsonNode u = usage("startDate=2026-07-01&endDate=2026-07-03");

    assertThat(u.get("totalSessions").longValue()).isEqualTo(2);
    assertThat(u.get("totalSeconds").longValue()).isEqualTo(60);
    assertThat(u.get("avgDurationSeconds").longValue()).isEqualTo(60);
    assertThat(admin.session(ended60).orElseThrow().durationSeconds()).contains(60L);
  }

  @Test
  void aRangeWithoutConversationsIsAllZeroes() {
    JsonNode u = usage("startDate=2026-06-01&endDate=2026-06-03");
    assertThat(u.get("totalSessions").longValue()).isZero();
    assertThat(u.get("totalSeconds").longValue()).isZero();
    assertThat(u.get("avgDurationSeconds").longValue()).isZero();
    assertThat(u.get("byDay").size()).isEqualTo(2);
    assertThat(u.get("byDay").get(1).get("sessions").longValue()).isZero();
  }

  @Test
  void bothDatesAreRequiredAndMustBeDates() {
    Response none = api.get("/v1/avatar_usage");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.json().get("issues").size()).isEqualTo(2);
    assertIssue(api.get("/v1/avatar_usage?endDate=2026-07-02"), "invalid_type", "startDate");
    assertIssue(api.get("/v1/avatar_usage?startDate=2026-07-01"), "invalid_type", "endDate");
    assertIssue(
        api.get("/v1/avatar_usage?startDate=01/07/2026&endDate=2026-07-02"),
        "invalid_format",
        "startDate");
  }

  @Test
  void theRangeMustBeForwardAndAtMost90Days() {
    assertIssue(
        api.get("/v1/avatar_usage?startDate=2026-07-02&endDate=2026-07-02"), "custom", "endDate");
    assertIssue(
        api.get("/v1/avatar_usage?startDate=2026-07-02&endDate=2026-07-01"), "custom", "endDate");
    Response tooLong = api.get("/v1/avatar_usage?startDate=2026-07-01&endDate=2026-09-30");
    assertIssue(tooLong, "custom", "endDate");
    assertThat(tooLong.json().get("issues").get(0).get("message").stringValue())
        .contains("90 days");
    JsonNode ninety = usage("startDate=2026-07-01&endDate=2026-09-29");
    assertThat(ninety.get("byDay").size()).isEqualTo(90);
  }

  private JsonNode usage(String query) {
    Response r = api.get("/v1/avatar_usage?" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }
}
