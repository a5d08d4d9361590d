package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ConnectLimiterTest {
  private static final Principal ALICE = new Principal("alice", "api-key");
  private static final Principal BOB = new Principal("bob", "jwt");
  private static final Principal CAROL = new Principal("carol", "jwt");
  private static final Principal ANONYMOUS = new Principal(Principal.ANONYMOUS, "none");
  private static final String HOME = "198.51.100.1";
  private static final String OFFICE = "203.0.113.9";

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Limit> rejections = new CopyOnWriteArrayList<>();

  @Test
  void anEmptyAddressBucketRejectsWithTheTimeToTheNextToken() {
    // 3 per minute, refilled greedily: one token every 20 s.
    ConnectLimiter limiter = limiter(TokenBucket.OFF, bucket(3), 0);
    for (int i = 0; i < 3; i++) {
      limiter.admit(ALICE, HOME).close();
    }

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(20))
        .hasMessage(
            "Too many connection attempts from your network address. Please wait and try again.");
    assertThat(rejections).containsExactly(Limit.CLIENT_ADDRESS);
  }

  @Test
  void tokensComeBackAsTheInjectedClockAdvances() {
    ConnectLimiter limiter = limiter(TokenBucket.OFF, bucket(3), 0);
    for (int i = 0; i < 3; i++) {
      limiter.admit(ALICE, HOME).close();
    }
    advance(Duration.ofSeconds(19).plusMillis(500));

    // Half a second to go: rounded up to one whole second, never to zero.
    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(1));

    advance(Duration.ofMillis(500));
    assertThatCode(() -> limiter.admit(ALICE, HOME).close()).doesNotThrowAnyException();
    assertRejected(
        () -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(20));

    advance(Duration.ofHours(1)); // refills to the capacity, not beyond
    for (int i = 0; i < 3; i++) {
      limiter.admit(ALICE, HOME).close();
    }
    assertRejected(
        () -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(20));
  }

  @Test
  void anEmptyPrincipalBucketRejectsThatPrincipalOnly() {
    ConnectLimiter limiter = limiter(bucket(2), TokenBucket.OFF, 0);
    limiter.admit(ALICE, HOME).close();
    limiter.admit(ALICE, HOME).close();

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(30))
        .hasMessage("Too many connection attempts for your account. Please wait and try again.");
    // From another address too: the bucket belongs to the principal.
    assertRejected(() -> limiter.admit(ALICE, OFFICE), ErrorCode.RATE_LIMITED, null);
    assertThatCode(() -> limiter.admit(BOB, HOME).close()).doesNotThrowAnyException();
    assertThat(rejections).containsExactly(Limit.PRINCIPAL, Limit.PRINCIPAL);
  }

  @Test
  void addressAndPrincipalBucketsAreIndependent() {
    ConnectLimiter limiter = limiter(bucket(5), bucket(2), 0);
    limiter.admit(ALICE, HOME).close();
    limiter.admit(ALICE, HOME).close();

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, null);
    assertRejected(() -> limiter.admit(BOB, HOME), ErrorCode.RATE_LIMITED, null);
    assertThatCode(() -> limiter.admit(ALICE, OFFICE).close()).doesNotThrowAnyException();
    assertThat(rejections).containsExactly(Limit.CLIENT_ADDRESS, Limit.CLIENT_ADDRESS);
  }

  @Test
  void aPrincipalRejectionGivesTheAddressTokenBack() {
    // Alice, over her own limit, must not drain the bucket she shares with Bob.
    ConnectLimiter limiter = limiter(bucket(1), bucket(2), 0);
    limiter.admit(ALICE, OFFICE).close();
    for (int i = 0; i < 10; i++) {
      assertRejected(() -> limiter.admit(ALICE, OFFICE), ErrorCode.RATE_LIMITED, null);
    }

    assertThatCode(() -> limiter.admit(BOB, OFFICE).close()).doesNotThrowAnyException();
    assertRejected(() -> limiter.admit(CAROL, OFFICE), ErrorCode.RATE_LIMITED, null);
    assertThat(rejections).last().isEqualTo(Limit.CLIENT_ADDRESS);
  }

  @Test
  void anonymousCallersAreLimitedPerAddressNotAsOnePrincipal() {
    // A principal bucket of 1 would lock every anonymous caller out after the first connect.
    ConnectLimiter limiter = limiter(bucket(1), bucket(2), 0);
    limiter.admit(ANONYMOUS, HOME).close();
    limiter.admit(ANONYMOUS, HOME).close();
    limiter.admit(ANONYMOUS, OFFICE).close();

    assertRejected(() -> limiter.admit(ANONYMOUS, HOME), ErrorCode.RATE_LIMITED, null);
    assertThat(rejections).containsExactly(Limit.CLIENT_ADDRESS);
  }

  @Test
  void aSecondConcurrentConnectIsRejectedUntilTheFirstCloses() {
    ConnectLimiter limiter = limiter(TokenBucket.OFF, TokenBucket.OFF, 1);
    Permit first = limiter.admit(ALICE, HOME);

    assertRejected(
            () -> limiter.admit(ALICE, OFFICE),
            ErrorCode.TOO_MANY_CONCURRENT_CONNECTS,
            Duration.ofSeconds(1))
        .hasMessage(
            "A connection you started is still being set up. Wait for it to finish and try again.");
    assertThat(rejections).containsExactly(Limit.CONCURRENCY);
    assertThatCode(() -> limiter.admit(BOB, HOME).close()).doesNotThrowAnyException();

    first.close();
    Permit second = limiter.admit(ALICE, HOME);
    first.close(); // a second close of the first permit must not free the second's slot

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.TOO_MANY_CONCURRENT_CONNECTS, null);
    second.close();
    second.close();
    assertThatCode(() -> limiter.admit(ALICE, HOME).close()).doesNotThrowAnyException();
  }

  @Test
  void theConcurrencyCapCanAllowSeveral() {
    ConnectLimiter limiter = limiter(TokenBucket.OFF, TokenBucket.OFF, 3);
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limiter.admit(ALICE, HOME));
    }

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.TOO_MANY_CONCURRENT_CONNECTS, null);
    held.getFirst().close();
    assertThatCode(() -> limiter.admit(ALICE, HOME)).doesNotThrowAnyException();
  }

  @Test
  void anonymousCallersAreCappedPerAddress() {
    ConnectLimiter limiter = limiter(TokenBucket.OFF, TokenBucket.OFF, 1);
    Permit home = limiter.admit(ANONYMOUS, HOME);

    assertRejected(
        () -> limiter.admit(ANONYMOUS, HOME), ErrorCode.TOO_MANY_CONCURRENT_CONNECTS, null);
    assertThatCode(() -> limiter.admit(ANONYMOUS, OFFICE)).doesNotThrowAnyException();
    // A principal named like an address has its own counter.
    assertThatCode(() -> limiter.admit(new Principal(HOME, "api-key"), HOME))
        .doesNotThrowAnyException();
    home.close();
  }

  @Test
  void aConcurrencyRejectionConsumesNoTokens() {
    ConnectLimiter limiter = limiter(bucket(2), bucket(2), 1);
    Permit first = limiter.admit(ALICE, HOME);
    for (int i = 0; i < 5; i++) {
      assertRejected(
          () -> limiter.admit(ALICE, HOME), ErrorCode.TOO_MANY_CONCURRENT_CONNECTS, null);
    }
    first.close();

    // Both buckets still hold the second of their two tokens, and no third.
    limiter.admit(ALICE, HOME).close();
    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, null);
  }

  @Test
  void aFullConcurrencyTableTurnsNewKeysAwayWithoutBlamingThem() {
    InFlightCounters counters = new InFlightCounters(1, 2);
    ConnectLimiter limiter = new ConnectLimiter(null, null, counters, 64, rejections::add);
    Permit alice = limiter.admit(ALICE, HOME);
    Permit bob = limiter.admit(BOB, HOME);

    assertRejected(
        () -> limiter.admit(CAROL, HOME), ErrorCode.UPSTREAM_BUSY, Duration.ofSeconds(1));
    assertThat(rejections).containsExactly(Limit.CONCURRENCY);
    alice.close();
    assertThatCode(() -> limiter.admit(CAROL, HOME)).doesNotThrowAnyException();
    bob.close();
    assertThat(counters.trackedKeys()).isEqualTo(1);
  }

  @Test
  void ipv6ClientsShareABucketPerPrefix() {
    ConnectLimiter limiter = limiter(TokenBucket.OFF, bucket(1), 0);
    limiter.admit(ANONYMOUS, "2001:db8:1:2::1").close();

    // Same /64, another interface id: the same subscriber, the same bucket.
    assertRejected(
        () -> limiter.admit(ANONYMOUS, "2001:db8:1:2:ffff:ffff:ffff:ffff"),
        ErrorCode.RATE_LIMITED,
        null);
    assertThatCode(() -> limiter.admit(ANONYMOUS, "2001:db8:1:3::1").close())
        .doesNotThrowAnyException();
  }

  @Test
  void aFullLengthIpv6PrefixKeysEachAddress() {
    RateLimitConfig config =
        new RateLimitConfig(TokenBucket.OFF, bucket(1), 0, null, null, 128, null);
    ConnectLimiter limiter = ConnectLimiter.inMemory(config, nanos::get, rejections::add);
    limiter.admit(ANONYMOUS, "2001:db8:1:2::1").close();

    assertThatCode(() -> limiter.admit(ANONYMOUS, "2001:db8:1:2::2").close())
        .doesNotThrowAnyException();
    assertRejected(() -> limiter.admit(ANONYMOUS, "2001:db8:1:2::1"), ErrorCode.RATE_LIMITED, null);
  }

  @Test
  void switchedOffLimitsLimitNothing() {
    ConnectLimiter limiter =
        ConnectLimiter.inMemory(RateLimitConfig.unlimited(), nanos::get, rejections::add);
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      held.add(limiter.admit(ALICE, HOME));
      held.add(limiter.admit(ANONYMOUS, HOME));
    }

    held.forEach(Permit::close);
    assertThat(rejections).isEmpty();
  }

  @Test
  void theDefaultsAdmitOneConnectAtATimeAndTenPerMinute() {
    ConnectLimiter limiter =
        ConnectLimiter.inMemory(RateLimitConfig.defaults(), nanos::get, rejections::add);
    Permit first = limiter.admit(ALICE, HOME);
    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.TOO_MANY_CONCURRENT_CONNECTS, null);
    first.close();
    for (int i = 1; i < 10; i++) {
      limiter.admit(ALICE, HOME).close();
    }

    assertRejected(() -> limiter.admit(ALICE, HOME), ErrorCode.RATE_LIMITED, Duration.ofSeconds(6));
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(ConnectLimiter.retryAfter(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ConnectLimiter.retryAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ConnectLimiter.retryAfter(1_000_000_000L)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ConnectLimiter.retryAfter(1_000_000_001L)).isEqualTo(Duration.ofSeconds(2));
    assertThat(ConnectLimiter.retryAfter(59_999_999_999L)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void rejectionsNeverNameThePrincipalOrTheAddress() {
    ConnectLimiter limiter = limiter(bucket(1), bucket(1), 1);
    limiter.admit(ALICE, HOME).close();

    assertThatThrownBy(() -> limiter.admit(ALICE, HOME))
        .isInstanceOf(GatewayException.class)
        .message()
        .doesNotContain("alice", HOME);
  }

  private ConnectLimiter limiter(TokenBucket perPrincipal, TokenBucket perAddress, int concurrent) {
    RateLimitConfig config =
        new RateLimitConfig(perPrincipal, perAddress, concurrent, null, null, null, null);
    return ConnectLimiter.inMemory(config, nanos::get, rejections::add);
  }

  /** {@code capacity} tokens, refilled at {@code capacity} per minute. */
  private static TokenBucket bucket(int capacity) {
    return new TokenBucket(capacity, capacity, Duration.ofMinutes(1));
  }

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable>
      assertRejected(ThrowingCallable admit, ErrorCode code, Duration retryAfter) {
    return assertThatThrownBy(admit)
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.retryAfter()).isPresent();
              if (retryAfter != null) {
                assertThat(e.retryAfter()).contains(retryAfter);
              }
            });
  }
}
