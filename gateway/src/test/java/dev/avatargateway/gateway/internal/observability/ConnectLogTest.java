package dev.avatargateway.gateway.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.internal.observability.ConnectLog;
import dev.avatargateway.gateway.core.internal.observability.ConnectSummary;
import dev.avatargateway.gateway.core.internal.observability.GatewayMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

class ConnectLogTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ConnectLog connectLog = new ConnectLog(clock);

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  @Test
  void summaryIsOneInfoLineWithEveryField() {
    ConnectSummary summary =
        new ConnectSummary(
            "req-1",
            "alice",
            "cat-character",
            "runway-preset",
            "0f8e7c1a-2b3c-4d5e-8f90-123456789abc",
            GatewayMetrics.OUTCOME_ERROR,
            "session_failed",
            "INTERNAL_ERROR",
            Duration.ofMillis(4_321),
            Duration.ofMillis(5_432),
            7,
            true);

    try (LogCapture logs = LogCapture.start()) {
      connectLog.log(summary);

      assertThat(logs.lines()).hasSize(1);
      JsonNode line = logs.events(ConnectLog.SUMMARY_MESSAGE).getFirst();
      assertThat(line.get("level").asString()).isEqualTo("INFO");
      assertThat(line.get(LogFields.REQUEST_ID).asString()).isEqualTo("req-1");
      assertThat(line.get(LogFields.PRINCIPAL).asString()).isEqualTo("alice");
      assertThat(line.get(LogFields.AVATAR_ID).asString()).isEqualTo("cat-character");
      assertThat(line.get(LogFields.AVATAR_TYPE).asString()).isEqualTo("runway-preset");
      assertThat(line.get(LogFields.UPSTREAM_SESSION_ID).asString())
          .isEqualTo("0f8e7c1a-2b3c-4d5e-8f90-123456789abc");
      assertThat(line.get(LogFields.OUTCOME).asString()).isEqualTo("error");
      assertThat(line.get(LogFields.CODE).asString()).isEqualTo("session_failed");
      assertThat(line.get(LogFields.FAILURE_CODE).asString()).isEqualTo("INTERNAL_ERROR");
      assertThat(line.get(LogFields.TIME_TO_READY_MS).isNumber()).isTrue();
      assertThat(line.get(LogFields.TIME_TO_READY_MS).asLong()).isEqualTo(4_321);
      assertThat(line.get(LogFields.TOTAL_MS).asLong()).isEqualTo(5_432);
      assertThat(line.get(LogFields.UPSTREAM_REQUESTS).asLong()).isEqualTo(7);
      assertThat(line.get(LogFields.QUEUED).isBoolean()).isTrue();
      assertThat(line.get(LogFields.QUEUED).asBoolean()).isTrue();
      assertThat(logs.text().split("\"requestId\"", -1)).hasSize(2); // written exactly once
    }
  }

  @Test
  void leavesOutWhatDidNotHappen() {
    ConnectSummary unauthenticated =
        new ConnectSummary(
            "req-2",
            null,
            null,
            null,
            null,
            GatewayMetrics.OUTCOME_ERROR,
            "unauthenticated",
            null,
            null,
            Duration.ofMillis(3),
            0,
            false);

    try (LogCapture logs = LogCapture.start()) {
      connectLog.log(unauthenticated);

      JsonNode line = logs.events().getFirst();
      for (String absent :
          List.of(
              LogFields.PRINCIPAL,
              LogFields.AVATAR_ID,
              LogFields.AVATAR_TYPE,
              LogFields.UPSTREAM_SESSION_ID,
              LogFields.FAILURE_CODE,
              LogFields.TIME_TO_READY_MS)) {
        assertThat(line.has(absent)).as(absent).isFalse();
      }
      assertThat(line.get(LogFields.UPSTREAM_REQUESTS).asLong()).isZero();
      assertThat(line.get(LogFields.QUEUED).asBoolean()).isFalse();
    }
  }

  @Test
  void usesTheSummarysRequestIdOnceAndRestoresTheMdc() {
    MDC.put(LogFields.REQUEST_ID, "outer");
    try (LogCapture logs = LogCapture.start()) {
      connectLog.log(success("req-3"));

      assertThat(logs.events().getFirst().get(LogFields.REQUEST_ID).asString()).isEqualTo("req-3");
      assertThat(logs.text().split("\"requestId\"", -1)).hasSize(2);
    }
    assertThat(MDC.get(LogFields.REQUEST_ID)).isEqualTo("outer");

    MDC.clear();
    connectLog.log(success("req-4"));
    assertThat(MDC.get(LogFields.REQUEST_ID)).isNull();
  }

  @Test
  void misconfiguredLogsOneErrorPerInterval() {
    try (LogCapture logs = LogCapture.start()) {
      assertThat(connectLog.misconfigured("Set RUNWAYML_API_SECRET to a valid key.")).isTrue();
      clock.advance(ConnectLog.MISCONFIGURED_REPEAT_INTERVAL.minusSeconds(1));
      assertThat(connectLog.misconfigured("Set RUNWAYML_API_SECRET to a valid key.")).isFalse();

      List<JsonNode> events = logs.events();
      assertThat(events).hasSize(1);
      assertThat(events.getFirst().get("level").asString()).isEqualTo("ERROR");
      assertThat(events.getFirst().get("message").asString())
          .contains("refused the gateway's Runway API secret")
          .endsWith("Set RUNWAYML_API_SECRET to a valid key.");
      assertThat(events.getFirst().get(LogFields.CODE).asString())
          .isEqualTo("gateway_misconfigured");

      clock.advance(Duration.ofSeconds(1));
      assertThat(connectLog.misconfigured("Again.")).isTrue();
      assertThat(logs.lines()).hasSize(2);
    }
  }

  @Test
  void misconfiguredMasksASecretQuotedByMistake() {
    String key = Secrets.runwayKey();
    try (LogCapture logs = LogCapture.start()) {
      connectLog.misconfigured("The key " + key + " was refused.");

      logs.assertNoneContain(key);
    }
  }

  @Test
  void summaryRejectsMissingEssentials() {
    assertThatThrownBy(
            () ->
                new ConnectSummary(
                    null,
                    null,
                    null,
                    null,
                    null,
                    "success",
                    "ok",
                    null,
                    null,
                    Duration.ZERO,
                    0,
                    false))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("requestId");
    assertThatThrownBy(
            () ->
                new ConnectSummary(
                    "r",
                    null,
                    null,
                    null,
                    null,
                    "success",
                    "ok",
                    null,
                    null,
                    Duration.ZERO,
                    -1,
                    false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ConnectSummary success(String requestId) {
    return new ConnectSummary(
        requestId,
        "anonymous",
        "cat-character",
        "runway-preset",
        "s-1",
        GatewayMetrics.OUTCOME_SUCCESS,
        GatewayMetrics.CODE_OK,
        null,
        Duration.ofSeconds(2),
        Duration.ofSeconds(3),
        3,
        false);
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
