package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.DelayDistribution;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Polling to READY: the schedule, terminal statuses, deadlines and the queued extension. */
class AwaitReadyTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RealtimeSessions sessions = runway.client().realtimeSessions();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void checksAtOnceThenBacksOffFrom250Milliseconds() {
    String id = sessions.create(CAT);

    RealtimeSession.Ready ready =
        sessions.awaitReady(id, SimulatedRunway.T0.plusSeconds(30), PollSchedule.defaults());

    assertThat(ready.id()).isEqualTo(id);
    // Ready after 1.5 s: checks at 0, 250, 625, 1187 and 2030 ms.
    assertThat(runway.sleeps)
        .containsExactly(
            Duration.ofMillis(250),
            Duration.ofMillis(375),
            Duration.ofMillis(562),
            Duration.ofMillis(843));
    assertThat(runway.admin().session(id).orElseThrow().getCount()).isEqualTo(5);
  }

  @Test
  void theDefaultScheduleNeverPollsMoreOftenThanEvery250Milliseconds() {
    PollSchedule schedule = PollSchedule.defaults();
    assertThat(schedule.delayBefore(0)).isZero();
    for (int check = 1; check < 100; check++) {
      assertThat(schedule.delayBefore(check))
          .isBetween(Duration.ofMillis(250), Duration.ofSeconds(1));
    }
    assertThatThrownBy(() -> PollSchedule.fixed(Duration.ofMillis(100)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failsFastOnFailedWithTheFailureCode() {
    runway.admin().failNextSessions(1, "SAFETY.INPUT.TEXT", "Refused by moderation");
    String id = sessions.create(CAT);

    assertThatThrownBy(
            () ->
                sessions.awaitReady(
                    id, SimulatedRunway.T0.plusSeconds(30), PollSchedule.defaults()))
        .isInstanceOfSatisfying(
            SessionStateException.class,
            e -> {
              assertThat(e.failureCode()).contains("SAFETY.INPUT.TEXT");
              assertThat(e.session().status()).isEqualTo(RealtimeSession.Status.FAILED);
            });
  }

  @Test
  void failsFastOnCancelledAndOnRunning() {
    String cancelled = sessions.create(CAT);
    sessions.cancel(cancelled);
    assertThatThrownBy(
            () ->
                sessions.awaitReady(
                    cancelled, SimulatedRunway.T0.plusSeconds(30), PollSchedule.defaults()))
        .isInstanceOfSatisfying(
            SessionStateException.class,
            e -> assertThat(e.session()).isInstanceOf(RealtimeSession.Cancelled.class));

    String consumed = sessions.create(CAT);
    RealtimeSession.Ready ready =
        sessions.awaitReady(
            consumed, runway.clock.instant().plusSeconds(30), PollSchedule.defaults());
    sessions.consume(consumed, ready.sessionKey());
    assertThatThrownBy(
            () ->
                sessions.awaitReady(
                    consumed, runway.clock.instant().plusSeconds(30), PollSchedule.defaults()))
        .isInstanceOfSatisfying(
            SessionStateException.class,
            e -> assertThat(e.getMessage()).contains("already consumed"));
  }

  @Test
  void neverSleepsPastTheDeadline() {
    runway.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    String id = sessions.create(CAT);
    Instant deadline = SimulatedRunway.T0.plusSeconds(5);

    assertThatThrownBy(() -> sessions.awaitReady(id, deadline, PollSchedule.defaults()))
        .isInstanceOfSatisfying(
            ReadinessTimeoutException.class,
            e -> {
              assertThat(e.sessionId()).isEqualTo(id);
              assertThat(e.queued()).isFalse();
            });
    // Checks at 0, 0.25, 0.625, 1.19, 2.03, 3.03, 4.03 s, then a last one at 4.75 s instead of
    // sleeping past the deadline; no wait ever ends after it.
    assertThat(runway.clock.instant()).isBefore(deadline).isAfter(deadline.minusSeconds(1));
    assertThat(runway.sleeps.getLast()).isEqualTo(Duration.ofMillis(720));
  }

  @Test
  void aQueuedSessionGetsTheLongerDeadline() {
    runway.admin().setConcurrencyCap(1);
    String blocker = sessions.create(CAT);
    String queued = sessions.create(CAT);
    // The slot frees 20 s in: past the 10 s deadline, within the 60 s queued deadline.
    runway.whenTimePasses(
        now -> {
          if (!now.isBefore(SimulatedRunway.T0.plusSeconds(20))
              && runway.admin().session(blocker).orElseThrow().cancelledAt().isEmpty()) {
            sessions.cancel(blocker);
          }
        });
    List<RealtimeSession> seen = new ArrayList<>();

    RealtimeSession.Ready ready =
        sessions.awaitReady(
            queued,
            ReadinessWait.until(SimulatedRunway.T0.plusSeconds(10))
                .extendWhileQueuedUntil(SimulatedRunway.T0.plusSeconds(60))
                .onStatus(seen::add));

    assertThat(ready.id()).isEqualTo(queued);
    assertThat(runway.clock.instant()).isAfter(SimulatedRunway.T0.plusSeconds(20));
    assertThat(seen.getFirst())
        .isEqualTo(new RealtimeSession.NotReady(queued, SimulatedRunway.T0, true));
    assertThat(seen.getLast()).isSameAs(ready);
  }

  @Test
  void aSessionNeverSeenQueuedKeepsTheShortDeadline() {
    runway.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(20)));
    String id = sessions.create(CAT);

    assertThatThrownBy(
            () ->
                sessions.awaitReady(
                    id,
                    ReadinessWait.until(SimulatedRunway.T0.plusSeconds(10))
                        .extendWhileQueuedUntil(SimulatedRunway.T0.plusSeconds(60))))
        .isInstanceOf(ReadinessTimeoutException.class);
    assertThat(runway.clock.instant())
        .isBefore(SimulatedRunway.T0.plusSeconds(10))
        .isAfter(SimulatedRunway.T0.plusSeconds(9));
  }
}
