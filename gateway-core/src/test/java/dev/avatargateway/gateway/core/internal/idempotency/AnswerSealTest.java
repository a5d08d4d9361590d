package dev.avatargateway.gateway.core.internal.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.IdempotencyConfig;
import dev.avatargateway.gateway.core.RenderedAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerSealTest {
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.livekit-token-payload.signature";
  private static final RenderedAnswer ANSWER =
      new RenderedAnswer(
          200,
          "{\"sessionId\":\"s-1\",\"serverUrl\":\"wss://x\",\"token\":\""
              + TOKEN
              + "\",\"roomName\":\"r\"}",
          Map.of());
  private static final RenderedAnswer ERROR =
      new RenderedAnswer(
          504,
          "{\"error\":\"Not ready in time; try again.\",\"code\":\"session_timeout\"}",
          Map.of("Retry-After", "7", "X-Other", "é"));

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) fill);
    return key;
  }

  @Test
  void anAnswerOpensAsItWasSealed() {
    AnswerSeal seal = AnswerSeal.withKey(key(1));

    assertThat(seal.open("alice", "k1", seal.seal("alice", "k1", ANSWER))).contains(ANSWER);
    RenderedAnswer opened = seal.open("alice", "k1", seal.seal("alice", "k1", ERROR)).orElseThrow();
    assertThat(opened).isEqualTo(ERROR);
    assertThat(opened.headers().keySet()).containsExactlyElementsOf(ERROR.headers().keySet());
  }

  @Test
  void eachRecordHasAFreshNonceAndNoTokenInClear() {
    AnswerSeal seal = AnswerSeal.withKey(key(1));

    String first = seal.seal("alice", "k1", ANSWER);
    String second = seal.seal("alice", "k1", ANSWER);

    assertThat(first).isNotEqualTo(second);
    byte[] a = Base64.getDecoder().decode(first);
    byte[] b = Base64.getDecoder().decode(second);
    assertThat(a[0]).isEqualTo(AnswerSeal.VERSION);
    assertThat(java.util.Arrays.copyOfRange(a, 1, 13))
        .isNotEqualTo(java.util.Arrays.copyOfRange(b, 1, 13));
    for (String record : new String[] {first, second}) {
      assertThat(record).doesNotContain(TOKEN).doesNotContain("livekit");
      assertThat(new String(Base64.getDecoder().decode(record), StandardCharsets.ISO_8859_1))
          .doesNotContain("livekit-token")
          .doesNotContain("sessionId");
    }
  }

  @Test
  void everyChangedByteIsRefused() {
    AnswerSeal seal = AnswerSeal.withKey(key(1));
    byte[] record = Base64.getDecoder().decode(seal.seal("alice", "k1", ANSWER));

    for (int i = 0; i < record.length; i++) {
      byte[] tampered = record.clone();
      tampered[i] ^= 0x01;
      assertThat(seal.open("alice", "k1", Base64.getEncoder().encodeToString(tampered)))
          .as("byte %d changed", i)
          .isEmpty();
    }
    byte[] truncated = java.util.Arrays.copyOf(record, record.length - 1);
    assertThat(seal.open("alice", "k1", Base64.getEncoder().encodeToString(truncated))).isEmpty();
    assertThat(seal.open("alice", "k1", "not base64 !")).isEmpty();
    assertThat(seal.open("alice", "k1", "")).isEmpty();
  }

  @Test
  void aRecordOpensOnlyForItsPrincipalAndKey() {
    AnswerSeal seal = AnswerSeal.withKey(key(1));
    String record = seal.seal("alice", "k1", ANSWER);

    assertThat(seal.open("bob", "k1", record)).isEmpty();
    assertThat(seal.open("alice", "k2", record)).isEmpty();
    // The associated data is length-prefixed: moving a character between the two does not help.
    assertThat(seal.open("alicek", "1", seal.seal("alice", "k1", ANSWER))).isEmpty();
  }

  @Test
  void anotherKeyRotatedOrRandomCannotOpenIt() {
    String record = AnswerSeal.withKey(key(1)).seal("alice", "k1", ANSWER);

    assertThat(AnswerSeal.withKey(key(2)).open("alice", "k1", record)).isEmpty();
    assertThat(AnswerSeal.ephemeral().open("alice", "k1", record)).isEmpty();
    assertThat(AnswerSeal.derivedFrom("key_other").open("alice", "k1", record)).isEmpty();
  }

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    // RFC 5869, Appendix A.1.
    HexFormat hex = HexFormat.of();
    byte[] okm =
        AnswerSeal.hkdfSha256(
            hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            hex.parseHex("000102030405060708090a0b0c"),
            hex.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);

    assertThat(hex.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void hkdfWithoutSaltMatchesRfc5869TestCase3() {
    // RFC 5869, Appendix A.3: no salt, no info.
    HexFormat hex = HexFormat.of();
    byte[] okm =
        AnswerSeal.hkdfSha256(
            hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            new byte[0],
            new byte[0],
            42);

    assertThat(hex.formatHex(okm))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void theKeyDerivedFromTheRunwaySecretIsStableAndOnlyOpensWithTheSameSecret() {
    String record = AnswerSeal.derivedFrom("key_runway_secret").seal("alice", "k1", ANSWER);

    assertThat(AnswerSeal.derivedFrom("key_runway_secret").open("alice", "k1", record))
        .contains(ANSWER);
    assertThat(
            AnswerSeal.from(IdempotencyConfig.defaults(), Optional.of("key_runway_secret"))
                .open("alice", "k1", record))
        .contains(ANSWER);
  }

  @Test
  void aConfiguredKeyWinsOverTheSecret() {
    String configured = Base64.getEncoder().encodeToString(key(7));
    AnswerSeal seal =
        AnswerSeal.from(
            new IdempotencyConfig(null, null, configured), Optional.of("key_runway_secret"));
    String record = seal.seal("alice", "k1", ANSWER);

    assertThat(AnswerSeal.withKey(key(7)).open("alice", "k1", record)).contains(ANSWER);
    assertThat(AnswerSeal.derivedFrom("key_runway_secret").open("alice", "k1", record)).isEmpty();
  }

  @Test
  void withoutKeyOrSecretEachProcessHasItsOwnRandomKey() {
    AnswerSeal one = AnswerSeal.from(IdempotencyConfig.defaults(), Optional.empty());
    AnswerSeal two = AnswerSeal.from(IdempotencyConfig.defaults(), Optional.empty());
    String record = one.seal("alice", "k1", ANSWER);

    assertThat(one.open("alice", "k1", record)).contains(ANSWER);
    assertThat(two.open("alice", "k1", record)).isEmpty();
  }
}
