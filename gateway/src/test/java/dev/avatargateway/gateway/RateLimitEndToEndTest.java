package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connect limits over real HTTP against a real gateway (issue 3 §3.2 and §5): the principal's
 * and the client address's token buckets, the principal's concurrency cap, the global cap on
 * upstream creations, {@code X-Forwarded-For} behind trusted proxies only, and the rejection
 * metric. A refused connect creates no upstream session.
 */
class RateLimitEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /** Fast sessions; each test switches on the limits it is about and leaves the others off. */
  private static final String FAST_RUNWAY = "runway:\n  simulatedReadyAfter: 100ms\n";

  /**
   * One token back per hour: no token returns while a test runs, so the rejections it expects are
   * certain, and Retry-After is large.
   */
  private static final String SLOW_REFILL = "refillTokens: 1, refillPeriod: 1h";

  /** Long enough that nothing gets READY until the test moves the simulated clock. */
  private static final Duration HELD = Duration.ofMinutes(1);

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
    gateway = GatewayHarness.start(FAST_RUNWAY + yaml);
  }

  private String apiKeys() {
    return "auth:\n  mode: api-key\n  apiKeys:\n"
        + ("    - {name: alice, key: " + aliceKey + "}\n")
        + ("    - {name: bob, key: " + bobKey + "}\n");
  }

  private GatewayHarness.Response connect(String key, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "X-Api-Key";
    all[1] = key;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return gateway.postJson(CONNECT, CAT, all);
  }

  private GatewayHarness.Response anonymous(String... headers) {
    return gateway.postJson(CONNECT, CAT, headers);
  }

  @Test
  void thePrincipalsBucketRefusesItsThirdConnectWithRetryAfter() {
    start(
        apiKeys()
            + "rateLimit:\n"
            + ("  perPrincipal: {capacity: 2, " + SLOW_REFILL + "}\n")
            + "  perClientAddress: {capacity: 0}\n");

    assertThat(connect(aliceKey).status()).isEqualTo(200);
    assertThat(connect(aliceKey).status()).isEqualTo(200);
    GatewayHarness.Response third = connect(aliceKey);

    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("rate_limited");
    assertThat(third.json().get("requestId").asString()).isEqualTo(third.header("X-Request-Id"));
    // One token per hour: the next one is due in (at most) an hour, in whole seconds.
    assertThat(third.retryAfterSeconds()).isBetween(1L, Duration.ofHours(1).toSeconds());
    assertThat(gateway.upstream().sessions()).hasSize(2);

    // Another principal has its own bucket.
    assertThat(connect(bobKey).status()).isEqualTo(200);
    assertThat(gateway.upstream().sessions()).hasSize(3);
    assertThat(rejections("principal")).isEqualTo(1.0);
    assertThat(rejections("ip")).isZero();
  }

  @Test
  void anonymousCallersAreLimitedByTheirAddress() {
    start(
        "rateLimit:\n"
            + ("  perClientAddress: {capacity: 2, " + SLOW_REFILL + "}\n")
            // Never applied to anonymous callers: one bucket would lump them all together.
            + ("  perPrincipal: {capacity: 1, " + SLOW_REFILL + "}\n"));

    assertThat(anonymous().status()).isEqualTo(200);
    assertThat(anonymous().status()).isEqualTo(200);
    GatewayHarness.Response third = anonymous();

    assertThat(third.status()).isEqualTo(429);
    assertThat(third.code()).isEqualTo("rate_limited");
    assertThat(third.retryAfterSeconds()).isBetween(1L, Duration.ofHours(1).toSeconds());
    assertThat(gateway.upstream().sessions()).hasSize(2);
    assertThat(rejections("ip")).isEqualTo(1.0);
    assertThat(rejections("principal")).isZero();
  }

  @Test
  void aPrincipalsSecondConcurrentConnectIsRefusedWhileTheFirstCompletes() throws Exception {
    // maxConcurrentConnectsPerPrincipal keeps its default, 1.
    start(
        apiKeys()
            + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));

    CompletableFuture<GatewayHarness.Response> first =
        CompletableFuture.supplyAsync(() -> connect(aliceKey));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);

    GatewayHarness.Response second = connect(aliceKey);
    assertThat(second.status()).isEqualTo(429);
    assertThat(second.code()).isEqualTo("too_many_concurrent_connects");
    assertThat(second.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
    assertThat(gateway.upstream().sessions()).hasSize(1);
    assertThat(first).isNotDone();

    gateway.upstream().advanceClock(HELD);
    GatewayHarness.Response completed = first.get();
    assertThat(completed.status()).as(completed.body()).isEqualTo(200);
    assertThat(gateway.upstream().sessions().getFirst().status()).isEqualTo("RUNNING");

    // The slot is free again.
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMillis(100)));
    assertThat(connect(aliceKey).status()).isEqualTo(200);
    assertThat(rejections("concurrency")).isEqualTo(1.0);
  }

  @Test
  void anonymousCallersAreCappedPerAddressNotAllTogether() throws Exception {
    start(
        """
        rateLimit:
          perPrincipal: {capacity: 0}
          perClientAddress: {capacity: 0}
          trustedProxies: [127.0.0.1]
        """);
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));

    CompletableFuture<GatewayHarness.Response> first =
        CompletableFuture.supplyAsync(() -> anonymous("X-Forwarded-For", "203.0.113.7"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);

    // Same address: the second concurrent connect is refused ...
    GatewayHarness.Response sameAddress = anonymous("X-Forwarded-For", "203.0.113.7");
    assertThat(sameAddress.status()).isEqualTo(429);
    assertThat(sameAddress.code()).isEqualTo("too_many_concurrent_connects");
    // ... another address is not held up by it.
    CompletableFuture<GatewayHarness.Response> otherAddress =
        CompletableFuture.supplyAsync(() -> anonymous("X-Forwarded-For", "198.51.100.9"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 2);

    gateway.upstream().advanceClock(HELD);
    assertThat(first.get().status()).isEqualTo(200);
    assertThat(otherAddress.get().status()).isEqualTo(200);
  }

  @Test
  void theUpstreamCreateCapRefusesAnotherPrincipalWith503() throws Exception {
    start(
        apiKeys()
            + "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
            + "  maxUpstreamCreatesInFlight: 1\n"
            // Without the waiting line (its own test), a full gate refuses at once.
            + "line:\n  maxWaiting: 0\n");
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(HELD));

    CompletableFuture<GatewayHarness.Response> alice =
        CompletableFuture.supplyAsync(() -> connect(aliceKey));
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.upstream().sessions().size() == 1);

    GatewayHarness.Response bob = connect(bobKey);
    assertThat(bob.status()).isEqualTo(503);
    assertThat(bob.code()).isEqualTo("upstream_busy");
    assertThat(bob.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
    assertThat(gateway.upstream().sessions()).hasSize(1);

    gateway.upstream().advanceClock(HELD);
    assertThat(alice.get().status()).isEqualTo(200);
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofMillis(100)));
    assertThat(connect(bobKey).status()).isEqualTo(200);
    assertThat(rejections("upstream")).isEqualTo(1.0);
  }

  @Test
  void forwardedForIsIgnoredWithoutTrustedProxies() {
    start("rateLimit:\n" + ("  perClientAddress: {capacity: 1, " + SLOW_REFILL + "}\n"));

    assertThat(anonymous("X-Forwarded-For", "203.0.113.7").status()).isEqualTo(200);
    // A made-up address is no way out of the TCP peer's bucket.
    GatewayHarness.Response spoofed = anonymous("X-Forwarded-For", "198.51.100.9");

    assertThat(spoofed.status()).isEqualTo(429);
    assertThat(spoofed.code()).isEqualTo("rate_limited");
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  @Test
  void behindATrustedProxyEachForwardedAddressHasItsOwnBucket() {
    start(
        "rateLimit:\n"
            + ("  perClientAddress: {capacity: 1, " + SLOW_REFILL + "}\n")
            + "  trustedProxies: [127.0.0.1]\n");

    assertThat(anonymous("X-Forwarded-For", "203.0.113.7").status()).isEqualTo(200);
    assertThat(anonymous("X-Forwarded-For", "198.51.100.9").status()).isEqualTo(200);
    assertThat(anonymous("X-Forwarded-For", "203.0.113.7").code()).isEqualTo("rate_limited");
    // A client that prepends a made-up hop is still known by what the proxy appended.
    assertThat(anonymous("X-Forwarded-For", "192.0.2.1, 203.0.113.7").code())
        .isEqualTo("rate_limited");
    // Two header lines form one list (RFC 9110 §5.3): the proxy's is the last.
    assertThat(anonymous("X-Forwarded-For", "192.0.2.1", "X-Forwarded-For", "203.0.113.7").code())
        .isEqualTo("rate_limited");

    assertThat(gateway.upstream().sessions()).hasSize(2);
    assertThat(rejections("ip")).isEqualTo(3.0);
  }

  /** {@code avatar_gateway_rate_limit_rejections_total} for one limit, from {@code /metrics}. */
  private double rejections(String limit) {
    return gateway
        .metric("avatar_gateway_rate_limit_rejections_total{limit=\"" + limit + "\"}")
        .orElse(0.0);
  }
}
