package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {
  private static final String HOME = "198.51.100.1";
  private static final String OFFICE = "203.0.113.9";

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Limit> rejections = new CopyOnWriteArrayList<>();

  @Test
  void anAddressIsRefusedOnceItHasFailedCapacityTimes() {
    // 3 failures, then one more every 20 s.
    AuthFailureLimiter limiter = limiter(new TokenBucket(3, 3, Duration.ofMinutes(1)), null);
    for (int i = 0; i < 3; i++) {
      limiter.check(HOME);
      limiter.failed(HOME);
    }

    assertThatThrownBy(() -> limiter.check(HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_AUTH_FAILURES);
              assertThat(e.code().status()).isEqualTo(429);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
            })
        .message()
        .doesNotContain(HOME);
    assertThat(rejections).containsExactly(Limit.AUTH_FAILURES);
    // Another address has its own bucket.
    assertThatCode(() -> limiter.check(OFFICE)).doesNotThrowAnyException();
  }

  @Test
  void checkingTakesNothingSoSuccessesNeverUseTheBucketUp() {
    AuthFailureLimiter limiter = limiter(new TokenBucket(2, 2, Duration.ofHours(1)), null);
    for (int i = 0; i < 1_000; i++) {
      limiter.check(HOME); // a connect whose credentials were good: nothing else is called
    }
    limiter.failed(HOME);
    limiter.check(HOME);
    limiter.failed(HOME);

    assertThatThrownBy(() -> limiter.check(HOME)).isInstanceOf(GatewayException.class);
    // Failing on an empty bucket keeps it empty, and asks for nothing more.
    limiter.failed(HOME);
    assertThatThrownBy(() -> limiter.check(HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(30)));
  }

  @Test
  void failuresComeBackAsTheInjectedClockAdvances() {
    // The shape of the default: 20 per minute is one every 3 s.
    AuthFailureLimiter limiter =
        limiter(RateLimitConfig.defaults().authFailuresPerClientAddress(), null);
    for (int i = 0; i < 20; i++) {
      limiter.failed(HOME);
    }
    assertThatThrownBy(() -> limiter.check(HOME))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));

    advance(Duration.ofMillis(2_999));
    assertThatThrownBy(() -> limiter.check(HOME)).isInstanceOf(GatewayException.class);
    advance(Duration.ofMillis(1));
    assertThatCode(() -> limiter.check(HOME)).doesNotThrowAnyException();
    limiter.failed(HOME);
    assertThatThrownBy(() -> limiter.check(HOME)).isInstanceOf(GatewayException.class);
  }

  @Test
  void ipv6ClientsShareTheBucketOfTheirPrefix() {
    AuthFailureLimiter limiter = limiter(new TokenBucket(1, 1, Duration.ofHours(1)), 64);
    limiter.failed("2001:db8:1:2::1");

    assertThatThrownBy(() -> limiter.check("2001:db8:1:2:ffff::9"))
        .isInstanceOf(GatewayException.class);
    assertThatCode(() -> limiter.check("2001:db8:1:3::1")).doesNotThrowAnyException();
  }

  @Test
  void capacityZeroSwitchesItOff() {
    AuthFailureLimiter limiter = limiter(TokenBucket.OFF, null);
    for (int i = 0; i < 1_000; i++) {
      limiter.failed(HOME);
    }

    assertThatCode(() -> limiter.check(HOME)).doesNotThrowAnyException();
    assertThat(rejections).isEmpty();
    AuthFailureLimiter unlimited =
        AuthFailureLimiter.inMemory(RateLimitConfig.unlimited(), nanos::get, rejections::add);
    unlimited.failed(HOME);
    assertThatCode(() -> unlimited.check(HOME)).doesNotThrowAnyException();
  }

  @Test
  void anInvalidBucketIsRefusedByName() {
    assertThatThrownBy(() -> limiter(new TokenBucket(5, 0, null), null))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.setting())
                    .isEqualTo("rateLimit.authFailuresPerClientAddress.refillTokens"));
  }

  private AuthFailureLimiter limiter(TokenBucket failures, Integer ipv6PrefixLength) {
    RateLimitConfig config =
        new RateLimitConfig(null, null, null, null, null, ipv6PrefixLength, null, failures);
    return AuthFailureLimiter.inMemory(config, nanos::get, rejections::add);
  }

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }
}
