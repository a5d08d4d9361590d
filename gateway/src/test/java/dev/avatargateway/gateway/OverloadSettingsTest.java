package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings that bound what the gateway holds: their defaults, their binding, their checks. */
class OverloadSettingsTest {
  @TempDir Path dir;

  @Test
  void theDefaultsBoundConnectionsAndLeaveTheConnectCapToTheHeap() {
    GatewayConfig config = ConfigLoader.load(Map.of()).config();

    assertThat(config.server().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.server().maxConnections()).isNull();
    assertThat(config.admission().maxConnectsInFlight()).isNull();
    assertThat(config.admission().maxHeapUsedAfterGc()).isEqualTo(0.85);
    assertThat(ConfigLoader.defaultsAsYaml())
        .contains("idleTimeout: \"30s\"")
        .contains("maxConnections: null  # derived")
        .contains("admission:\n  maxConnectsInFlight: null  # derived")
        .contains("\n  maxHeapUsedAfterGc: 0.85");
  }

  @Test
  void theHelpSaysWhatTheDerivedDefaultsComeTo() {
    long heap512 = 512L * 1024 * 1024;
    String yaml = ConfigLoader.defaultsAsYaml(heap512);

    assertThat(yaml)
        .contains("  maxConnectsInFlight: null  # derived: 10649 at -Xmx512m")
        .contains("  maxConnections: null  # derived: 11649 at -Xmx512m");
    assertThat(ConfigLoader.parse(yaml)).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void theConnectionCapFollowsTheAdmissionCapUnlessSet() {
    ServerConfig derived = ConfigLoader.load(Map.of()).config().server();
    // Admission control's derived caps for 128, 256 and 512 MiB heaps: 819, 4,095, 10,649.
    assertThat(derived.connectionCap(819)).isEqualTo(10_000);
    assertThat(derived.connectionCap(4_095)).isEqualTo(10_000);
    assertThat(derived.connectionCap(10_649)).isEqualTo(11_649);
    assertThat(derived.connectionCap(15_000)).isEqualTo(15_000);
    // No admission cap: as many as the open files allow.
    assertThat(derived.connectionCap(0)).isEqualTo(15_000);
  }

  @Test
  void theFileAndTheEnvironmentSetThem() throws IOException {
    Path file =
        write(
            "server:\n  idleTimeout: 15s\n  maxConnections: 500\n"
                + "admission:\n  maxConnectsInFlight: 40\n  maxHeapUsedAfterGc: 0.9\n");

    GatewayConfig fromFile = ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString())).config();
    GatewayConfig fromEnvironment =
        ConfigLoader.load(
                Map.of("GATEWAY_CONFIG", file.toString(), "GATEWAY_MAX_CONNECTS_IN_FLIGHT", "7"))
            .config();

    assertThat(fromFile.server().idleTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(fromFile.server().maxConnections()).isEqualTo(500);
    // A value set is used as it is, whatever admission control admits.
    assertThat(fromFile.server().connectionCap(10_649)).isEqualTo(500);
    assertThat(fromFile.admission().maxConnectsInFlight()).isEqualTo(40);
    assertThat(fromFile.admission().maxHeapUsedAfterGc()).isEqualTo(0.9);
    assertThat(fromEnvironment.admission().maxConnectsInFlight()).isEqualTo(7);
  }

  @Test
  void badValuesAreNamedAllAtOnce() throws IOException {
    Path file =
        write(
            "server:\n  idleTimeout: 100ms\n  maxConnections: 0\n"
                + "admission:\n  maxHeapUsedAfterGc: 1.5\n");

    assertThatThrownBy(() -> ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString())))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e ->
                assertThat(e.settings())
                    .containsExactly(
                        "server.idleTimeout",
                        "server.maxConnections",
                        "admission.maxHeapUsedAfterGc"))
        .hasMessageContaining("server.idleTimeout: must be at least 1s")
        .hasMessageContaining("server.maxConnections: must be positive, was 0")
        .hasMessageContaining("admission.maxHeapUsedAfterGc: must be a fraction from 0.0 to 1.0");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Map.of(
                        "GATEWAY_CONFIG",
                        write("").toString(),
                        "GATEWAY_MAX_CONNECTS_IN_FLIGHT",
                        "-3")))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e ->
                assertThat(e.settings())
                    .containsExactly(
                        "admission.maxConnectsInFlight (GATEWAY_MAX_CONNECTS_IN_FLIGHT)"));
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
