package dev.avatargateway.gateway.core.internal.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyHeaderTest {
  @Test
  void noHeaderIsNoKey() {
    assertThat(IdempotencyKeyHeader.read(name -> Optional.empty())).isEmpty();
  }

  @Test
  void aBareKeyAndItsStructuredFieldStringAreTheSameKey() {
    String uuid = "8e03978e-40d5-43e8-bc93-6894a57f9324";

    assertThat(IdempotencyKeyHeader.read(name -> Optional.of(uuid))).contains(uuid);
    assertThat(IdempotencyKeyHeader.parse("\"" + uuid + "\"")).isEqualTo(uuid);
    assertThat(IdempotencyKeyHeader.parse("  " + uuid + " ")).isEqualTo(uuid);
    assertThat(IdempotencyKeyHeader.parse("\"a\\\"b\\\\c\"")).isEqualTo("a\"b\\c");
  }

  @Test
  void upTo255VisibleAsciiCharactersAreAKey() {
    String longest = "k".repeat(255);
    String every = "!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~";

    assertThat(IdempotencyKeyHeader.parse(longest)).isEqualTo(longest);
    assertThat(IdempotencyKeyHeader.parse(every)).isEqualTo(every);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "\"\"",
        "two words",
        "tab\there",
        "line\nbreak",
        "nul\u0000",
        "del\u007f",
        "caf\u00e9",
        "emoji\ud83d\ude00",
        "\"bad \\n escape\"",
        "\"unescaped \" quote\"",
        "\"dangling\\\""
      })
  void anythingElseIsRefusedWithItsOwnCode(String value) {
    assertThatThrownBy(() -> IdempotencyKeyHeader.parse(value))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_IDEMPOTENCY_KEY);
              assertThat(e.code().status()).isEqualTo(400);
              assertThat(e.code().code()).isEqualTo("invalid_idempotency_key");
            });
  }

  @Test
  void aKeyOf256CharactersIsRefusedAndTheMessageDoesNotRepeatIt() {
    String tooLong = "secretish-" + "x".repeat(246);

    assertThatThrownBy(() -> IdempotencyKeyHeader.parse(tooLong))
        .isInstanceOf(GatewayException.class)
        .hasMessageContaining("1 to 255")
        .hasMessageNotContaining("secretish");
    assertThatThrownBy(() -> IdempotencyKeyHeader.parse("\"" + tooLong + "\""))
        .isInstanceOf(GatewayException.class);
  }
}
