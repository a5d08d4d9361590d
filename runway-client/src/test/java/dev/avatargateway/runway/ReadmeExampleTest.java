package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's examples, run as written (in real time, against the simulator started by the JUnit
 * extension the README shows our users), so that the front door never shows code that does not
 * work.
 */
class ReadmeExampleTest {
  @RegisterExtension static final RunwaySimulatorExtension RUNWAY = new RunwaySimulatorExtension();

  @Test
  void startSessionAsTheReadmeShows(RunwaySimulator simulator) {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();

    StartedSession call =
        runway
            .realtimeSessions()
            .startSession(
                RealtimeSessionCreateParams.builder(
                        SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
                    .maxDuration(300)
                    .personality("A cheerful cat who teaches Java.")
                    .addTool(
                        Tool.clientEvent(
                            "show_slide",
                            "Shows a slide",
                            ToolParameter.integer("number", "The slide number")))
                    .build(),
                Instant.now().plusSeconds(30));

    assertThat(call.sessionId()).isNotBlank();
    assertThat(call.url()).startsWith("wss://");
    assertThat(simulator.admin().session(call.sessionId()).orElseThrow().status())
        .isEqualTo("RUNNING");
    assertThat(simulator.admin().leakedCount()).isZero();
  }

  @Test
  void singleStepsAsTheReadmeShows(RunwaySimulator simulator) {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    RealtimeSessions sessions = runway.realtimeSessions();
    List<RealtimeSession.Status> seen = new ArrayList<>();

    String id =
        sessions.create(
            RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.INFLUENCER)));
    RealtimeSession.Ready ready =
        sessions.awaitReady(
            id,
            ReadinessWait.until(Instant.now().plusSeconds(30))
                .extendWhileQueuedUntil(Instant.now().plusSeconds(90))
                .onStatus(status -> seen.add(status.status())));
    SessionCredentials credentials = sessions.consume(id, ready.sessionKey());

    assertThat(credentials.roomName()).isNotBlank();
    assertThat(seen)
        .startsWith(RealtimeSession.Status.NOT_READY)
        .endsWith(RealtimeSession.Status.READY);
    assertThat(sessions.retrieve(id)).isInstanceOf(RealtimeSession.Running.class);
  }

  @Test
  void conversationsAndUsageAsTheReadmeShows(RunwaySimulator simulator) {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    StartedSession call =
        runway
            .realtimeSessions()
            .startSession(
                RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER)),
                Instant.now().plusSeconds(30));
    simulator.admin().endCall(call.sessionId());
    List<String> listed = new ArrayList<>();
    List<Duration> billed = new ArrayList<>();

    // As in the README, from here on.
    AvatarConversations conversations = runway.avatarConversations();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (AvatarConversation.Summary c :
        conversations.list(
            ConversationListParams.builder().startDate(today.minusDays(1)).build())) {
      listed.add(c.id()); // pages fetched lazily
    }
    switch (conversations.retrieve(call.sessionId())) { // the session id is the conversation id
      case AvatarConversation.Ended ended -> billed.add(ended.duration().orElse(Duration.ZERO));
      case AvatarConversation.Failed failed -> throw new AssertionError(failed.failureCode());
      case AvatarConversation.InProgress inProgress -> throw new AssertionError("still running");
    }
    AvatarUsage usage = runway.avatarUsage().retrieve(today.minusDays(1), today.plusDays(1));

    assertThat(listed).contains(call.sessionId());
    assertThat(billed).hasSize(1);
    assertThat(usage.totalSessions()).isGreaterThanOrEqualTo(1);
    assertThat(usage.byDay()).hasSize(2);
  }
}
