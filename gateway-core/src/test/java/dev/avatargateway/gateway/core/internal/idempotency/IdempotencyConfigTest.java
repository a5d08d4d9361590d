package dev.avatargateway.gateway.core.internal.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.IdempotencyConfig;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class IdempotencyConfigTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void theDefaultsKeepKeysADayAndDeriveTheEncryptionKey() {
    IdempotencyConfig defaults = IdempotencyConfig.defaults();

    assertThat(defaults.retention()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.pruneInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.encryptionKey()).isNull();
    assertThatCode(defaults::validate).doesNotThrowAnyException();
    assertThat(new IdempotencyConfig(null, null, "  ").encryptionKey()).isNull();
  }

  @Test
  void aRetentionOutsideOneMinuteToSevenDaysIsNamed() {
    assertInvalid(
        new IdempotencyConfig(Duration.ofSeconds(59), null, null), "idempotency.retention");
    assertInvalid(new IdempotencyConfig(Duration.ofDays(8), null, null), "idempotency.retention");
    assertThatCode(() -> new IdempotencyConfig(Duration.ofDays(7), null, null).validate())
        .doesNotThrowAnyException();
  }

  @Test
  void aPruneIntervalOutsideOneSecondToOneHourIsNamed() {
    assertInvalid(new IdempotencyConfig(null, Duration.ZERO, null), "idempotency.pruneInterval");
    assertInvalid(
        new IdempotencyConfig(null, Duration.ofMinutes(61), null), "idempotency.pruneInterval");
  }

  @Test
  void anEncryptionKeyMustBeBase64Of32BytesAndIsNeverShown() {
    String notBase64 = "not-base64-but-a-secret!";
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(() -> new IdempotencyConfig(null, null, notBase64).validate())
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.setting())
                    .isEqualTo("idempotency.encryptionKey (GATEWAY_IDEMPOTENCY_KEY)"))
        .hasMessageNotContaining(notBase64);
    assertThatThrownBy(() -> new IdempotencyConfig(null, null, short16).validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("was 16 bytes")
        .hasMessageNotContaining(short16);
    IdempotencyConfig good = new IdempotencyConfig(null, null, KEY);
    assertThatCode(good::validate).doesNotThrowAnyException();
    assertThat(good.decodedKey()).hasSize(32);
    assertThat(good.toString()).contains("encryptionKey=***").doesNotContain(KEY);
  }

  private static void assertInvalid(IdempotencyConfig config, String setting) {
    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting));
  }
}
