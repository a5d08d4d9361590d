package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SessionRecord;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each status and call of the realtime-session API, over real HTTP against the simulator. */
class RealtimeSessionsTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RealtimeSessions sessions = runway.client().realtimeSessions();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void walksTheWholeLifecycle() {
    String id =
        sessions.create(RealtimeSessionCreateParams.builder(CAT.avatar()).maxDuration(60).build());
    assertThat(sessions.retrieve(id))
        .isEqualTo(new RealtimeSession.NotReady(id, SimulatedRunway.T0, false));

    runway.advance(Duration.ofMillis(1500));
    RealtimeSession.Ready ready = (RealtimeSession.Ready) sessions.retrieve(id);
    assertThat(ready.sessionKey()).startsWith("stk_");
    assertThat(ready.expiresAt()).isAfter(SimulatedRunway.T0);

    SessionCredentials credentials = sessions.consume(id, ready.sessionKey());
    assertThat(credentials.url()).startsWith("wss://");
    assertThat(credentials.token()).contains(".");
    assertThat(credentials.roomName()).isNotBlank();
    assertThat(sessions.retrieve(id)).isInstanceOf(RealtimeSession.Running.class);

    runway.advance(Duration.ofSeconds(60));
    assertThat(sessions.retrieve(id))
        .isEqualTo(new RealtimeSession.Completed(id, SimulatedRunway.T0, Duration.ofSeconds(60)));
  }

  @Test
  void queuedWhileTheConcurrencyCapIsReached() {
    runway.admin().setConcurrencyCap(1);
    String first = sessions.create(CAT);
    String second = sessions.create(CAT);

    assertThat(sessions.retrieve(first))
        .isEqualTo(new RealtimeSession.NotReady(first, SimulatedRunway.T0, false));
    assertThat(sessions.retrieve(second))
        .isEqualTo(new RealtimeSession.NotReady(second, SimulatedRunway.T0, true));

    sessions.cancel(first);
    assertThat(sessions.retrieve(first)).isInstanceOf(RealtimeSession.Cancelled.class);
    runway.advance(Duration.ofMillis(1500));
    assertThat(sessions.retrieve(second)).isInstanceOf(RealtimeSession.Ready.class);
  }

  @Test
  void failedSessionsCarryTheirFailureCode() {
    runway.admin().failNextSessions(1, "INTERNAL", "Worker crashed");
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMillis(1500));

    assertThat(sessions.retrieve(id))
        .isEqualTo(
            new RealtimeSession.Failed(id, SimulatedRunway.T0, "Worker crashed", "INTERNAL"));
  }

  @Test
  void anUnconsumedReadySessionFailsForNoParticipant() {
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMinutes(2));

    RealtimeSession session = sessions.retrieve(id);
    assertThat(session).isInstanceOf(RealtimeSession.Failed.class);
    assertThat(((RealtimeSession.Failed) session).failureCode())
        .isEqualTo("TALKING_AVATAR.NO_PARTICIPANT");
    assertThat(runway.admin().leakedCount()).isEqualTo(1);
  }

  @Test
  void connectBackendGivesCredentialsForTheSameRoom() {
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMillis(1500));
    RealtimeSession.Ready ready = (RealtimeSession.Ready) sessions.retrieve(id);

    SessionCredentials backend = sessions.connectBackend(id);
    SessionCredentials browser = sessions.consume(id, ready.sessionKey());

    assertThat(backend.roomName()).isEqualTo(browser.roomName());
    assertThat(backend.token()).isNotEqualTo(browser.token());
  }

  @Test
  void consumeWorksOnceAndOnlyWithTheSessionKey() {
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMillis(1500));
    RealtimeSession.Ready ready = (RealtimeSession.Ready) sessions.retrieve(id);

    assertThatThrownBy(() -> sessions.consume(id, "stk_wrong"))
        .isInstanceOf(AuthenticationException.class);
    sessions.consume(id, ready.sessionKey());
    RealtimeSessions noRetries =
        runway.client().withOptions(o -> o.maxRetries(0)).realtimeSessions();
    assertThatThrownBy(() -> noRetries.consume(id, ready.sessionKey()))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.status()).isEqualTo(409));
  }

  @Test
  void unknownSessionsAreNotFoundWithTheRequestId() {
    assertThatThrownBy(() -> sessions.retrieve("3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10"))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.requestId()).isPresent();
              assertThat(e.error()).isPresent();
              assertThat(e.getMessage()).startsWith("404 ").contains(e.requestId().get());
            });
  }

  @Test
  void malformedIdsAreRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> sessions.retrieve("../avatars"))
        .isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> sessions.cancel("x")).isInstanceOf(InvalidParamsException.class);
    assertThat(runway.admin().requests()).isEmpty();
  }

  @Test
  void aWrongApiKeyIsAnAuthenticationError() {
    RealtimeSessions wrongKey =
        runway.client().withOptions(o -> o.apiKey("key_not_known")).realtimeSessions();
    assertThatThrownBy(() -> wrongKey.create(CAT))
        .isInstanceOfSatisfying(
            AuthenticationException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void upstreamValidationIssuesArePassedOn() {
    RealtimeSessionCreateParams unknownPreset =
        RealtimeSessionCreateParams.of(SessionAvatar.preset("space-pirate"));

    assertThatThrownBy(() -> sessions.create(unknownPreset))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.issues()).isNotEmpty();
              assertThat(e.issues().getFirst().path()).containsExactly("avatar", "presetId");
            });
  }

  @Test
  void creditsExhaustedIsAPlainApiError() {
    runway.admin().setCreditsExhausted(true);
    assertThatThrownBy(() -> sessions.create(CAT))
        .isExactlyInstanceOf(RunwayApiException.class)
        .satisfies(e -> assertThat(((RunwayApiException) e).status()).isEqualTo(402));
    assertThat(runway.sleeps).isEmpty();
  }

  @Test
  void cancellingTwiceIsHarmless() {
    String id = sessions.create(CAT);
    sessions.cancel(id);
    sessions.cancel(id);
    SessionRecord record = runway.admin().session(id).orElseThrow();
    assertThat(record.status()).isEqualTo("CANCELLED");
    assertThat(runway.admin().openCount()).isZero();
  }

  @Test
  void everyReadinessDistributionIsHonoured() {
    runway.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(4)));
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMillis(3999));
    assertThat(sessions.retrieve(id)).isInstanceOf(RealtimeSession.NotReady.class);
    runway.advance(Duration.ofMillis(1));
    assertThat(sessions.retrieve(id)).isInstanceOf(RealtimeSession.Ready.class);
  }
}
