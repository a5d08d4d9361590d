package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

class RateLimitConfigTest {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  @Test
  void defaults() {
    RateLimitConfig config = RateLimitConfig.defaults();

    assertThat(config.perPrincipal()).isEqualTo(new TokenBucket(10, 10, Duration.ofMinutes(1)));
    assertThat(config.perClientAddress()).isEqualTo(new TokenBucket(20, 20, Duration.ofMinutes(1)));
    assertThat(config.maxConcurrentConnectsPerPrincipal()).isEqualTo(1);
    assertThat(config.maxUpstreamCreatesInFlight()).isEqualTo(20);
    assertThat(config.trustedProxies()).isEmpty();
    assertThat(config.ipv6PrefixLength()).isEqualTo(64);
    assertThat(config.maxTrackedKeys()).isEqualTo(100_000);
    // 20 failures, then one every 3 s.
    assertThat(config.authFailuresPerClientAddress())
        .isEqualTo(new TokenBucket(20, 20, Duration.ofMinutes(1)));
    assertThatCode(config::validate).doesNotThrowAnyException();
  }

  @Test
  void theBucketOfAuthenticationFailuresBindsLikeTheOthers() {
    RateLimitConfig config =
        YAML.readValue(
            "authFailuresPerClientAddress: {capacity: 5, refillTokens: 1, refillPeriod: PT10S}\n",
            RateLimitConfig.class);
    assertThat(config.authFailuresPerClientAddress())
        .isEqualTo(new TokenBucket(5, 1, Duration.ofSeconds(10)));
    assertThat(config.perClientAddress()).isEqualTo(RateLimitConfig.defaults().perClientAddress());

    RateLimitConfig off =
        YAML.readValue("authFailuresPerClientAddress: {capacity: 0}\n", RateLimitConfig.class);
    assertThat(off.authFailuresPerClientAddress().limits()).isFalse();
    assertThatCode(off::validate).doesNotThrowAnyException();
    assertThat(RateLimitConfig.unlimited().authFailuresPerClientAddress().limits()).isFalse();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidAuthFailureBuckets")
  void anInvalidBucketOfAuthenticationFailuresNamesItsSetting(TokenBucket bucket, String setting) {
    RateLimitConfig config = new RateLimitConfig(null, null, null, null, null, null, null, bucket);

    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageStartingWith("Invalid setting " + setting + ": must ");
  }

  static Stream<Arguments> invalidAuthFailureBuckets() {
    String path = "rateLimit.authFailuresPerClientAddress.";
    return Stream.of(
        Arguments.of(new TokenBucket(-1, null, null), path + "capacity"),
        Arguments.of(new TokenBucket(20, 0, null), path + "refillTokens"),
        Arguments.of(new TokenBucket(20, 1, Duration.ZERO), path + "refillPeriod"),
        Arguments.of(new TokenBucket(20, 1, Duration.ofDays(366)), path + "refillPeriod"));
  }

  @Test
  void anEmptySectionBindsToTheDefaults() {
    assertThat(YAML.readValue("{}", RateLimitConfig.class)).isEqualTo(RateLimitConfig.defaults());
  }

  @Test
  void absentValuesInAPartialSectionTakeTheirDefaults() {
    RateLimitConfig config =
        YAML.readValue(
            """
            perPrincipal:
              capacity: 5
            perClientAddress:
              refillPeriod: PT30S
            trustedProxies: [10.0.0.0/8, "2001:db8::/32", 192.0.2.10]
            maxConcurrentConnectsPerPrincipal: 0
            """,
            RateLimitConfig.class);

    // refillTokens follows the capacity given; the period keeps its default.
    assertThat(config.perPrincipal()).isEqualTo(new TokenBucket(5, 5, Duration.ofMinutes(1)));
    assertThat(config.perClientAddress())
        .isEqualTo(new TokenBucket(20, 20, Duration.ofSeconds(30)));
    assertThat(config.trustedProxies())
        .containsExactly("10.0.0.0/8", "2001:db8::/32", "192.0.2.10");
    assertThat(config.maxConcurrentConnectsPerPrincipal()).isZero();
    assertThat(config.maxUpstreamCreatesInFlight()).isEqualTo(20);
    assertThatCode(config::validate).doesNotThrowAnyException();
  }

  @Test
  void unlimitedSwitchesEveryLimitOffAndIsValid() {
    RateLimitConfig config = RateLimitConfig.unlimited();

    assertThat(config.perPrincipal().limits()).isFalse();
    assertThat(config.perClientAddress().limits()).isFalse();
    assertThat(config.maxConcurrentConnectsPerPrincipal()).isZero();
    assertThat(config.maxUpstreamCreatesInFlight()).isZero();
    assertThatCode(config::validate).doesNotThrowAnyException();
  }

  @Test
  void theTrustedProxiesListIsImmutable() {
    RateLimitConfig config =
        new RateLimitConfig(null, null, null, null, Arrays.asList("10.0.0.1"), null, null);

    assertThatThrownBy(() -> config.trustedProxies().add("10.0.0.2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  static Stream<Arguments> invalidSettings() {
    TokenBucket ok = new TokenBucket(10, 10, Duration.ofMinutes(1));
    return Stream.of(
        Arguments.of(
            withBuckets(new TokenBucket(-1, 10, null), ok), "rateLimit.perPrincipal.capacity"),
        Arguments.of(
            withBuckets(ok, new TokenBucket(-5, 10, null)), "rateLimit.perClientAddress.capacity"),
        Arguments.of(
            withBuckets(new TokenBucket(10, 0, null), ok), "rateLimit.perPrincipal.refillTokens"),
        Arguments.of(
            withBuckets(new TokenBucket(10, 10, Duration.ZERO), ok),
            "rateLimit.perPrincipal.refillPeriod"),
        Arguments.of(
            withBuckets(ok, new TokenBucket(10, 10, Duration.ofSeconds(-1))),
            "rateLimit.perClientAddress.refillPeriod"),
        Arguments.of(
            withBuckets(ok, new TokenBucket(10, 10, Duration.ofNanos(500))),
            "rateLimit.perClientAddress.refillPeriod"),
        Arguments.of(
            withBuckets(new TokenBucket(10, 10, Duration.ofDays(366)), ok),
            "rateLimit.perPrincipal.refillPeriod"),
        Arguments.of(
            withBuckets(new TokenBucket(10, 2_000_000, Duration.ofMillis(1)), ok),
            "rateLimit.perPrincipal.refillTokens"),
        Arguments.of(
            new RateLimitConfig(null, null, -1, null, null, null, null),
            "rateLimit.maxConcurrentConnectsPerPrincipal"),
        Arguments.of(
            new RateLimitConfig(null, null, null, -1, null, null, null),
            "rateLimit.maxUpstreamCreatesInFlight"),
        Arguments.of(
            new RateLimitConfig(null, null, null, null, List.of("10.0.0.0/8", "nope"), null, null),
            "rateLimit.trustedProxies[1]"),
        Arguments.of(
            new RateLimitConfig(
                null, null, null, null, Arrays.asList("10.0.0.0/8", null), null, null),
            "rateLimit.trustedProxies[1]"),
        Arguments.of(
            new RateLimitConfig(null, null, null, null, List.of("0.0.0.0/0"), null, null),
            "rateLimit.trustedProxies[0]"),
        Arguments.of(
            new RateLimitConfig(null, null, null, null, null, 31, null),
            "rateLimit.ipv6PrefixLength"),
        Arguments.of(
            new RateLimitConfig(null, null, null, null, null, 129, null),
            "rateLimit.ipv6PrefixLength"),
        Arguments.of(
            new RateLimitConfig(null, null, null, null, null, null, 0),
            "rateLimit.maxTrackedKeys"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidSettings")
  void invalidValuesNameTheirSetting(RateLimitConfig config, String setting) {
    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageStartingWith("Invalid setting " + setting + ": must ");
  }

  @Test
  void messagesSayWhatIsAllowedAndWhatWasGiven() {
    assertThatThrownBy(
            withBuckets(new TokenBucket(-1, 10, null), RateLimitConfig.TokenBucket.OFF)::validate)
        .hasMessage(
            "Invalid setting rateLimit.perPrincipal.capacity: must be a whole number of at least 0"
                + " (0 switches the limit off), was -1");
    assertThatThrownBy(
            withBuckets(new TokenBucket(1, 1, Duration.ofDays(400)), TokenBucket.OFF)::validate)
        .hasMessage(
            "Invalid setting rateLimit.perPrincipal.refillPeriod: must be a duration of 1ms to 365"
                + " days, such as 1m, was PT9600H");
  }

  @Test
  void theLimiterAndTheGateValidateTheirConfiguration() {
    RateLimitConfig invalid = new RateLimitConfig(null, null, -1, null, null, null, null);

    assertThatThrownBy(() -> ConnectLimiter.inMemory(invalid, System::nanoTime, limit -> {}))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> UpstreamCreateGate.inMemory(invalid, limit -> {}))
        .isInstanceOf(ConfigException.class);
  }

  private static RateLimitConfig withBuckets(TokenBucket perPrincipal, TokenBucket perAddress) {
    return new RateLimitConfig(perPrincipal, perAddress, null, null, null, null, null);
  }
}
