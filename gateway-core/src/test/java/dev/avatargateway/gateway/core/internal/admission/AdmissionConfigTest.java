package dev.avatargateway.gateway.core.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.AdmissionConfig;
import dev.avatargateway.gateway.core.ConfigException;
import org.junit.jupiter.api.Test;

/** The admission settings: defaults, the cap derived from the heap, and the checks. */
class AdmissionConfigTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void defaultsDeriveTheCapFromTheHeap() {
    AdmissionConfig defaults = AdmissionConfig.defaults();
    defaults.validate();

    assertThat(defaults.maxConnectsInFlight()).isNull();
    assertThat(defaults.maxHeapUsedAfterGc()).isEqualTo(0.85);
    assertThat(defaults.connectsInFlightCap(128 * MIB)).isEqualTo(819);
    // The 2,000-connect benchmark runs on a 256 MiB heap.
    assertThat(defaults.connectsInFlightCap(256 * MIB)).isEqualTo(4095);
    // The bounded-upstream benchmark sends 10,000 connects at once to a 512 MiB heap.
    assertThat(defaults.connectsInFlightCap(512 * MIB)).isEqualTo(10649);
  }

  @Test
  void theDerivedCapHasAFloorAndACeiling() {
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(16 * MIB)).isEqualTo(16);
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(96 * MIB)).isEqualTo(16);
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(97 * MIB)).isEqualTo(25);
    // One socket per connect in flight: the ceiling is set by open files, not by heap.
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(1024 * MIB)).isEqualTo(15_000);
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(8192 * MIB)).isEqualTo(15_000);
    assertThat(AdmissionConfig.derivedMaxConnectsInFlight(Long.MAX_VALUE)).isEqualTo(15_000);
  }

  @Test
  void aSetCapIsUsedAsItIsWhateverTheHeap() {
    AdmissionConfig config = new AdmissionConfig(2, null);

    assertThat(config.connectsInFlightCap(128 * MIB)).isEqualTo(2);
    assertThat(config.connectsInFlightCap(8192 * MIB)).isEqualTo(2);
    assertThat(new AdmissionConfig(0, null).connectsInFlightCap(128 * MIB)).isZero();
  }

  @Test
  void invalidValuesNameTheirSetting() {
    assertThatThrownBy(() -> new AdmissionConfig(-1, null).validate())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid setting admission.maxConnectsInFlight (GATEWAY_MAX_CONNECTS_IN_FLIGHT): must"
                + " be a whole number of at least 0 (0 = no cap), was -1");
    for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
      assertThatThrownBy(() -> new AdmissionConfig(null, bad).validate())
          .isInstanceOf(ConfigException.class)
          .extracting(e -> ((ConfigException) e).setting())
          .isEqualTo("admission.maxHeapUsedAfterGc");
    }
    new AdmissionConfig(0, 0.0).validate();
    new AdmissionConfig(1, 1.0).validate();
  }
}
