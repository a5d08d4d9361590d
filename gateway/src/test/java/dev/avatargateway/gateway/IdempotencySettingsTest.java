package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code idempotency} section bound from YAML and the environment, strictly. */
class IdempotencySettingsTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir Path dir;

  private Map<String, String> file(String yaml) throws IOException {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    return Map.of(ConfigLoader.CONFIG_FILE_ENV, file.toString());
  }

  @Test
  void theSectionBindsFromYamlWithHumanDurations() throws IOException {
    GatewayConfig config =
        ConfigLoader.load(file("idempotency:\n  retention: 2h\n  pruneInterval: 30s\n")).config();

    assertThat(config.idempotency().retention()).isEqualTo(Duration.ofHours(2));
    assertThat(config.idempotency().pruneInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(GatewayConfig.defaults().idempotency().retention()).isEqualTo(Duration.ofHours(24));
    assertThat(ConfigLoader.defaultsAsYaml()).contains("retention: \"24h\"");
  }

  @Test
  void theEncryptionKeyComesFromTheEnvironmentAndIsNeverPrinted() {
    ConfigLoader.LoadedConfig loaded = ConfigLoader.load(Map.of("GATEWAY_IDEMPOTENCY_KEY", KEY));

    assertThat(loaded.config().idempotency().encryptionKey()).isEqualTo(KEY);
    assertThat(loaded.toString()).doesNotContain(KEY);
  }

  @Test
  void everyBadValueIsNamed() throws IOException {
    Map<String, String> env =
        new java.util.HashMap<>(file("idempotency:\n  retention: 10s\n  pruneInterval: 2h\n"));
    env.put("GATEWAY_IDEMPOTENCY_KEY", "too-short-secret");

    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("idempotency.retention"))
        .hasMessageContaining("must be from 1m to 7d")
        .hasMessageNotContaining("too-short-secret");
    assertThatThrownBy(
            () -> ConfigLoader.load(Map.of("GATEWAY_IDEMPOTENCY_KEY", "too-short-secret")))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e ->
                assertThat(e.settings())
                    .containsExactly("idempotency.encryptionKey (GATEWAY_IDEMPOTENCY_KEY)"))
        .hasMessageNotContaining("too-short-secret");
    assertThatThrownBy(() -> ConfigLoader.load(file("idempotency:\n  retentoin: 1h\n")))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("idempotency.retentoin"))
        .hasMessageContaining("known here: encryptionKey, pruneInterval, retention");
    assertThatThrownBy(() -> ConfigLoader.load(file("idempotency:\n  retention: 5\n")))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("idempotency.retention"));
  }
}
