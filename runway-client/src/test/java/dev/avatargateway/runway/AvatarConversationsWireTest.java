package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Avatar conversations over real HTTP against a scripted server: the answers are the fixtures in
 * src/test/resources/upstream (shaped after Runway's OpenAPI document, see SOURCE.md there), and
 * every request is checked as it arrived: method, path, query, headers.
 */
class AvatarConversationsWireTest {
  private static final String API_KEY = "key_conversations_test";
  private static final String ENDED_ID = "660e8400-e29b-41d4-a716-446655440001";
  private static final String IN_PROGRESS_ID = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
  private static final String FAILED_ID = "5b1d9e3a-2c4f-4a6b-8d7e-9f0a1b2c3d4e";
  private static final String CUSTOM_AVATAR = "9a4c2e1f-7b3d-4e8a-9c6f-1d2e3f4a5b6c";

  private final MockWebServer server = new MockWebServer();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final List<RequestObserver.Attempt> attempts = new CopyOnWriteArrayList<>();
  private AvatarConversations conversations;

  @BeforeEach
  void start() throws IOException {
    server.start();
    conversations =
        RunwayClient.builder()
            .apiKey(API_KEY)
            .baseUrl(server.url("/").uri())
            .sleeper(sleeps::add)
            .observer(attempts::add)
            .build()
            .avatarConversations();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void retrievesAnEndedConversationFieldByField() throws InterruptedException {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-ended.json")));

    AvatarConversation conversation = conversations.retrieve(ENDED_ID);

    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget()).isEqualTo("/v1/avatar_conversations/" + ENDED_ID);
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + API_KEY);
    assertThat(request.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(conversation)
        .isInstanceOfSatisfying(
            AvatarConversation.Ended.class,
            ended -> {
              assertThat(ended.id()).isEqualTo(ENDED_ID);
              assertThat(ended.status()).isEqualTo(AvatarConversation.Status.ENDED);
              assertThat(ended.name()).isEqualTo("Java lesson with the cat");
              assertThat(ended.avatar())
                  .contains(
                      new ConversationAvatar.Preset(AvatarPreset.CAT_CHARACTER, Optional.empty()));
              assertThat(ended.createdAt()).isEqualTo(Instant.parse("2026-07-01T10:00:00Z"));
              assertThat(ended.startedAt()).contains(Instant.parse("2026-07-01T10:00:03Z"));
              assertThat(ended.endedAt()).contains(Instant.parse("2026-07-01T10:04:45Z"));
              assertThat(ended.duration()).contains(Duration.ofSeconds(282));
              assertThat(ended.maxDuration()).contains(Duration.ofMinutes(5));
              assertThat(ended.recordingUrl())
                  .contains(
                      URI.create(
                          "https://recordings.example.com/"
                              + ENDED_ID
                              + ".mp4?X-Amz-Signature=abc123secret&X-Amz-Expires=86400"));
              assertThat(ended.tools())
                  .containsExactly(
                      new AvatarConversation.ToolSummary(
                          "show_slide", "Shows a slide", "client_event"),
                      new AvatarConversation.ToolSummary(
                          "lookup_grade", "Looks up the student's grade", "backend_rpc"));
            });
    List<AvatarConversation.TranscriptEntry> transcript = conversation.transcript();
    assertThat(transcript)
        .extracting(
            AvatarConversation.TranscriptEntry::role, AvatarConversation.TranscriptEntry::content)
        .containsExactly(
            tuple("assistant", Optional.of("Hello! Shall we look at records?")),
            tuple("user", Optional.of("Yes, show me slide three.")),
            tuple("assistant", Optional.empty()));
    assertThat(transcript.get(0).timestamp()).contains(Instant.parse("2026-07-01T10:00:05.120Z"));
    assertThat(transcript.get(0).toolCalls()).isEmpty();
    AvatarConversation.TranscriptEntry toolTurn = transcript.get(2);
    assertThat(toolTurn.toolCalls())
        .containsExactly(
            new AvatarConversation.ToolCall(Optional.of("call_1"), "show_slide", "{\"number\":3}"));
    assertThat(toolTurn.toolResults())
        .containsExactly(
            new AvatarConversation.ToolResult(
                Optional.of("call_1"),
                "show_slide",
                Optional.of(Duration.ofMillis(12).plusNanos(500_000)),
                Optional.empty(),
                Optional.of("{\"shown\":true}")),
            new AvatarConversation.ToolResult(
                Optional.empty(),
                "lookup_grade",
                Optional.empty(),
                Optional.empty(),
                Optional.of("\"B+\"")));
    assertThat(attempts)
        .extracting(RequestObserver.Attempt::operation, RequestObserver.Attempt::status)
        .containsExactly(tuple("avatar_conversations.retrieve", 200));
  }

  @Test
  void retrievesAConversationInProgressWithACustomAvatar() {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-in-progress.json")));

    AvatarConversation conversation = conversations.retrieve(IN_PROGRESS_ID);

    assertThat(conversation).isInstanceOf(AvatarConversation.InProgress.class);
    assertThat(conversation.status()).isEqualTo(AvatarConversation.Status.IN_PROGRESS);
    assertThat(conversation.avatar())
        .contains(
            new ConversationAvatar.Custom(
                Optional.of(CUSTOM_AVATAR),
                Optional.of("Ada"),
                Optional.of(URI.create("https://images.example.com/ada.png?Signature=imgsecret"))));
    assertThat(conversation.startedAt()).contains(Instant.parse("2026-07-02T08:30:02Z"));
    assertThat(conversation.duration()).contains(Duration.ofSeconds(41));
    assertThat(conversation.maxDuration()).isEmpty();
    assertThat(conversation.recordingUrl()).isEmpty();
    assertThat(conversation.tools()).isEmpty();
    assertThat(conversation.transcript()).isEmpty();
  }

  @Test
  void retrievesAFailedConversationThatNeverStarted() {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-failed.json")));

    AvatarConversation conversation = conversations.retrieve(FAILED_ID);

    assertThat(conversation)
        .isInstanceOfSatisfying(
            AvatarConversation.Failed.class,
            failed -> {
              assertThat(failed.failureCode()).isEqualTo("TALKING_AVATAR.NO_PARTICIPANT");
              assertThat(failed.failure()).isEqualTo("Nobody joined the session in time.");
              assertThat(failed.endedAt()).isEmpty();
              assertThat(failed.startedAt()).isEmpty();
              assertThat(failed.duration()).isEmpty();
              assertThat(failed.avatar()).isEmpty();
              assertThat(failed.maxDuration()).contains(Duration.ofMinutes(10));
            });
  }

  @Test
  void membersTheSpecDoesNotKnowAreIgnored() {
    ObjectNode body = fixture("avatar-conversation-ended.json");
    body.put("billingTier", "gold");
    body.putObject("metadata").put("nested", true);
    ((ObjectNode) body.get("avatar")).put("name", "Whiskers");
    ((ObjectNode) body.get("transcript").get(0)).put("sentiment", 0.8);
    ((ObjectNode) body.get("tools").get(0)).putArray("parameters");
    server.enqueue(json(200, body.toString()));

    AvatarConversation conversation = conversations.retrieve(ENDED_ID);

    assertThat(conversation.avatar())
        .contains(
            new ConversationAvatar.Preset(AvatarPreset.CAT_CHARACTER, Optional.of("Whiskers")));
    assertThat(conversation.transcript()).hasSize(3);
    assertThat(conversation.tools()).hasSize(2);
  }

  @Test
  void anUnknownStatusFailsClearlyNamingIt() {
    ObjectNode body = fixture("avatar-conversation-ended.json");
    body.put("status", "archived");
    server.enqueue(json(200, body.toString()));

    assertThatThrownBy(() -> conversations.retrieve(ENDED_ID))
        .isExactlyInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("unknown conversation status 'archived'")
        .hasMessageContaining(ENDED_ID);
  }

  @Test
  void anUnknownStatusInAListPageFailsToo() {
    ObjectNode body = fixture("avatar-conversations-page-2.json");
    ((ObjectNode) body.get("data").get(0)).put("status", "archived");
    server.enqueue(json(200, body.toString()));

    assertThatThrownBy(() -> conversations.list().iterator().hasNext())
        .isExactlyInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("'archived'");
  }

  @Test
  void aMissingRequiredMemberIsAnUnexpectedResponse() {
    ObjectNode body = fixture("avatar-conversation-failed.json");
    body.remove("failureCode");
    server.enqueue(json(200, body.toString()));

    assertThatThrownBy(() -> conversations.retrieve(FAILED_ID))
        .isExactlyInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("'failureCode'");
  }

  @Test
  void aPageParsesEachSummaryAndSendsEveryFilter() throws InterruptedException {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-1.json")));

    ConversationPage page =
        conversations.listPage(
            ConversationListParams.builder()
                .limit(2)
                .cursor("eyJvZmZzZXQiOjB9")
                .avatar(CUSTOM_AVATAR)
                .startDate(LocalDate.of(2026, 7, 1))
                .endDate(Instant.parse("2026-07-08T12:30:00.250Z"))
                .build(),
            RequestOptions.none());

    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    // Dates go as ISO-8601 UTC instants, URL-encoded (':' is %3A).
    assertThat(request.getTarget())
        .isEqualTo(
            "/v1/avatar_conversations?limit=2&cursor=eyJvZmZzZXQiOjB9&avatar="
                + CUSTOM_AVATAR
                + "&startDate=2026-07-01T00%3A00%3A00Z&endDate=2026-07-08T12%3A30%3A00.250Z");
    assertThat(request.getUrl().queryParameter("startDate")).isEqualTo("2026-07-01T00:00:00Z");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + API_KEY);
    assertThat(request.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
    assertThat(page.nextCursor()).contains("eyJvZmZzZXQiOjJ9");
    assertThat(page.hasNextPage()).isTrue();
    assertThat(page.data())
        .containsExactly(
            new AvatarConversation.Summary(
                ENDED_ID,
                "Java lesson with the cat",
                AvatarConversation.Status.ENDED,
                Optional.of(
                    new ConversationAvatar.Preset(
                        AvatarPreset.CAT_CHARACTER, Optional.of("Whiskers"))),
                Instant.parse("2026-07-01T10:00:00Z"),
                Optional.of(Duration.ofSeconds(282)),
                true),
            new AvatarConversation.Summary(
                IN_PROGRESS_ID,
                "Support call",
                AvatarConversation.Status.IN_PROGRESS,
                Optional.of(
                    new ConversationAvatar.Custom(
                        Optional.empty(), Optional.empty(), Optional.empty())),
                Instant.parse("2026-07-02T08:30:00Z"),
                Optional.of(Duration.ofSeconds(41)),
                false));
  }

  @Test
  void listFetchesPagesLazilyFollowingTheCursor() throws InterruptedException {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-1.json")));
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-2.json")));

    Iterable<AvatarConversation.Summary> all =
        conversations.list(ConversationListParams.builder().avatar(CUSTOM_AVATAR).build());
    Iterator<AvatarConversation.Summary> iterator = all.iterator();
    assertThat(server.getRequestCount()).isZero();
    assertThat(iterator.next().id()).isEqualTo(ENDED_ID);
    assertThat(iterator.next().id()).isEqualTo(IN_PROGRESS_ID);
    assertThat(server.getRequestCount()).isEqualTo(1);
    List<String> rest = new ArrayList<>();
    iterator.forEachRemaining(s -> rest.add(s.id() + " " + s.status()));

    assertThat(rest).containsExactly(FAILED_ID + " FAILED");
    assertThat(server.getRequestCount()).isEqualTo(2);
    // The API's default page size is always sent: the OpenAPI document marks limit required.
    assertThat(server.takeRequest().getTarget())
        .isEqualTo("/v1/avatar_conversations?limit=20&avatar=" + CUSTOM_AVATAR);
    assertThat(server.takeRequest().getTarget())
        .isEqualTo(
            "/v1/avatar_conversations?limit=20&cursor=eyJvZmZzZXQiOjJ9&avatar=" + CUSTOM_AVATAR);
    assertThat(attempts)
        .extracting(RequestObserver.Attempt::operation)
        .containsOnly("avatar_conversations.list");
  }

  @Test
  void anEmptyCursorEndsTheListAndEmptyPagesAreSkipped() {
    server.enqueue(json(200, "{\"data\":[],\"hasMore\":true,\"nextCursor\":\"c2\"}"));
    ObjectNode last = fixture("avatar-conversations-page-2.json");
    last.put("nextCursor", "");
    last.put("hasMore", true);
    server.enqueue(json(200, last.toString()));

    List<AvatarConversation.Summary> listed = new ArrayList<>();
    conversations.list().forEach(listed::add);

    assertThat(listed).extracting(AvatarConversation.Summary::id).containsExactly(FAILED_ID);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void eachIterationStartsAgainFromTheFirstPage() throws InterruptedException {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-2.json")));
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-2.json")));
    Iterable<AvatarConversation.Summary> all = conversations.list();
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();

    all.forEach(s -> first.add(s.id()));
    all.forEach(s -> second.add(s.id()));

    assertThat(first).containsExactly(FAILED_ID);
    assertThat(second).isEqualTo(first);

    assertThat(server.takeRequest().getTarget()).isEqualTo("/v1/avatar_conversations?limit=20");
    assertThat(server.takeRequest().getTarget()).isEqualTo("/v1/avatar_conversations?limit=20");
  }

  @Test
  void deleteSendsADeleteAndAccepts204() throws InterruptedException {
    server.enqueue(new MockResponse.Builder().code(204).build());

    conversations.delete(ENDED_ID);

    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(request.getTarget()).isEqualTo("/v1/avatar_conversations/" + ENDED_ID);
    assertThat(request.getHeaders().get("Accept")).isEqualTo("*/*");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + API_KEY);
    assertThat(request.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
    assertThat(request.getBody() == null ? 0 : request.getBody().size()).isZero();
    assertThat(attempts)
        .extracting(RequestObserver.Attempt::operation, RequestObserver.Attempt::status)
        .containsExactly(tuple("avatar_conversations.delete", 204));
  }

  @Test
  void aMissingConversationIsNotFoundWithStatusBodyAndRequestId() {
    String body = "{\"error\":\"Conversation not found\"}";
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .addHeader("Content-Type", "application/json")
            .addHeader("X-Request-Id", "req_conv_404")
            .body(body)
            .build());

    assertThatThrownBy(() -> conversations.retrieve(ENDED_ID))
        .isExactlyInstanceOf(NotFoundException.class)
        .hasMessage("404 Conversation not found [request id req_conv_404]")
        .satisfies(
            e -> {
              NotFoundException notFound = (NotFoundException) e;
              assertThat(notFound.status()).isEqualTo(404);
              assertThat(notFound.body()).isEqualTo(body);
              assertThat(notFound.error()).contains("Conversation not found");
              assertThat(notFound.requestId()).contains("req_conv_404");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void readsAndDeletesAreRetriedAfterA5xxAndA429() {
    server.enqueue(json(503, "{\"error\":\"busy\"}"));
    server.enqueue(json(200, Fixtures.upstream("avatar-conversations-page-2.json")));
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "2")
            .body("{\"error\":\"slow down\"}")
            .build());
    server.enqueue(new MockResponse.Builder().code(204).build());

    assertThat(conversations.listPage(ConversationListParams.none(), RequestOptions.none()).data())
        .hasSize(1);
    conversations.delete(FAILED_ID);

    assertThat(attempts)
        .extracting(
            RequestObserver.Attempt::operation,
            RequestObserver.Attempt::status,
            RequestObserver.Attempt::retry)
        .containsExactly(
            tuple("avatar_conversations.list", 503, 0),
            tuple("avatar_conversations.list", 200, 1),
            tuple("avatar_conversations.delete", 429, 0),
            tuple("avatar_conversations.delete", 204, 1));
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(375), Duration.ofMillis(500));
    assertThat(sleeps.get(1)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aRejectedKeyIsAnAuthenticationErrorThatDoesNotEchoTheKey() {
    server.enqueue(
        json(401, "{\"error\":\"Invalid API key " + API_KEY + " (Bearer " + API_KEY + ")\"}"));

    assertThatThrownBy(() -> conversations.delete(ENDED_ID))
        .isExactlyInstanceOf(AuthenticationException.class)
        .satisfies(
            e -> {
              assertThat(e.toString()).doesNotContain(API_KEY);
              assertThat(((RunwayApiException) e).body()).doesNotContain(API_KEY);
            });
  }

  @Test
  void invalidParamsFailBeforeAnyRequest() {
    assertThatThrownBy(() -> conversations.retrieve("../avatars"))
        .isInstanceOfSatisfying(
            InvalidParamsException.class, e -> assertThat(e.field()).isEqualTo("id"));
    assertThatThrownBy(() -> conversations.delete("not-a-uuid"))
        .isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> ConversationListParams.builder().limit(0).build())
        .hasMessage("limit: must be between 1 and 100");
    assertThatThrownBy(() -> ConversationListParams.builder().limit(101).build())
        .isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> ConversationListParams.builder().cursor("").build())
        .hasMessage("cursor: must be 1 to 1000 characters long");
    assertThatThrownBy(() -> ConversationListParams.builder().cursor("c".repeat(1001)).build())
        .isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> ConversationListParams.builder().avatar("cat-character").build())
        .isInstanceOfSatisfying(
            InvalidParamsException.class, e -> assertThat(e.field()).isEqualTo("avatar"));
    LocalDate day = LocalDate.of(2026, 7, 1);
    assertThatThrownBy(() -> ConversationListParams.builder().startDate(day).endDate(day).build())
        .hasMessage("endDate: must be after startDate");

    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void paramsKeepTheirValuesThroughTheBuilder() {
    ConversationListParams params =
        ConversationListParams.builder()
            .limit(7)
            .cursor("c")
            .avatar(CUSTOM_AVATAR)
            .startDate(Instant.parse("2026-07-01T00:00:00Z"))
            .endDate(LocalDate.of(2026, 7, 2))
            .build();

    assertThat(params.toBuilder().build()).isEqualTo(params);
    assertThat(params.pageSize()).isEqualTo(7);
    assertThat(params.endDate()).contains(Instant.parse("2026-07-02T00:00:00Z"));
    assertThat(ConversationListParams.none().pageSize())
        .isEqualTo(AvatarConversations.DEFAULT_PAGE_SIZE);
  }

  @Test
  void toStringHidesTheTranscriptAndTheRecordingSignature() {
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-ended.json")));
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-in-progress.json")));
    server.enqueue(json(200, Fixtures.upstream("avatar-conversation-failed.json")));

    String ended = conversations.retrieve(ENDED_ID).toString();
    String inProgress = conversations.retrieve(IN_PROGRESS_ID).toString();
    String failed = conversations.retrieve(FAILED_ID).toString();

    assertThat(ended)
        .startsWith("Ended[id=" + ENDED_ID)
        .contains(
            "recordingUrl=https://recordings.example.com/" + ENDED_ID + ".mp4?***",
            "transcript=3 entries",
            "endedAt=2026-07-01T10:04:45Z")
        .doesNotContain("abc123secret", "slide three");
    assertThat(inProgress)
        .startsWith("InProgress[")
        .contains("imageUrl=https://images.example.com/ada.png?***", "recordingUrl=null")
        .doesNotContain("imgsecret");
    assertThat(failed).contains("failureCode=TALKING_AVATAR.NO_PARTICIPANT", "avatar=null");
  }

  private static ObjectNode fixture(String name) {
    return (ObjectNode) JsonMapper.builder().build().readTree(Fixtures.upstream(name));
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
