package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import dev.avatargateway.gateway.core.RedisConfig;
import dev.avatargateway.gateway.core.internal.observability.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slot leases, the shared per-principal concurrency cap and the shared create gate in a real Redis:
 * two {@link RedisBuckets} with their own clients (and renewal threads) stand for two gateway
 * instances on one key prefix. Leases last the shortest allowed time (3 s), so that expiry is seen
 * within seconds; every wait is on Redis's state (Awaitility), never on wall time.
 */
class RedisLeasesTest {
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration AWAIT = Duration.ofSeconds(15);
  private static final Principal ALICE = new Principal("alice", "api-key");
  private static final String HOME = "198.51.100.1";

  private final String prefix = TestRedis.uniquePrefix();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private boolean usedRedis;

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    if (usedRedis) {
      TestRedis.deleteUnder(prefix);
    }
  }

  @Test
  void aCapOfKAdmitsExactlyKUnderConcurrentAcquiresFromTwoInstances() throws Exception {
    TestRedis.assumeRedis();
    int cap = 7;
    RedisLeases first = leases(TestRedis.URL, "refuse");
    RedisLeases second = leases(TestRedis.URL, "refuse");
    String set = first.key("concurrency:principal:alice");
    int threads = 50;
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<Optional<RedisLeases.Lease>>> tries = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      RedisLeases instance = i % 2 == 0 ? first : second;
      tries.add(
          () -> {
            start.await();
            return instance.tryAcquire(set, cap, null);
          });
    }

    List<RedisLeases.Lease> taken = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Optional<RedisLeases.Lease>>> results = new ArrayList<>();
      tries.forEach(t -> results.add(pool.submit(t)));
      start.countDown();
      for (Future<Optional<RedisLeases.Lease>> r : results) {
        r.get().ifPresent(taken::add);
      }
    }

    assertThat(taken).hasSize(cap);
    assertThat(first.held(set) + second.held(set)).isEqualTo(cap);
    assertThat(members(set)).isEqualTo(cap);
    assertThat(TestRedis.ttlsUnder(set))
        .as("the set expires a margin after its latest lease")
        .singleElement()
        .satisfies(ttl -> assertThat(ttl).isGreaterThan(LEASE.toMillis()));
    taken.forEach(RedisLeases.Lease::release);
    assertThat(members(set)).isZero();
    assertThat(first.held() + second.held()).isZero();
  }

  @Test
  void aLeaseNobodyRenewsFreesItselfAndARenewedOneStays() {
    TestRedis.assumeRedis();
    RedisLeases crashed = leases(TestRedis.URL, "refuse");
    RedisLeases alive = leases(TestRedis.URL, "refuse");
    RedisLeases other = leases(TestRedis.URL, "refuse");
    String gone = crashed.key("concurrency:gone");
    String kept = alive.key("concurrency:kept");
    assertThat(crashed.tryAcquire(gone, 1, null)).isPresent();
    RedisLeases.Lease renewed = alive.tryAcquire(kept, 1, null).orElseThrow();
    long firstExpiry = expiry(kept, renewed.member());
    crashed.close(); // its renewal thread stops, as a crashed instance's would

    await().atMost(AWAIT).until(() -> other.tryAcquire(gone, 1, null).isPresent());
    await().atMost(AWAIT).until(() -> TestRedis.serverMillis() > firstExpiry);

    assertThat(renewed.lost()).isFalse();
    assertThat(expiry(kept, renewed.member())).isGreaterThan(firstExpiry);
    assertThat(other.tryAcquire(kept, 1, null))
        .as("renewed past its first expiry, the slot is still taken")
        .isEmpty();
  }

  @Test
  void aReleaseAfterExpiryNeverRemovesTheNextHoldersLease() {
    TestRedis.assumeRedis();
    RedisLeases late = leases(TestRedis.URL, "refuse");
    RedisLeases next = leases(TestRedis.URL, "refuse");
    String set = late.key("create-gate");
    RedisLeases.Lease expired = late.tryAcquire(set, 1, null).orElseThrow();
    late.close();
    await().atMost(AWAIT).until(() -> next.tryAcquire(set, 1, null).isPresent());

    expired.release();

    assertThat(members(set)).as("the next holder's lease is still there").isEqualTo(1);
    assertThat(next.tryAcquire(set, 1, null)).isEmpty();
  }

  @Test
  void aRenewalNeverResurrectsAnExpiredLease() {
    TestRedis.assumeRedis();
    RedisLeases paused = leases(TestRedis.URL, "refuse");
    String set = paused.key("concurrency:paused");
    RedisLeases.Lease lease = paused.tryAcquire(set, 1, null).orElseThrow();
    long expiry = expiry(set, lease.member());
    paused.close(); // no renewal until the test runs one by hand
    await().atMost(AWAIT).until(() -> TestRedis.serverMillis() > expiry);
    assertThat(members(set)).as("expired, not purged yet: nobody acquired since").isEqualTo(1);

    paused.renewAll();

    assertThat(lease.lost()).isTrue();
    assertThat(members(set)).isZero();
    assertThat(paused.held()).isZero();
  }

  @Test
  void theConcurrencyCapHoldsAcrossInstancesAndFreesOnClose() {
    TestRedis.assumeRedis();
    RateLimitConfig limits = limits(1, 0);
    ConnectLimiter first = limiter(limits, TestRedis.URL, "refuse");
    ConnectLimiter second = limiter(limits, TestRedis.URL, "refuse");

    Permit held = first.admit(ALICE, HOME);
    assertThatThrownBy(() -> second.admit(ALICE, "198.51.100.2"))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONCURRENT_CONNECTS));
    held.close();
    second.admit(ALICE, "198.51.100.2").close();

    assertThat(TestRedis.keysUnder(prefix + RedisSlots.SET_PREFIX))
        .as("a set without leases is removed (ZREM of the last member deletes the key)")
        .isEmpty();
  }

  @Test
  void theCreateGateIsSharedAndCountsThisInstancesHoldings() {
    TestRedis.assumeRedis();
    RateLimitConfig limits = limits(0, 3);
    UpstreamCreateGate first = gate(limits, leases(TestRedis.URL, "refuse"));
    UpstreamCreateGate second = gate(limits, leases(TestRedis.URL, "refuse"));

    Permit a = first.acquire();
    Permit b = second.acquire();
    Permit c = first.acquire();
    assertThatThrownBy(second::acquire)
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY));
    assertThat(first.inFlight()).isEqualTo(2);
    assertThat(second.inFlight()).isEqualTo(1);

    a.close();
    b.close();
    c.close();
    assertThat(members(prefix + UpstreamCreateGate.SET_NAME)).isZero();
    assertThat(first.inFlight() + second.inFlight()).isZero();
  }

  @Test
  void anUnreachableRedisRefusesSlotsWithLimitsUnavailable() {
    RateLimitConfig limits = limits(1, 2);
    ConnectLimiter limiter = limiter(limits, TestRedis.UNREACHABLE_URL, "refuse");
    UpstreamCreateGate gate = gate(limits, leases(TestRedis.UNREACHABLE_URL, "refuse"));

    assertThatThrownBy(() -> limiter.admit(ALICE, HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE);
              assertThat(e.retryAfter()).contains(RedisBuckets.RETRY_AFTER);
            });
    assertThatThrownBy(gate::tryAcquire)
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE));
    assertThat(failures).contains(RedisBuckets.LEASE);
  }

  @Test
  void eachFailedLeaseCommandCountsInTheRedisFailureMetric() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GatewayMetrics metrics = new GatewayMetrics(registry);
    RedisBuckets redis =
        RedisBuckets.create(
            new RedisConfig(TestRedis.UNREACHABLE_URL, prefix, "refuse", null, LEASE),
            nanos::get,
            metrics::redisFailed);
    opened.add(redis);
    metrics.redisUp(() -> !redis.down());
    RedisLeases leases = RedisLeases.start(redis);
    opened.add(leases);
    UpstreamCreateGate gate = gate(limits(0, 1), leases);

    assertThatThrownBy(gate::tryAcquire).isInstanceOf(GatewayException.class);
    assertThatThrownBy(gate::tryAcquire).isInstanceOf(GatewayException.class);

    assertThat(
            registry
                .get(GatewayMetrics.REDIS_FAILURES)
                .tag("operation", RedisBuckets.LEASE)
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(registry.get(GatewayMetrics.REDIS_UP).gauge().value()).isZero();
  }

  @Test
  void anUnreachableRedisFallsBackToPerInstanceSlotsWhenConfiguredLocal() {
    RateLimitConfig limits = limits(1, 2);
    ConnectLimiter limiter = limiter(limits, TestRedis.UNREACHABLE_URL, "local");
    UpstreamCreateGate gate = gate(limits, leases(TestRedis.UNREACHABLE_URL, "local"));

    Permit held = limiter.admit(ALICE, HOME);
    assertThatThrownBy(() -> limiter.admit(ALICE, HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONCURRENT_CONNECTS));
    held.close();
    limiter.admit(ALICE, HOME).close();

    Permit one = gate.acquire();
    Permit two = gate.acquire();
    assertThat(gate.tryAcquire()).isEmpty();
    assertThat(gate.inFlight()).isEqualTo(2);
    one.close();
    two.close();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void slotsHeldThroughAnOutageAreNotLeakedOnceRedisIsBack() throws Exception {
    TestRedis.assumeRedis();
    CuttableRedis relay = CuttableRedis.start();
    opened.add(relay);
    RedisLeases instance = leases(relay.url(), "refuse");
    UpstreamCreateGate gate = gate(limits(0, 3), instance);
    String set = prefix + UpstreamCreateGate.SET_NAME;
    List<Permit> held = List.of(gate.acquire(), gate.acquire(), gate.acquire());
    assertThat(members(set)).isEqualTo(3);

    relay.cut();
    held.forEach(Permit::close); // the releases fail: counted, not thrown
    assertThat(failures).contains(RedisBuckets.LEASE);
    assertThatThrownBy(gate::tryAcquire)
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE));
    relay.restore();

    await().atMost(AWAIT).until(() -> live(set) == 0);
    assertThat(gate.inFlight()).isZero();
    assertThat(instance.held()).isZero();
    await()
        .atMost(AWAIT)
        .ignoreExceptions()
        .until(
            () -> {
              gate.acquire().close();
              return true;
            });
    assertThat(live(set)).isZero();
  }

  private RedisLeases leases(String url, String onFailure) {
    usedRedis |= url.equals(TestRedis.URL);
    RedisBuckets redis =
        RedisBuckets.create(
            new RedisConfig(url, prefix, onFailure, null, LEASE), nanos::get, failures::add);
    opened.add(redis);
    RedisLeases leases = RedisLeases.start(redis);
    opened.add(leases);
    return leases;
  }

  private ConnectLimiter limiter(RateLimitConfig limits, String url, String onFailure) {
    RedisLeases leases = leases(url, onFailure);
    return ConnectLimiter.shared(limits, leases.redis(), leases, nanos::get, limit -> {});
  }

  private UpstreamCreateGate gate(RateLimitConfig limits, RedisLeases leases) {
    return UpstreamCreateGate.shared(limits, leases, limit -> {});
  }

  private static long members(String set) {
    return TestRedis.withRedis(redis -> redis.zcard(set));
  }

  /** Members whose lease has not expired by Redis's clock. */
  private static long live(String set) {
    long now = TestRedis.serverMillis();
    return TestRedis.withRedis(
        redis -> redis.zcount(set, io.lettuce.core.Range.create((double) now, Double.MAX_VALUE)));
  }

  private static long expiry(String set, String member) {
    return TestRedis.withRedis(redis -> redis.zscore(set, member)).longValue();
  }

  private static RateLimitConfig limits(int perPrincipal, int creates) {
    return new RateLimitConfig(
        TokenBucket.OFF, TokenBucket.OFF, perPrincipal, creates, null, null, null, TokenBucket.OFF);
  }
}
