package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SessionRecord;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting line over real HTTP: with one creation slot and slow READY, concurrent connects are
 * served in the order they arrived, a client that leaves while waiting is dropped without creating
 * anything upstream, and one caller cannot hold more places than allowed.
 */
class LineEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";

  /** How long the simulator takes to READY a session: until the test moves its clock. */
  private static final Duration HELD = Duration.ofMinutes(1);

  /** One creation slot; every other limit off (they have their own tests). */
  private static final String ONE_SLOT =
      "runway:\n  simulatedReadyAfter: 100ms\n"
          + "connect:\n  deadline: 5m\n  queuedDeadline: 5m\n"
          + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
          + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 1\n";

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  @Test
  void threeConcurrentConnectsAreServedInTheOrderTheyArrived() throws Exception {
    // Every test client is the same anonymous caller: let it hold several places here.
    gateway = GatewayHarness.start(ONE_SLOT + "line:\n  maxWaitingPerPrincipal: 0\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));

    CompletableFuture<GatewayHarness.Response> first = connectAsync("cat-character");
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    CompletableFuture<GatewayHarness.Response> second = connectAsync("influencer");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);
    CompletableFuture<GatewayHarness.Response> third = connectAsync("tennis-coach");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 2);
    // Waiting starts create nothing upstream.
    assertThat(gateway.upstream().sessions()).hasSize(1);

    // Each READY frees the slot for the next in line, which creates its session then.
    gateway.upstream().advanceClock(HELD);
    assertThat(first.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);
    assertThat(lineLength()).isEqualTo(1);
    gateway.upstream().advanceClock(HELD);
    assertThat(second.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 3);
    gateway.upstream().advanceClock(HELD);
    assertThat(third.get().status()).isEqualTo(200);

    List<SessionRecord> created = gateway.upstream().sessions();
    assertThat(created.get(0).createBody()).contains("cat-character");
    assertThat(created.get(1).createBody()).contains("influencer");
    assertThat(created.get(2).createBody()).contains("tennis-coach");
    assertThat(lineLength()).isZero();
    assertThat(metrics()).contains("avatar_gateway_line_wait_seconds_count{outcome=\"served\"} 2");
  }

  @Test
  void aClientThatLeavesWhileWaitingIsDroppedAndCreatesNothing() throws Exception {
    gateway = GatewayHarness.start(ONE_SLOT + "line:\n  maxWaitingPerPrincipal: 0\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));
    CompletableFuture<GatewayHarness.Response> holder = connectAsync("cat-character");
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    byte[] body = "{\"avatarId\":\"influencer\"}".getBytes(StandardCharsets.UTF_8);

    try (Socket socket = new Socket("127.0.0.1", gateway.app().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + CONNECT
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);
      CompletableFuture<GatewayHarness.Response> behind = connectAsync("tennis-coach");
      await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 2);
      socket.close();

      // The leaver's place is given up at once: the one behind it is next.
      await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.app().connectsInFlight() == 2);
      gateway.upstream().advanceClock(HELD);
      assertThat(holder.get().status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);
      gateway.upstream().advanceClock(HELD);
      assertThat(behind.get().status()).isEqualTo(200);
    }

    assertThat(gateway.upstream().sessions())
        .extracting(SessionRecord::createBody)
        .noneMatch(create -> create.contains("influencer"));
    assertThat(metrics())
        .contains("avatar_gateway_line_wait_seconds_count{outcome=\"gave_up\"} 1")
        .contains("avatar_gateway_connects_total{code=\"client_gone\",outcome=\"error\"} 1");
  }

  @Test
  void oneCallerHoldsOnePlaceAndBeyondItsBoundTheLineIsBusy() throws Exception {
    // Anonymous callers are told apart by address: the test client speaks for several.
    gateway =
        GatewayHarness.start(
            ONE_SLOT + "  trustedProxies: [127.0.0.1]\n" + "line:\n  maxWaiting: 2\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));
    CompletableFuture<GatewayHarness.Response> holder = connectAsync("cat-character", "192.0.2.1");
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);
    CompletableFuture<GatewayHarness.Response> second = connectAsync("influencer", "192.0.2.2");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);

    GatewayHarness.Response again = connect("tennis-coach", "192.0.2.2");
    assertThat(again.status()).isEqualTo(429);
    assertThat(again.code()).isEqualTo("too_many_waiting");
    assertThat(again.header("Retry-After")).isNotBlank();

    CompletableFuture<GatewayHarness.Response> third = connectAsync("tennis-coach", "192.0.2.3");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 2);
    GatewayHarness.Response full = connect("tennis-coach", "192.0.2.4");
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.code()).isEqualTo("upstream_busy");
    assertThat(full.header("Retry-After")).isNotBlank();

    for (CompletableFuture<GatewayHarness.Response> next : List.of(holder, second, third)) {
      int before = gateway.upstream().sessions().size();
      gateway.upstream().advanceClock(HELD);
      assertThat(next.get().status()).isEqualTo(200);
      if (next != third) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gateway.upstream().sessions().size() == before + 1);
      }
    }
    assertThat(gateway.upstream().sessions()).hasSize(3);
    assertThat(metrics())
        .contains("avatar_gateway_rate_limit_rejections_total{limit=\"line_principal\"} 1")
        .contains("avatar_gateway_rate_limit_rejections_total{limit=\"upstream\"} 1");
  }

  @Test
  void whileRunwayQueuesOurSessionNewStartsWaitInTheLineInsteadOfCreating() throws Exception {
    gateway =
        GatewayHarness.start(
            "runway:\n  simulatedReadyAfter: 100ms\n"
                + "connect:\n  deadline: 5m\n  queuedDeadline: 5m\n"
                + "readiness:\n  queuedInterval: 250ms\n"
                + "avatars:\n  sessionDefaults: {maxDuration: 10}\n"
                + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
                + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 10\n"
                + "line:\n  maxWaitingPerPrincipal: 0\n  maxWait: 2m\n");
    // The organisation runs one session at a time; the first call takes it and keeps it.
    gateway.upstream().setConcurrencyCap(1);
    assertThat(gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}").status())
        .isEqualTo(200);
    CompletableFuture<GatewayHarness.Response> queued = connectAsync("influencer");
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);
    String queuedId = gateway.upstream().sessions().get(1).id();
    assertThat(gateway.upstream().session(queuedId).orElseThrow().queued()).isTrue();
    // The gateway has read it queued (a read follows the answer it acted on).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                gateway.upstream().requests().stream()
                        .filter(r -> r.method().equals("GET") && r.path().endsWith(queuedId))
                        .count()
                    >= 3);

    // Gate slots are free, but creating now would only queue another paid session upstream.
    CompletableFuture<GatewayHarness.Response> third = connectAsync("tennis-coach");
    await().atMost(Duration.ofSeconds(10)).until(() -> lineLength() == 1);
    assertThat(gateway.upstream().sessions()).hasSize(2);

    // The first call ends (its 10 s in simulated time): the queued session starts, the line opens.
    gateway.upstream().advanceClock(Duration.ofSeconds(11));
    assertThat(queued.get().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 3);
    SessionRecord second = gateway.upstream().session(queuedId).orElseThrow();
    SessionRecord last = gateway.upstream().sessions().get(2);
    assertThat(last.createBody()).contains("tennis-coach");
    assertThat(last.createdAt()).isAfterOrEqualTo(second.provisioningStartedAt().orElseThrow());
    gateway.upstream().advanceClock(Duration.ofSeconds(11));
    assertThat(third.get().status()).isEqualTo(200);
  }

  private GatewayHarness.Response connect(String avatar, String address) {
    return gateway.postJson(
        CONNECT, "{\"avatarId\":\"" + avatar + "\"}", "X-Forwarded-For", address);
  }

  private CompletableFuture<GatewayHarness.Response> connectAsync(String avatar, String address) {
    return CompletableFuture.supplyAsync(() -> connect(avatar, address));
  }

  private CompletableFuture<GatewayHarness.Response> connectAsync(String avatar) {
    return CompletableFuture.supplyAsync(
        () -> gateway.postJson(CONNECT, "{\"avatarId\":\"" + avatar + "\"}"));
  }

  private String metrics() {
    return gateway.get("/metrics").body();
  }

  /** The line's length, as the metrics report it. */
  private int lineLength() {
    return (int) gateway.metric("avatar_gateway_line_waiting").orElseThrow();
  }
}
