package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Conversations and usage read back through the client after real sessions ran on the simulator:
 * create, wait until READY, consume, then end the call as a participant would. The two sides are
 * independent readings of runway-api-additions.md, so this checks each against the other. Time is
 * the simulated clock's: a call "lasts" exactly as long as the test moves the clock.
 */
class ConversationsAgainstTheSimulatorTest {
  private static final LocalDate TODAY = LocalDate.ofInstant(SimulatedRunway.T0, ZoneOffset.UTC);
  private static final RealtimeSessionCreateParams LESSON =
      RealtimeSessionCreateParams.builder(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
          .maxDuration(300)
          .addTool(
              Tool.clientEvent(
                  "show_slide",
                  "Shows a slide",
                  ToolParameter.integer("number", "The slide number")))
          .build();

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RunwayClient client = runway.client();
  private final RealtimeSessions sessions = client.realtimeSessions();
  private final AvatarConversations conversations = client.avatarConversations();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void anEndedCallReadsBackAsAnEndedConversationWithItsDurationAndInTheUsage() {
    String id = startCall(LESSON);
    Instant startedAt = runway.clock.instant();
    runway.advance(Duration.ofSeconds(42));
    runway.admin().endCall(id);

    AvatarConversation conversation = conversations.retrieve(id);

    assertThat(conversation)
        .isInstanceOfSatisfying(
            AvatarConversation.Ended.class,
            ended -> {
              assertThat(ended.id()).isEqualTo(id);
              assertThat(ended.duration()).contains(Duration.ofSeconds(42));
              assertThat(ended.maxDuration()).contains(Duration.ofMinutes(5));
              assertThat(ended.startedAt()).contains(startedAt);
              assertThat(ended.endedAt()).contains(startedAt.plusSeconds(42));
              assertThat(ended.createdAt()).isEqualTo(SimulatedRunway.T0);
              assertThat(ended.avatar())
                  .hasValueSatisfying(
                      avatar ->
                          assertThat(avatar)
                              .isInstanceOfSatisfying(
                                  ConversationAvatar.Preset.class,
                                  preset ->
                                      assertThat(preset.preset())
                                          .isEqualTo(AvatarPreset.CAT_CHARACTER)));
              assertThat(ended.tools())
                  .containsExactly(
                      new AvatarConversation.ToolSummary(
                          "show_slide", "Shows a slide", "client_event"));
            });
    // The session says the same as its conversation.
    assertThat(sessions.retrieve(id))
        .isInstanceOfSatisfying(
            RealtimeSession.Completed.class,
            completed -> assertThat(completed.duration()).isEqualTo(Duration.ofSeconds(42)));

    AvatarUsage usage = client.avatarUsage().retrieve(TODAY, TODAY.plusDays(1));

    assertThat(usage.totalSessions()).isEqualTo(1);
    assertThat(usage.totalDuration()).isEqualTo(Duration.ofSeconds(42));
    assertThat(usage.averageDuration()).isEqualTo(Duration.ofSeconds(42));
    assertThat(usage.byDay())
        .containsExactly(new AvatarUsage.Day(TODAY, 1, Duration.ofSeconds(42)));
  }

  @Test
  void usageSumsSeveralCallsAndCountsTheOneStillRunningWithoutItsSeconds() {
    String first = startCall(LESSON);
    runway.advance(Duration.ofSeconds(30));
    runway.admin().endCall(first);
    String second = startCall(RealtimeSessionCreateParams.of(SessionAvatar.preset("influencer")));
    runway.advance(Duration.ofSeconds(90));
    runway.admin().endCall(second);
    String running = startCall(LESSON);
    runway.advance(Duration.ofSeconds(5));

    AvatarUsage usage = client.avatarUsage().retrieve(TODAY.minusDays(1), TODAY.plusDays(2));

    assertThat(usage.totalSessions()).isEqualTo(3);
    assertThat(usage.totalDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(usage.averageDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(usage.byDay())
        .containsExactly(
            new AvatarUsage.Day(TODAY.minusDays(1), 0, Duration.ZERO),
            new AvatarUsage.Day(TODAY, 3, Duration.ofMinutes(2)),
            new AvatarUsage.Day(TODAY.plusDays(1), 0, Duration.ZERO));
    assertThat(conversations.retrieve(running)).isInstanceOf(AvatarConversation.InProgress.class);
  }

  @Test
  void aRunningCallIsInProgressAndAFailedOneCarriesItsCode() {
    String id = startCall(LESSON);

    assertThat(conversations.retrieve(id))
        .isInstanceOfSatisfying(
            AvatarConversation.InProgress.class,
            inProgress -> assertThat(inProgress.startedAt()).contains(runway.clock.instant()));

    runway.advance(Duration.ofSeconds(7));
    runway.admin().failRunningSession(id, "TALKING_AVATAR.INTERNAL", "The avatar stopped.");

    assertThat(conversations.retrieve(id))
        .isInstanceOfSatisfying(
            AvatarConversation.Failed.class,
            failed -> {
              assertThat(failed.failureCode()).isEqualTo("TALKING_AVATAR.INTERNAL");
              assertThat(failed.duration()).contains(Duration.ofSeconds(7));
            });
  }

  @Test
  void listsEveryConversationAcrossPagesAndFilters() {
    String avatarId = runway.admin().createAvatar("Ada", AvatarStatus.READY);
    List<String> withAda = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      withAda.add(startCall(RealtimeSessionCreateParams.of(SessionAvatar.custom(avatarId))));
    }
    String withCat = startCall(LESSON);
    runway.advance(Duration.ofSeconds(10));
    runway.admin().endCall(withCat);

    List<AvatarConversation.Summary> all = new ArrayList<>();
    conversations.list(ConversationListParams.builder().limit(2).build()).forEach(all::add);
    List<String> ada = new ArrayList<>();
    conversations
        .list(ConversationListParams.builder().avatar(avatarId).limit(2).build())
        .forEach(s -> ada.add(s.id()));

    assertThat(all)
        .extracting(AvatarConversation.Summary::id)
        .containsExactlyInAnyOrderElementsOf(
            List.of(withAda.get(0), withAda.get(1), withAda.get(2), withCat));
    assertThat(all)
        .filteredOn(s -> s.id().equals(withCat))
        .singleElement()
        .satisfies(
            cat -> {
              assertThat(cat.status()).isEqualTo(AvatarConversation.Status.ENDED);
              assertThat(cat.duration()).contains(Duration.ofSeconds(10));
              assertThat(cat.hasTools()).isTrue();
            });
    assertThat(ada).containsExactlyInAnyOrderElementsOf(withAda);
    assertThat(runway.admin().stats().count(Route.CONVERSATION_LIST)).isEqualTo(2 + 2);
  }

  @Test
  void theDateFiltersAreHonouredAsTheClientSendsThem() {
    String id = startCall(LESSON);

    assertThat(
            conversations.list(
                ConversationListParams.builder()
                    .startDate(TODAY)
                    .endDate(TODAY.plusDays(1))
                    .build()))
        .extracting(AvatarConversation.Summary::id)
        .containsExactly(id);
    assertThat(
            conversations.list(
                ConversationListParams.builder()
                    .startDate(SimulatedRunway.T0.plusMillis(1))
                    .build()))
        .isEmpty();
    assertThat(conversations.list(ConversationListParams.builder().endDate(TODAY).build()))
        .isEmpty();
  }

  @Test
  void aDeletedConversationIsGoneAndItsSecondDeleteIsNotFound() {
    String id = startCall(LESSON);
    runway.admin().endCall(id);

    conversations.delete(id);

    assertThatThrownBy(() -> conversations.retrieve(id))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.requestId()).isPresent();
              assertThat(e.body()).isNotEmpty();
            });
    assertThatThrownBy(() -> conversations.delete(id)).isInstanceOf(NotFoundException.class);
    assertThat(conversations.list()).isEmpty();
  }

  @Test
  void aSessionCancelledBeforeItRanHasNoConversation() {
    String id = sessions.create(LESSON);
    sessions.cancel(id);

    assertThatThrownBy(() -> conversations.retrieve(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void conversationReadsAreRetriedLikeEveryRead() {
    String id = startCall(LESSON);
    runway
        .admin()
        .injectFault(
            FaultRule.builder().route(Route.CONVERSATION_RETRIEVE).status(503).times(1).build());
    runway.admin().injectFault(FaultRule.builder().route(Route.USAGE).status(502).times(2).build());

    assertThat(conversations.retrieve(id).id()).isEqualTo(id);
    assertThat(client.avatarUsage().retrieve(TODAY, TODAY.plusDays(1)).totalSessions())
        .isEqualTo(1);

    assertThat(runway.admin().stats().count(Route.CONVERSATION_RETRIEVE)).isEqualTo(2);
    assertThat(runway.admin().stats().count(Route.USAGE)).isEqualTo(3);
  }

  @Test
  void anUnknownIdIsNotFound() {
    assertThatThrownBy(() -> conversations.retrieve("3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10"))
        .isInstanceOf(NotFoundException.class);
    assertThat(
            conversations
                .listPage(ConversationListParams.none(), RequestOptions.none())
                .nextCursor())
        .isEqualTo(Optional.empty());
  }

  /** Create, wait until READY, consume: the session is RUNNING at the clock's current instant. */
  private String startCall(RealtimeSessionCreateParams params) {
    String id = sessions.create(params);
    RealtimeSession.Ready ready =
        sessions.awaitReady(id, runway.clock.instant().plusSeconds(30), PollSchedule.defaults());
    sessions.consume(id, ready.sessionKey());
    return id;
  }
}
