package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.SessionRecord;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed flow in one call, and the promise that nothing paid is left behind when it fails. */
class StartSessionTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RealtimeSessions sessions = runway.client().realtimeSessions();

  @AfterEach
  void nothingLeaks() {
    // Long past every READY window: a session that was abandoned would count as leaked now.
    runway.advance(Duration.ofHours(1));
    assertThat(runway.admin().leakedCount()).isZero();
    runway.close();
  }

  @Test
  void returnsCredentialsForARunningSession() {
    StartedSession started = sessions.startSession(CAT, SimulatedRunway.T0.plusSeconds(30));

    SessionRecord record = runway.admin().session(started.sessionId()).orElseThrow();
    assertThat(record.status()).isEqualTo("RUNNING");
    assertThat(started.url()).startsWith("wss://");
    assertThat(started.roomName()).isNotBlank();
    assertThat(started.credentials().token()).isEqualTo(started.token());
  }

  @Test
  void cancelsOnTimeOut() {
    runway.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(2)));

    assertThatThrownBy(() -> sessions.startSession(CAT, SimulatedRunway.T0.plusSeconds(5)))
        .isInstanceOf(ReadinessTimeoutException.class);

    assertThat(onlySession().status()).isEqualTo("CANCELLED");
  }

  @Test
  void cancelsOnFailed() {
    runway.admin().failNextSessions(1, "INTERNAL", "Worker crashed");

    assertThatThrownBy(() -> sessions.startSession(CAT, SimulatedRunway.T0.plusSeconds(30)))
        .isInstanceOf(SessionStateException.class);

    SessionRecord record = onlySession();
    assertThat(record.status()).isEqualTo("FAILED");
    assertThat(record.failureCode()).contains("INTERNAL");
  }

  @Test
  void cancelsWhenConsumeFails() {
    runway.admin().injectFault(FaultRule.builder().route(Route.CONSUME).status(500).build());

    assertThatThrownBy(() -> sessions.startSession(CAT, SimulatedRunway.T0.plusSeconds(30)))
        .isInstanceOf(InternalServerException.class);

    assertThat(onlySession().status()).isEqualTo("CANCELLED");
  }

  @Test
  void cancelsWhenInterruptedAndKeepsTheInterrupt() {
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    RealtimeSessions interrupting =
        runway
            .client()
            .withOptions(
                o ->
                    o.sleeper(
                        d -> {
                          throw new InterruptedException("caller gave up");
                        }))
            .realtimeSessions();

    assertThatThrownBy(
            () -> {
              try {
                interrupting.startSession(CAT, SimulatedRunway.T0.plusSeconds(30));
              } finally {
                interruptedAfter.set(Thread.interrupted());
              }
            })
        .isInstanceOf(RunwayInterruptedException.class);

    assertThat(interruptedAfter).isTrue();
    assertThat(onlySession().status()).isEqualTo("CANCELLED");
  }

  @Test
  void aFailedCancelIsAttachedToTheOriginalError() {
    runway.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(2)));
    runway.admin().injectFault(FaultRule.builder().route(Route.CANCEL).status(500).build());

    assertThatThrownBy(() -> sessions.startSession(CAT, SimulatedRunway.T0.plusSeconds(5)))
        .isInstanceOf(ReadinessTimeoutException.class)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .isInstanceOf(InternalServerException.class));
    // The clean-up retried once and gave up: the session is still open upstream.
    assertThat(runway.admin().stats().count(Route.CANCEL)).isEqualTo(2);
    runway.admin().clearFaults();
    sessions.cancel(onlySession().id());
  }

  private SessionRecord onlySession() {
    assertThat(runway.admin().sessions()).hasSize(1);
    return runway.admin().sessions().getFirst();
  }
}
