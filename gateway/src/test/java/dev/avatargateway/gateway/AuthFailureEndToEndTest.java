package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Credential guessing is throttled per client address, over real HTTP against a real gateway: the
 * address's bucket of failed authentications refuses its connects with 429 {@code
 * too_many_auth_failures} and {@code Retry-After} before their credentials are checked, other
 * addresses are unaffected, and successful authentications take nothing from it. The buckets refill
 * by one token per hour, so no token returns while a test runs and no test waits on the clock.
 */
class AuthFailureEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String GUESSER = "203.0.113.7";
  private static final String OFFICE = "198.51.100.9";

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  /** API keys, the other limits off, the proxy at 127.0.0.1 trusted so tests pick addresses. */
  private void start(String authFailures) {
    gateway =
        GatewayHarness.start(
            ConnectEndToEndTest.FAST
                + "  trustedProxies: [127.0.0.1]\n"
                + authFailures
                + "auth:\n  mode: api-key\n  apiKeys:\n"
                + ("    - {name: alice, key: " + aliceKey + "}\n"));
  }

  private GatewayHarness.Response connect(String key, String from) {
    return gateway.postJson(CONNECT, CAT, "X-Api-Key", key, "X-Forwarded-For", from);
  }

  @Test
  void anAddressThatKeepsGuessingIsRefusedBeforeItsCredentialsAreChecked() {
    start("  authFailuresPerClientAddress: {capacity: 3, refillTokens: 1, refillPeriod: 1h}\n");

    for (int i = 0; i < 3; i++) {
      GatewayHarness.Response wrong = connect(wrongKey(), GUESSER);
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.code()).isEqualTo("unauthenticated");
    }
    GatewayHarness.Response refused = connect(wrongKey(), GUESSER);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("too_many_auth_failures");
    assertThat(refused.json().get("requestId").asString())
        .isEqualTo(refused.header("X-Request-Id"));
    // One token per hour: the next is due within the hour, in whole seconds.
    assertThat(refused.retryAfterSeconds()).isBetween(1L, Duration.ofHours(1).toSeconds());
    assertThat(refused.header("WWW-Authenticate")).isNull();
    // Refused unchecked: even the right key gets nowhere from this address now.
    assertThat(connect(aliceKey, GUESSER).code()).isEqualTo("too_many_auth_failures");
    assertThat(gateway.upstream().sessions()).isEmpty();

    // Another address is not held up by it.
    GatewayHarness.Response office = connect(aliceKey, OFFICE);
    assertThat(office.status()).as(office.body()).isEqualTo(200);
    assertThat(gateway.upstream().sessions()).hasSize(1);
    assertThat(rejections("auth_failures")).isEqualTo(2.0);
  }

  @Test
  void successfulAuthenticationsTakeNothingFromTheBucket() {
    start("  authFailuresPerClientAddress: {capacity: 2, refillTokens: 1, refillPeriod: 1h}\n");

    for (int i = 0; i < 5; i++) {
      assertThat(connect(aliceKey, OFFICE).status()).isEqualTo(200);
    }
    // The bucket is still full: two failures, and only then the refusal.
    assertThat(connect(wrongKey(), OFFICE).status()).isEqualTo(401);
    assertThat(connect(wrongKey(), OFFICE).status()).isEqualTo(401);
    assertThat(connect(aliceKey, OFFICE).code()).isEqualTo("too_many_auth_failures");
    assertThat(gateway.upstream().sessions()).hasSize(5);
  }

  @Test
  void byDefaultTwentyFailuresInARowAreFollowedBy429s() {
    start("");

    for (int i = 0; i < 20; i++) {
      assertThat(connect(wrongKey(), GUESSER).status()).as("failure %d", i + 1).isEqualTo(401);
    }
    GatewayHarness.Response refused = connect(wrongKey(), GUESSER);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("too_many_auth_failures");
    // One failure back every 3 s.
    assertThat(refused.retryAfterSeconds()).isBetween(1L, 3L);
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void capacityZeroSwitchesTheLimitOff() {
    start("  authFailuresPerClientAddress: {capacity: 0}\n");

    for (int i = 0; i < 30; i++) {
      assertThat(connect(wrongKey(), GUESSER).status()).isEqualTo(401);
    }
    assertThat(rejections("auth_failures")).isZero();
  }

  private static String wrongKey() {
    return TestIdentityProvider.randomSecret("gw_", 24);
  }

  /** {@code avatar_gateway_rate_limit_rejections_total} for one limit, from {@code /metrics}. */
  private double rejections(String limit) {
    return gateway
        .metric("avatar_gateway_rate_limit_rejections_total{limit=\"" + limit + "\"}")
        .orElse(0.0);
  }
}
