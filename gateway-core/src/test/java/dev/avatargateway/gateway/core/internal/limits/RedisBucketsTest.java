package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import dev.avatargateway.gateway.core.RedisConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The token buckets shared through a real Redis: two {@link RedisBuckets} with their own clients
 * stand for two gateway instances. Each test uses a key prefix of its own and deletes its keys.
 */
class RedisBucketsTest {
  private static final Principal ALICE = new Principal("alice", "api-key");
  private static final Principal ANONYMOUS = new Principal(Principal.ANONYMOUS, "none");
  private static final String HOME = "198.51.100.1";
  private static final int CAPACITY = 3;

  private final String prefix = TestRedis.uniquePrefix();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Limit> rejections = new CopyOnWriteArrayList<>();
  private final List<RedisBuckets> opened = new ArrayList<>();
  private boolean usedRedis;

  @AfterEach
  void cleanUp() {
    opened.forEach(RedisBuckets::close);
    if (usedRedis) {
      TestRedis.deleteUnder(prefix);
    }
  }

  @Test
  void aPrincipalsBucketAdmitsExactlyItsCapacityAcrossTwoInstances() {
    TestRedis.assumeRedis();
    RateLimitConfig limits = limits(TokenBucket.OFF, bucket(CAPACITY), TokenBucket.OFF);
    ConnectLimiter first =
        ConnectLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);
    ConnectLimiter second =
        ConnectLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);

    int admitted = 0;
    for (int i = 0; i < 2 * CAPACITY; i++) {
      ConnectLimiter limiter = i % 2 == 0 ? first : second;
      try {
        limiter.admit(ALICE, "198.51.100." + (i + 1)).close();
        admitted++;
      } catch (GatewayException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      }
    }

    assertThat(admitted).isEqualTo(CAPACITY);
    assertThat(rejections).hasSize(CAPACITY).containsOnly(Limit.PRINCIPAL);
    assertThat(TestRedis.ttlsUnder(prefix + "connect-principal:"))
        .as("the key expires once its bucket would be full again")
        .singleElement()
        .satisfies(ttl -> assertThat(ttl).isPositive());
  }

  /**
   * A burst of one principal on both instances at once: every connect updates the same bucket key.
   * Racing compare-and-swaps of one instance used to retry past {@code redis.timeout} and answer
   * {@code limits_unavailable}; each instance batches its operations on one key, so every answer is
   * an admission or {@code rate_limited}, and exactly the capacity is admitted.
   */
  @Test
  void aBurstOfOnePrincipalOnBothInstancesAdmitsExactlyTheCapacityAndRefusesTheRestAsRateLimited()
      throws Exception {
    TestRedis.assumeRedis();
    int capacity = 10;
    int perInstance = 40;
    RateLimitConfig limits = limits(TokenBucket.OFF, bucket(capacity), TokenBucket.OFF);
    List<ConnectLimiter> instances = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      // At the default redis.timeout. A 20 ms one used to tell batching apart (without it the
      // burst's racing compare-and-swaps outlasted it), but on a machine under load (load average
      // 12 on 2 cores) scheduling alone outlasted it too: the test checks what a deployment relies
      // on, at the time-out it runs with.
      RedisBuckets redis = open(new RedisConfig(TestRedis.URL, prefix, "refuse", null, null));
      instances.add(ConnectLimiter.shared(limits, redis, nanos::get, rejections::add));
    }
    usedRedis = true;
    List<Callable<ErrorCode>> burst = new ArrayList<>();
    for (int i = 0; i < 2 * perInstance; i++) {
      ConnectLimiter limiter = instances.get(i % 2);
      String address = "198.51.100." + (i + 1);
      burst.add(
          () -> {
            try {
              limiter.admit(ALICE, address).close();
              return null;
            } catch (GatewayException e) {
              return e.code();
            }
          });
    }

    List<ErrorCode> refusals = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<ErrorCode> answer : threads.invokeAll(burst)) {
        if (answer.get() != null) {
          refusals.add(answer.get());
        }
      }
    }

    assertThat(refusals).hasSize(2 * perInstance - capacity).containsOnly(ErrorCode.RATE_LIMITED);
  }

  @Test
  void aClientAddressBucketAdmitsExactlyItsCapacityAcrossTwoInstances() {
    TestRedis.assumeRedis();
    RateLimitConfig limits = limits(bucket(CAPACITY), TokenBucket.OFF, TokenBucket.OFF);
    ConnectLimiter first =
        ConnectLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);
    ConnectLimiter second =
        ConnectLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);

    int admitted = 0;
    for (int i = 0; i < 2 * CAPACITY; i++) {
      try {
        (i % 2 == 0 ? first : second).admit(ANONYMOUS, HOME).close();
        admitted++;
      } catch (GatewayException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      }
    }

    assertThat(admitted).isEqualTo(CAPACITY);
    assertThat(rejections).containsOnly(Limit.CLIENT_ADDRESS);
  }

  @Test
  void failedAuthenticationsOnOneInstanceThrottleTheAddressOnTheOther() {
    TestRedis.assumeRedis();
    RateLimitConfig limits = limits(TokenBucket.OFF, TokenBucket.OFF, bucket(CAPACITY));
    AuthFailureLimiter first =
        AuthFailureLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);
    AuthFailureLimiter second =
        AuthFailureLimiter.shared(limits, shared("refuse"), nanos::get, rejections::add);

    for (int i = 0; i < CAPACITY; i++) {
      second.check(HOME);
      first.failed(HOME);
    }

    assertThatThrownBy(() -> second.check(HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_AUTH_FAILURES));
    assertThatCode(() -> second.check("203.0.113.9")).doesNotThrowAnyException();
  }

  @Test
  void anUnreachableRedisRefusesWithLimitsUnavailable() {
    RateLimitConfig limits = limits(bucket(CAPACITY), bucket(CAPACITY), bucket(CAPACITY));
    RedisBuckets redis = unreachable("refuse");
    ConnectLimiter limiter = ConnectLimiter.shared(limits, redis, nanos::get, rejections::add);

    assertThatThrownBy(() -> limiter.admit(ALICE, HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE);
              assertThat(e.code().status()).isEqualTo(503);
              assertThat(e.retryAfter()).contains(RedisBuckets.RETRY_AFTER);
              assertThat(e).hasMessageContaining("cannot check its limits");
            });
    assertThat(redis.down()).isTrue();
    AuthFailureLimiter auth = AuthFailureLimiter.shared(limits, redis, nanos::get, rejections::add);
    assertThatCode(() -> auth.failed(HOME))
        .as("a failure that cannot be counted leaves the caller's 401 as it is")
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> auth.check(HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE));
    assertThat(rejections).isEmpty();
  }

  @Test
  void anUnreachableRedisFallsBackToPerInstanceBucketsWhenConfiguredLocal() {
    RateLimitConfig limits = limits(TokenBucket.OFF, bucket(CAPACITY), TokenBucket.OFF);
    RedisBuckets redis = unreachable("local");
    ConnectLimiter limiter = ConnectLimiter.shared(limits, redis, nanos::get, rejections::add);

    for (int i = 0; i < CAPACITY; i++) {
      limiter.admit(ALICE, HOME).close();
    }

    assertThatThrownBy(() -> limiter.admit(ALICE, HOME))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
    assertThat(redis.down()).isTrue();
  }

  private RedisBuckets shared(String onFailure) {
    usedRedis = true;
    return open(new RedisConfig(TestRedis.URL, prefix, onFailure, null, null));
  }

  private RedisBuckets unreachable(String onFailure) {
    return open(new RedisConfig(TestRedis.UNREACHABLE_URL, prefix, onFailure, null, null));
  }

  private RedisBuckets open(RedisConfig config) {
    RedisBuckets buckets = RedisBuckets.create(config, nanos::get);
    opened.add(buckets);
    return buckets;
  }

  private static RateLimitConfig limits(
      TokenBucket perClientAddress, TokenBucket perPrincipal, TokenBucket authFailures) {
    return new RateLimitConfig(
        perPrincipal, perClientAddress, 0, null, null, null, null, authFailures);
  }

  /** {@code capacity} tokens, refilled at {@code capacity} per hour: none come back in a test. */
  private static TokenBucket bucket(int capacity) {
    return new TokenBucket(capacity, capacity, Duration.ofHours(1));
  }
}
