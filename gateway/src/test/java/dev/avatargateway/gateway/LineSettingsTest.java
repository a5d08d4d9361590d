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

/** The waiting line's settings: their defaults, their binding, and every problem named. */
class LineSettingsTest {
  @TempDir Path dir;

  @Test
  void theDefaultsAreAShortFairLine() {
    GatewayConfig config = ConfigLoader.load(Map.of()).config();

    assertThat(config.line().maxWaiting()).isEqualTo(50);
    assertThat(config.line().maxWaitingPerPrincipal()).isEqualTo(1);
    assertThat(config.line().maxWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.line().estimateRefresh()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.line().enabled()).isTrue();
    assertThat(ConfigLoader.defaultsAsYaml())
        .contains(
            "line:\n  maxWaiting: 50\n  maxWaitingPerPrincipal: 1\n  maxWait: \"30s\"\n"
                + "  estimateRefresh: \"30s\"");
  }

  @Test
  void theFileSetsThem() throws IOException {
    GatewayConfig config =
        ConfigLoader.load(
                Map.of(
                    "GATEWAY_CONFIG",
                    write(
                            "line:\n  maxWaiting: 0\n  maxWaitingPerPrincipal: 3\n"
                                + "  maxWait: 2m\n  estimateRefresh: 5s\n")
                        .toString()))
            .config();

    assertThat(config.line().enabled()).isFalse();
    assertThat(config.line().maxWaitingPerPrincipal()).isEqualTo(3);
    assertThat(config.line().maxWait()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.line().estimateRefresh()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void eachBadValueIsNamed() throws IOException {
    assertInvalid("line:\n  maxWaiting: -1\n", "line.maxWaiting", "0 (no line) to 10000");
    assertInvalid("line:\n  maxWaiting: 10001\n", "line.maxWaiting", "was 10001");
    assertInvalid("line:\n  maxWaitingPerPrincipal: -2\n", "line.maxWaitingPerPrincipal", "0");
    assertInvalid("line:\n  maxWait: 0s\n", "line.maxWait", "1s to 10m");
    assertInvalid("line:\n  maxWait: 11m\n", "line.maxWait", "1s to 10m");
    assertInvalid("line:\n  estimateRefresh: 500ms\n", "line.estimateRefresh", "at least 1s");
    assertInvalid("line:\n  maxWait: 30\n", "line.maxWait", "need a unit");
    assertInvalid("line:\n  places: 3\n", "line.places", "is not a setting");
  }

  private void assertInvalid(String yaml, String setting, String message) throws IOException {
    Map<String, String> env = Map.of("GATEWAY_CONFIG", write(yaml).toString());
    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class, e -> assertThat(e.settings()).containsExactly(setting))
        .hasMessageContaining(message);
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
