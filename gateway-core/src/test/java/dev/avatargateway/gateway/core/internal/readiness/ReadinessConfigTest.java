package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ReadinessConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code readiness} section: defaults and what each setting refuses. */
class ReadinessConfigTest {
  @Test
  void absentValuesTakeTheirDefaults() {
    ReadinessConfig config = ReadinessConfig.defaults();
    config.validate();

    assertThat(config)
        .isEqualTo(
            new ReadinessConfig(
                4.0,
                50,
                16,
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                64,
                16,
                Duration.ofDays(7)));
  }

  @Test
  void eachInvalidValueIsNamed() {
    assertInvalid(c(1.0, null, null, null, null, null, null, null), "readiness.readsPerSession");
    assertInvalid(
        c(Double.NaN, null, null, null, null, null, null, null), "readiness.readsPerSession");
    assertInvalid(c(null, 1, null, null, null, null, null, null), "readiness.readsPerSecond");
    assertInvalid(c(null, null, 0, null, null, null, null, null), "readiness.maxReadsInFlight");
    assertInvalid(
        c(null, null, null, Duration.ofMillis(100), null, null, null, null),
        "readiness.queuedInterval");
    assertInvalid(
        c(null, null, null, null, Duration.ofMillis(10), null, null, null),
        "readiness.maxInterval");
    assertInvalid(
        c(null, null, null, null, Duration.ofMinutes(2), null, null, null),
        "readiness.maxInterval");
    assertInvalid(c(null, null, null, null, null, 4, null, null), "readiness.window");
    assertInvalid(c(null, null, null, null, null, 32, 33, null), "readiness.minSamples");
    assertInvalid(c(null, null, null, null, null, null, 1, null), "readiness.minSamples");
    assertInvalid(
        c(null, null, null, null, null, null, null, Duration.ofSeconds(-1)),
        "readiness.seedLookback");
  }

  @Test
  void theBoundsThemselvesAreAllowed() {
    c(1.5, 2, 1, Duration.ofMillis(250), Duration.ofMillis(20), 8, 2, Duration.ZERO).validate();
    c(50.0, 10_000, 10_000, Duration.ofSeconds(60), Duration.ofSeconds(60), 1024, 1024, null)
        .validate();
  }

  private static ReadinessConfig c(
      Double readsPerSession,
      Integer readsPerSecond,
      Integer maxReadsInFlight,
      Duration queuedInterval,
      Duration maxInterval,
      Integer window,
      Integer minSamples,
      Duration seedLookback) {
    return new ReadinessConfig(
        readsPerSession,
        readsPerSecond,
        maxReadsInFlight,
        queuedInterval,
        maxInterval,
        window,
        minSamples,
        seedLookback);
  }

  private static void assertInvalid(ReadinessConfig config, String setting) {
    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageContaining(setting);
  }
}
