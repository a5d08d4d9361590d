package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.TestApi.Response;
import dev.avatargateway.simulator.junit.RunwaySimulatorExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every fault kind and header of FaultRule (official-sdk-behaviour.md §1.4, §1.5). */
class FaultInjectionTest {
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).seed(42).build());

  private final TestApi api = new TestApi(SIMULATOR.baseUrl());
  private final SimulatorAdmin admin = SIMULATOR.admin();

  @Test
  void aStatusFaultAnswersItsStatusOnItsRouteOnly() {
    String id = api.create();
    admin.injectFault(FaultRule.builder().route(Route.RETRIEVE).status(503).build());

    Response faulted = api.retrieve(id);

    assertThat(faulted.status()).isEqualTo(503);
    assertThat(faulted.error()).contains("Service Unavailable");
    assertThat(faulted.header("x-request-id")).isPresent();
    assertThat(faulted.header("retry-after")).isEmpty();
    assertThat(faulted.header("x-should-retry")).isEmpty();
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(200);
    assertThat(admin.stats().faultsInjected()).isEqualTo(1);
    assertThat(admin.stats().count(Route.RETRIEVE, 503)).isEqualTo(1);
    assertThat(admin.session(id).orElseThrow().getCount()).isZero();
  }

  @Test
  void faultsComeBeforeAuthentication() {
    admin.injectFault(FaultRule.builder().route(Route.CREATE).status(429).build());
    Response r =
        api.send(
            api.bare("/v1/realtime_sessions")
                .POST(HttpRequest.BodyPublishers.ofString(TestApi.PRESET_BODY)));
    assertThat(r.status()).isEqualTo(429);
  }

  @Test
  void theConversationAndUsageRoutesCanBeFaultedOneByOne() {
    admin.injectFault(FaultRule.parse("conversation-list:503:times=1"));
    admin.injectFault(FaultRule.parse("conversation-retrieve:429:retry-after=2"));
    admin.injectFault(FaultRule.parse("conversation-delete:500"));
    admin.injectFault(FaultRule.parse("usage:502"));
    String path = "/v1/avatar_conversations/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10";

    assertThat(api.get("/v1/avatar_conversations").status()).isEqualTo(503);
    assertThat(api.get("/v1/avatar_conversations").status()).isEqualTo(200);
    Response limited = api.get(path);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("retry-after")).contains("2");
    assertThat(api.delete(path).status()).isEqualTo(500);
    assertThat(api.get("/v1/avatar_usage?startDate=2026-11-23&endDate=2026-11-24").status())
        .isEqualTo(502);

    SimulatorStats stats = admin.stats();
    assertThat(stats.count(Route.CONVERSATION_LIST, 503)).isEqualTo(1);
    assertThat(stats.count(Route.CONVERSATION_LIST, 200)).isEqualTo(1);
    assertThat(stats.count(Route.CONVERSATION_RETRIEVE, 429)).isEqualTo(1);
    assertThat(stats.count(Route.CONVERSATION_DELETE, 500)).isEqualTo(1);
    assertThat(stats.count(Route.USAGE, 502)).isEqualTo(1);
    assertThat(stats.faultsInjected()).isEqualTo(4);
  }

  @Test
  void timesLimitsHowManyRequestsAreHit() {
    admin.injectFault(FaultRule.builder().route(Route.CREATE).status(500).times(2).build());

    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(500);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(500);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(200);
    assertThat(admin.sessions()).hasSize(1);
  }

  @Test
  void theFirstApplicableRuleWins() {
    admin.injectFault(FaultRule.builder().route(Route.CREATE).status(408).times(1).build());
    admin.injectFault(FaultRule.builder().route(Route.ANY).status(504).build());

    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(408);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(504);
    assertThat(api.get("/v1/avatars").status()).isEqualTo(504);
  }

  @Test
  void probabilityHitsRoughlyThatShareOfRequests() {
    admin.injectFault(
        FaultRule.builder().route(Route.AVATAR_LIST).status(502).probability(0.5).build());
    int hits = 0;
    for (int i = 0; i < 200; i++) {
      if (api.get("/v1/avatars").status() == 502) {
        hits++;
      }
    }
    // Binomial(200, 0.5): outside [60, 140] has a probability below 1e-8.
    assertThat(hits).isBetween(60, 140);
  }

  @Test
  void probabilityZeroNeverHits() {
    admin.injectFault(FaultRule.builder().status(500).probability(0).build());
    for (int i = 0; i < 20; i++) {
      assertThat(api.get("/v1/avatars").status()).isEqualTo(200);
    }
  }

  @Test
  void retryAfterInSeconds() {
    admin.injectFault(
        FaultRule.builder()
            .route(Route.CREATE)
            .status(429)
            .retryAfter(RetryAfter.seconds(2))
            .build());
    Response r = api.createRaw(TestApi.PRESET_BODY);
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("retry-after")).contains("2");
    assertThat(r.header("retry-after-ms")).isEmpty();
  }

  @Test
  void retryAfterInMilliseconds() {
    admin.injectFault(
        FaultRule.builder()
            .route(Route.CREATE)
            .status(429)
            .retryAfter(RetryAfter.millis(300))
            .build());
    Response r = api.createRaw(TestApi.PRESET_BODY);
    assertThat(r.header("retry-after-ms")).contains("300");
    assertThat(r.header("retry-after")).isEmpty();
  }

  @Test
  void retryAfterAsAnHttpDate() {
    admin.advanceClock(Duration.ofMillis(250));
    admin.injectFault(
        FaultRule.builder()
            .route(Route.CREATE)
            .status(503)
            .retryAfter(RetryAfter.httpDate(Duration.ofSeconds(3)))
            .build());
    Response r = api.createRaw(TestApi.PRESET_BODY);
    String header = r.header("retry-after").orElseThrow();
    assertThat(header).isEqualTo("Mon, 23 Nov 2026 12:00:03 GMT");
    assertThat(ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
        .isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void shouldRetryHeader() {
    admin.injectFault(
        FaultRule.builder().route(Route.CREATE).status(500).shouldRetry(false).times(1).build());
    admin.injectFault(
        FaultRule.builder().route(Route.CREATE).status(400).shouldRetry(true).times(1).build());

    assertThat(api.createRaw(TestApi.PRESET_BODY).header("x-should-retry")).contains("false");
    assertThat(api.createRaw(TestApi.PRESET_BODY).header("x-should-retry")).contains("true");
  }

  @Test
  void resetDropsTheConnectionWithoutAResponse() {
    admin.injectFault(FaultRule.builder().route(Route.AVATAR_LIST).reset().build());

    assertThatThrownBy(() -> api.get("/v1/avatars"))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(admin.stats().count(Route.AVATAR_LIST, 0)).isPositive();
    admin.clearFaults();
    assertThat(api.get("/v1/avatars").status()).isEqualTo(200);
  }

  @Test
  void hangHoldsTheRequestUntilTheClientGivesUp() {
    String id = api.create();
    admin.injectFault(FaultRule.builder().route(Route.RETRIEVE).hang().times(1).build());

    HttpRequest request =
        api.request("/v1/realtime_sessions/" + id).timeout(Duration.ofMillis(300)).GET().build();
    assertThatThrownBy(() -> api.send(request)).hasCauseInstanceOf(HttpTimeoutException.class);

    // The server keeps serving everything else meanwhile, and the rule is used up.
    assertThat(api.retrieve(id).status()).isEqualTo(200);
    assertThat(admin.stats().count(Route.RETRIEVE, 0)).isEqualTo(1);
  }

  @Test
  void closingTheSimulatorReleasesHungRequestsPromptly() throws Exception {
    RunwaySimulator sim = RunwaySimulator.start(SimulatorConfig.builder().build());
    sim.admin().injectFault(FaultRule.builder().hang().build());
    CompletableFuture<?> pending =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(sim.baseUrl().resolve("/v1/avatars")).build(),
                BodyHandlers.ofString());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sim.admin().stats().count(Route.AVATAR_LIST, 0) == 1);

    long start = System.nanoTime();
    sim.close();

    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aHangIsReleasedAfterMaxHang() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(SimulatorConfig.builder().maxHang(Duration.ofMillis(200)).build())) {
      sim.admin().injectFault(FaultRule.builder().hang().build());
      assertThatThrownBy(() -> new TestApi(sim).get("/v1/avatars"))
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void afterCommitCreatesTheSessionThenAnswersTheFault() {
    admin.injectFault(
        FaultRule.builder().route(Route.CREATE).status(502).afterCommit(true).times(1).build());

    Response first = api.createRaw(TestApi.PRESET_BODY);
    Response retry =
        api.send(
            api.request("/v1/realtime_sessions")
                .header("Content-Type", "application/json")
                .header("x-stainless-retry-count", "1")
                .POST(HttpRequest.BodyPublishers.ofString(TestApi.PRESET_BODY)));

    assertThat(first.status()).isEqualTo(502);
    assertThat(first.body()).doesNotContain("\"id\"");
    assertThat(retry.status()).isEqualTo(200);
    // The duplicate the official SDK's unkeyed retry makes (official-sdk-behaviour.md §1.3).
    assertThat(admin.sessions()).hasSize(2);
    assertThat(admin.stats().sessionsCreated()).isEqualTo(2);
    assertThat(admin.stats().clientRetries()).isEqualTo(1);
    assertThat(admin.openCount()).isEqualTo(2);
  }

  @Test
  void afterCommitSparesFailedRequestsAndKeepsItsBudget() {
    admin.injectFault(
        FaultRule.builder().route(Route.CREATE).status(500).afterCommit(true).times(1).build());

    assertThat(api.createRaw("{}").status()).isEqualTo(400);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(500);
    assertThat(api.createRaw(TestApi.PRESET_BODY).status()).isEqualTo(200);
  }

  @Test
  void afterCommitOnConsumeConsumesThenFails() {
    String id = api.create();
    admin.advanceClock(Duration.ofMillis(1_500));
    String key = admin.session(id).orElseThrow().sessionKey().orElseThrow();
    admin.injectFault(
        FaultRule.builder().route(Route.CONSUME).status(504).afterCommit(true).build());

    assertThat(api.consume(id, key).status()).isEqualTo(504);
    assertThat(admin.session(id).orElseThrow().status()).isEqualTo("RUNNING");
  }

  @Test
  void adminRoutesAreNeverFaulted() {
    admin.injectFault(FaultRule.builder().status(500).build());
    assertThat(api.send(api.bare("/_simulator/stats").GET()).status()).isEqualTo(200);
  }

  @Test
  void faultsFromTheConfigComeBackAfterResetButInjectedOnesDoNot() {
    try (RunwaySimulator sim =
        RunwaySimulator.start(
            SimulatorConfig.builder().fault(FaultRule.parse("avatar-list:503:times=1")).build())) {
      TestApi other = new TestApi(sim);
      sim.admin().injectFault(FaultRule.parse("avatar-retrieve:500"));
      assertThat(other.get("/v1/avatars").status()).isEqualTo(503);
      assertThat(other.get("/v1/avatars").status()).isEqualTo(200);

      sim.admin().reset();

      assertThat(other.get("/v1/avatars").status()).isEqualTo(503);
      assertThat(other.get("/v1/avatars/7d1b1a4e-2f43-4d6a-9a63-2f6a3b1c9d10").status())
          .isEqualTo(404);
    }
  }
}
