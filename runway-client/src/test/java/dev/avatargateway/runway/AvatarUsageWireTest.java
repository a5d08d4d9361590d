package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Avatar usage over real HTTP against a scripted server answering the example of
 * runway-api-additions.md (src/test/resources/upstream/avatar-usage.json).
 */
class AvatarUsageWireTest {
  private static final String API_KEY = "key_usage_test";
  private static final LocalDate JULY_1 = LocalDate.of(2026, 7, 1);

  private final MockWebServer server = new MockWebServer();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final List<RequestObserver.Attempt> attempts = new CopyOnWriteArrayList<>();
  private AvatarUsageReports usage;

  @BeforeEach
  void start() throws IOException {
    server.start();
    usage =
        RunwayClient.builder()
            .apiKey(API_KEY)
            .baseUrl(server.url("/").uri())
            .sleeper(sleeps::add)
            .observer(attempts::add)
            .build()
            .avatarUsage();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void readsTheTotalsAndEachDay() throws InterruptedException {
    server.enqueue(json(200, Fixtures.upstream("avatar-usage.json")));

    AvatarUsage july = usage.retrieve(JULY_1, LocalDate.of(2026, 8, 1));

    assertThat(july.totalSessions()).isEqualTo(12);
    assertThat(july.totalDuration()).isEqualTo(Duration.ofMinutes(90));
    assertThat(july.averageDuration()).isEqualTo(Duration.ofSeconds(450));
    assertThat(july.byDay())
        .containsExactly(new AvatarUsage.Day(JULY_1, 4, Duration.ofMinutes(30)));
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    // Each day goes as the instant it starts in UTC: the OpenAPI document's date-time form.
    assertThat(request.getTarget())
        .isEqualTo(
            "/v1/avatar_usage?startDate=2026-07-01T00%3A00%3A00Z&endDate=2026-08-01T00%3A00%3A00Z");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + API_KEY);
    assertThat(request.getHeaders().get("X-Runway-Version")).isEqualTo("2024-11-06");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(attempts)
        .extracting(RequestObserver.Attempt::operation, RequestObserver.Attempt::status)
        .containsExactly(tuple("avatar_usage.retrieve", 200));
  }

  @Test
  void extraMembersAreIgnored() {
    server.enqueue(
        json(
            200,
            "{\"totalSessions\":0,\"totalSeconds\":0,\"avgDurationSeconds\":0,\"byDay\":"
                + "[{\"date\":\"2026-07-01\",\"sessions\":0,\"seconds\":0,\"credits\":0}],"
                + "\"currency\":\"credits\"}"));

    AvatarUsage empty = usage.retrieve(JULY_1, JULY_1.plusDays(1));

    assertThat(empty.totalSessions()).isZero();
    assertThat(empty.byDay()).extracting(AvatarUsage.Day::duration).containsExactly(Duration.ZERO);
  }

  @Test
  void aMalformedDayIsAnUnexpectedResponse() {
    server.enqueue(
        json(
            200,
            "{\"totalSessions\":1,\"totalSeconds\":6,\"avgDurationSeconds\":6,\"byDay\":"
                + "[{\"date\":\"July 1st\",\"sessions\":1,\"seconds\":6}]}"));

    assertThatThrownBy(() -> usage.retrieve(JULY_1, JULY_1.plusDays(1)))
        .isExactlyInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("'date' is not an ISO-8601 date");
  }

  @Test
  void aBadRequestKeepsItsIssuesAndRequestIdAndIsNotRetried() {
    server.enqueue(
        new MockResponse.Builder()
            .code(400)
            .addHeader("Content-Type", "application/json")
            .addHeader("X-Request-Id", "req_usage_400")
            .body(
                "{\"error\":\"Invalid query\",\"issues\":[{\"code\":\"invalid_string\","
                    + "\"path\":[\"startDate\"],\"message\":\"Invalid datetime\"}]}")
            .build());

    assertThatThrownBy(() -> usage.retrieve(JULY_1, JULY_1.plusDays(3)))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.requestId()).contains("req_usage_400");
              assertThat(e.issues())
                  .extracting(ValidationIssue::message)
                  .containsExactly("Invalid datetime");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aServerErrorIsRetriedLikeEveryRead() {
    server.enqueue(json(500, "{\"error\":\"oops\"}"));
    server.enqueue(json(502, "{\"error\":\"oops\"}"));
    server.enqueue(json(200, Fixtures.upstream("avatar-usage.json")));

    assertThat(usage.retrieve(JULY_1, JULY_1.plusDays(30)).totalSessions()).isEqualTo(12);

    assertThat(attempts)
        .extracting(RequestObserver.Attempt::status, RequestObserver.Attempt::retry)
        .containsExactly(tuple(500, 0), tuple(502, 1), tuple(200, 2));
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void theRangeMustBeOneTo90Days() {
    assertThatThrownBy(() -> usage.retrieve(JULY_1, JULY_1))
        .isInstanceOfSatisfying(
            InvalidParamsException.class, e -> assertThat(e.field()).isEqualTo("endDate"));
    assertThatThrownBy(() -> usage.retrieve(JULY_1, JULY_1.minusDays(1)))
        .isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> usage.retrieve(JULY_1, JULY_1.plusDays(91)))
        .hasMessage("endDate: must be at most 90 days after startDate");
    assertThat(server.getRequestCount()).isZero();

    server.enqueue(json(200, Fixtures.upstream("avatar-usage.json")));
    assertThat(usage.retrieve(JULY_1, JULY_1.plusDays(90)).totalSessions()).isEqualTo(12);
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
