package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SessionRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting line with the asynchronous start and the budgets, over real HTTP: a start that must
 * wait is answered 202 at once and its stream tells its place until its turn comes; a start nobody
 * reads leaves the line without creating anything; a principal holds no more places than its
 * concurrent-session budget still allows.
 */
class LineSessionsEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String SESSIONS = "/api/avatar/sessions";

  /** How long the simulator takes to READY a session: until the test moves its clock. */
  private static final Duration HELD = Duration.ofMinutes(1);

  /** One creation slot; every other limit off; any number of places per caller. */
  private static final String ONE_SLOT =
      "runway:\n  simulatedReadyAfter: 100ms\n"
          + "connect:\n  deadline: 5m\n  queuedDeadline: 5m\n"
          + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
          + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 1\n"
          + "line:\n  maxWaitingPerPrincipal: 0\n";

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String bobKey = TestIdentityProvider.randomSecret("gw_", 24);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(String yaml) {
    gateway =
        GatewayHarness.start(
            ONE_SLOT + yaml,
            Map.of(
                "GATEWAY_LEDGER_URL",
                "jdbc:h2:mem:line-sessions-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));
  }

  private static String body(String avatar) {
    return "{\"avatarId\":\"" + avatar + "\"}";
  }

  /** Starts a connect that takes the only creation slot and holds it until the clock moves. */
  private CompletableFuture<GatewayHarness.Response> holdTheSlot(String... headers) {
    CompletableFuture<GatewayHarness.Response> holder =
        CompletableFuture.supplyAsync(
            () -> gateway.postJson(CONNECT, body("cat-character"), headers));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    return holder;
  }

  /**
   * Lets the slot's holder reach READY, then checks that its session is the only one Runway created
   * and that none was created for {@code avatar}.
   */
  private void releaseTheSlotAndAssertNothingElseWasCreated(
      CompletableFuture<GatewayHarness.Response> holder, String avatar) throws Exception {
    gateway.upstream().advanceClock(HELD);
    assertThat(holder.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.app().connectsInFlight() == 0);
    assertThat(gateway.upstream().sessions())
        .hasSize(1)
        .extracting(SessionRecord::createBody)
        .noneMatch(create -> create.contains(avatar));
  }

  private String startedId(String avatar) {
    GatewayHarness.Response started = gateway.postJson(SESSIONS, body(avatar));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return started.json().get("id").asString();
  }

  private static EventStream.Event next(EventStream stream, String name) {
    EventStream.Event event = stream.next();
    assertThat(event).isNotNull();
    assertThat(event.name()).as(String.valueOf(event.data())).isEqualTo(name);
    return event;
  }

  @Test
  void aStartThatWaitsIsAnswered202AndItsStreamTellsItsPlaceUntilItsTurn() throws Exception {
    start("");
    CompletableFuture<GatewayHarness.Response> holder = holdTheSlot();

    // Answered while they wait: nothing is created for them yet.
    String first = startedId("influencer");
    String second = startedId("tennis-coach");
    assertThat(gateway.upstream().sessions()).hasSize(1);

    try (EventStream a = EventStream.open(gateway, SESSIONS + "/" + first + "/events");
        EventStream b = EventStream.open(gateway, SESSIONS + "/" + second + "/events")) {
      EventStream.Event queuedA = next(a, "queued");
      assertThat(queuedA.data().get("position").asInt()).isEqualTo(1);
      // No session has ended yet: nothing to estimate the wait from.
      assertThat(queuedA.data().get("etaSeconds").isNull()).isTrue();
      EventStream.Event queuedB = next(b, "queued");
      assertThat(queuedB.data().get("position").asInt()).isEqualTo(2);
      assertThat(queuedB.data().get("etaSeconds").isNull()).isTrue();

      // The holder's READY frees the slot: the first in line creates, the second moves up.
      gateway.upstream().advanceClock(HELD);
      assertThat(holder.get().status()).isEqualTo(200);
      String upstreamA = next(a, "created").data().get("sessionId").asString();
      assertThat(next(b, "queued").data().get("position").asInt()).isEqualTo(1);
      gateway.upstream().advanceClock(HELD);
      next(a, "ready");
      EventStream.Event credentials = next(a, "credentials");
      assertThat(credentials.data().get("sessionId").asString()).isEqualTo(upstreamA);
      assertThat(credentials.data().get("token").asString()).isNotBlank();
      assertThat(a.next()).isNull();

      String upstreamB = next(b, "created").data().get("sessionId").asString();
      gateway.upstream().advanceClock(HELD);
      next(b, "ready");
      assertThat(next(b, "credentials").data().get("sessionId").asString()).isEqualTo(upstreamB);
    }
    List<SessionRecord> created = gateway.upstream().sessions();
    assertThat(created).hasSize(3);
    assertThat(created.get(1).createBody()).contains("influencer");
    assertThat(created.get(2).createBody()).contains("tennis-coach");
  }

  @Test
  void aStartNobodyReadsLeavesTheLineWithinTheGraceAndCreatesNothing() throws Exception {
    start("sessions:\n  readerGrace: 500ms\n");
    CompletableFuture<GatewayHarness.Response> holder = holdTheSlot();

    String unread = startedId("influencer");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.app().connectsInFlight() == 1);

    // A late reader is told what happened: it waited, then was cancelled for nobody reading.
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + unread + "/events")) {
      List<EventStream.Event> events = stream.rest();
      assertThat(events).extracting(EventStream.Event::name).containsExactly("queued", "cancelled");
      assertThat(events.getLast().data().get("reason").asString()).isEqualTo("client_gone");
    }
    releaseTheSlotAndAssertNothingElseWasCreated(holder, "influencer");
    assertThat(metrics()).contains("avatar_gateway_line_wait_seconds_count{outcome=\"gave_up\"} 1");
  }

  @Test
  void aStartThatStillWaitsIsShownWaitingAndEndingItTakesItOutOfTheLineCreatingNothing()
      throws Exception {
    start("");
    CompletableFuture<GatewayHarness.Response> holder = holdTheSlot();
    String waiting = startedId("influencer");

    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + waiting + "/events")) {
      next(stream, "queued");
      GatewayHarness.Response read = gateway.get(SESSIONS + "/" + waiting);
      assertThat(read.status()).as(read.body()).isEqualTo(200);
      assertThat(read.json().get("state").asString()).isEqualTo("waiting");
      assertThat(read.json().get("sessionId").isNull()).isTrue();
      GatewayHarness.Response ended = gateway.delete(SESSIONS + "/" + waiting);
      assertThat(ended.status()).as(ended.body()).isEqualTo(200);
      assertThat(ended.json().get("id").asString()).isEqualTo(waiting);
      assertThat(ended.json().get("state").asString()).isEqualTo("cancelled");
      assertThat(ended.json().get("outcome").asString()).isEqualTo("end_requested");
      assertThat(ended.json().get("sessionId").isNull()).isTrue();
      EventStream.Event last = next(stream, "cancelled");
      assertThat(last.data().get("reason").asString()).isEqualTo("end_requested");
    }
    assertThat(lineLength()).isZero();
    // Asked again: answered as it ended, not as unknown.
    GatewayHarness.Response again = gateway.delete(SESSIONS + "/" + waiting);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().get("state").asString()).isEqualTo("cancelled");

    releaseTheSlotAndAssertNothingElseWasCreated(holder, "influencer");
  }

  @Test
  void aPrincipalWaitsInNoMorePlacesThanItsConcurrentBudgetStillAllows() throws Exception {
    start(
        "auth:\n  mode: api-key\n  apiKeys:\n"
            + ("    - {name: alice, key: " + aliceKey + "}\n")
            + ("    - {name: bob, key: " + bobKey + "}\n")
            + "budgets:\n  perPrincipal: {concurrentSessions: 2}\n");
    // Alice's first session is live (created, not READY): her budget allows one more.
    CompletableFuture<GatewayHarness.Response> holder = holdTheSlot("X-Api-Key", aliceKey);
    CompletableFuture<GatewayHarness.Response> second =
        CompletableFuture.supplyAsync(
            () -> gateway.postJson(CONNECT, body("influencer"), "X-Api-Key", aliceKey));
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);

    // A third would wait for a session her budget refuses at its turn: refused now instead.
    GatewayHarness.Response third =
        gateway.postJson(CONNECT, body("tennis-coach"), "X-Api-Key", aliceKey);

    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("quota_exceeded");
    assertThat(third.json().path("budget").asString()).isEqualTo("perPrincipal.concurrentSessions");
    assertThat(third.json().path("limit").decimalValue()).isEqualByComparingTo("2");
    // One live session and one place in the line.
    assertThat(third.json().path("used").decimalValue()).isEqualByComparingTo("2");
    assertThat(third.header("Retry-After")).isEqualTo("30");
    assertThat(lineLength()).isEqualTo(1);

    // Bob's budget is his own: he waits.
    CompletableFuture<GatewayHarness.Response> bob =
        CompletableFuture.supplyAsync(
            () -> gateway.postJson(CONNECT, body("tennis-coach"), "X-Api-Key", bobKey));
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 2);

    gateway.upstream().advanceClock(HELD);
    assertThat(holder.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);
    gateway.upstream().advanceClock(HELD);
    assertThat(second.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 3);
    gateway.upstream().advanceClock(HELD);
    assertThat(bob.get().status()).isEqualTo(200);
    // Alice's refused third start (tennis-coach) created nothing: the one tennis-coach is Bob's.
    List<SessionRecord> created = gateway.upstream().sessions();
    assertThat(created).hasSize(3);
    assertThat(created.get(2).createBody()).contains("tennis-coach");
    assertThat(created).filteredOn(r -> r.createBody().contains("tennis-coach")).hasSize(1);
  }

  private String metrics() {
    return gateway.get("/metrics").body();
  }

  /** The line's length, as the metrics report it. */
  private int lineLength() {
    return (int) gateway.metric("avatar_gateway_line_waiting").orElseThrow();
  }
}
