package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.RedisConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared limits' Redis settings: their defaults, their binding, and every problem named. */
class RedisSettingsTest {
  @TempDir Path dir;

  @Test
  void theDefaultsAreNoRedis() {
    GatewayConfig config = ConfigLoader.load(Map.of()).config();

    assertThat(config.redis().enabled()).isFalse();
    assertThat(config.redis().keyPrefix()).isEqualTo("avatar-gateway:");
    assertThat(config.redis().failureMode()).isEqualTo(RedisConfig.OnFailure.REFUSE);
    assertThat(config.redis().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.redis().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(ConfigLoader.defaultsAsYaml())
        .contains(
            "redis:\n  url: null\n  keyPrefix: \"avatar-gateway:\"\n  onFailure: \"refuse\"\n"
                + "  timeout: \"500ms\"\n  leaseDuration: \"15s\"");
  }

  @Test
  void theEnvironmentSetsTheUrlAndTheFileTheRest() throws IOException {
    GatewayConfig config =
        ConfigLoader.load(
                Map.of(
                    "GATEWAY_REDIS_URL",
                    "redis://gateway:s3cret-pass@redis.internal:6380/2",
                    "GATEWAY_CONFIG",
                    write(
                            "redis:\n  keyPrefix: \"eu:\"\n  onFailure: local\n  timeout: 250ms\n"
                                + "  leaseDuration: 1m\n")
                        .toString()))
            .config();

    RedisConfig redis = config.redis();
    assertThat(redis.enabled()).isTrue();
    assertThat(redis.redisUri().getHost()).isEqualTo("redis.internal");
    assertThat(redis.redisUri().getPort()).isEqualTo(6380);
    assertThat(redis.redisUri().getDatabase()).isEqualTo(2);
    assertThat(redis.redisUri().getTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(redis.keyPrefix()).isEqualTo("eu:");
    assertThat(redis.leaseDuration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(redis.failureMode()).isEqualTo(RedisConfig.OnFailure.LOCAL);
    assertThat(redis.password()).isEqualTo("s3cret-pass");
    assertThat(redis.toString()).doesNotContain("s3cret-pass").contains("gateway:***@");
  }

  @Test
  void eachBadValueIsNamedWithoutThePassword() throws IOException {
    assertInvalid("redis:\n  url: http://redis:6379\n", "redis.url", "redis:// or rediss://");
    assertInvalid(
        "redis:\n  url: \"redis://u:hunter2-secret@host:port\"\n", "redis.url", "redis://[user");
    assertInvalid("redis:\n  onFailure: open\n", "redis.onFailure", "'refuse' or 'local'");
    assertInvalid("redis:\n  timeout: 5ms\n", "redis.timeout", "10ms to 10s");
    assertInvalid("redis:\n  timeout: 11s\n", "redis.timeout", "10ms to 10s");
    assertInvalid("redis:\n  keyPrefix: \" \"\n", "redis.keyPrefix", "not blank");
    assertInvalid("redis:\n  leaseDuration: 2s\n", "redis.leaseDuration", "3s to 5m");
    assertInvalid("redis:\n  leaseDuration: 6m\n", "redis.leaseDuration", "3s to 5m");
    assertInvalid("redis:\n  host: x\n", "redis.host", "is not a setting");
  }

  private void assertInvalid(String yaml, String setting, String message) throws IOException {
    Map<String, String> env = Map.of("GATEWAY_CONFIG", write(yaml).toString());
    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class, e -> assertThat(e.settings()).containsExactly(setting))
        .hasMessageContaining(message)
        .hasMessageNotContaining("hunter2-secret");
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
