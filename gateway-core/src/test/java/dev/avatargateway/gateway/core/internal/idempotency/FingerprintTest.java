package dev.avatargateway.gateway.core.internal.idempotency;

import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.CREDENTIALS;
import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.SESSION_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotentStarts.Operation;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FingerprintTest {
  private static AvatarChoice preset(String id) {
    return new AvatarChoice(Optional.of(id), Optional.empty());
  }

  @Test
  void theSameChoiceIsTheSameRequest() {
    assertThat(Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset("cat-character")))
        .isEqualTo(Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset("cat-character")))
        .hasSize(64)
        .matches("[0-9a-f]{64}");
  }

  @Test
  void anotherAvatarFieldOperationOrResponseModeIsAnotherRequest() {
    String uuid = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
    List<String> prints =
        List.of(
            Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset("cat-character")),
            Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset("influencer")),
            Fingerprint.of(Operation.CONNECT, CREDENTIALS, AvatarChoice.DEFAULT),
            Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset(uuid)),
            Fingerprint.of(
                Operation.CONNECT,
                CREDENTIALS,
                new AvatarChoice(Optional.empty(), Optional.of(uuid))),
            Fingerprint.of(
                Operation.CONNECT,
                CREDENTIALS,
                new AvatarChoice(Optional.of(uuid), Optional.of(uuid))),
            Fingerprint.of(Operation.SESSIONS, CREDENTIALS, preset("cat-character")),
            Fingerprint.of(Operation.SESSIONS, CREDENTIALS, AvatarChoice.DEFAULT),
            Fingerprint.of(Operation.CONNECT, SESSION_KEY, preset("cat-character")),
            Fingerprint.of(Operation.CONNECT, SESSION_KEY, AvatarChoice.DEFAULT),
            Fingerprint.of(Operation.SESSIONS, SESSION_KEY, preset("cat-character")));

    assertThat(new HashSet<>(prints)).hasSameSizeAs(prints);
  }

  @Test
  void theCredentialsModeKeepsTheEncodingOfKeysStoredBeforeTheModeCounted() {
    // The encoding before the response mode was part of it: operation, avatarId, customAvatarId.
    assertThat(Fingerprint.of(Operation.CONNECT, CREDENTIALS, preset("cat-character")))
        .isEqualTo(Fingerprint.sha256Hex("v1|7:connect|13:cat-character|-"));
    assertThat(Fingerprint.of(Operation.CONNECT, SESSION_KEY, preset("cat-character")))
        .isEqualTo(Fingerprint.sha256Hex("v1|7:connect|13:cat-character|-|11:session-key"));
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    // Concatenated naively, both would read "a|b" + "" and "a" + "|b".
    assertThat(
            Fingerprint.of(
                Operation.CONNECT,
                CREDENTIALS,
                new AvatarChoice(Optional.of("a|b"), Optional.of(""))))
        .isNotEqualTo(
            Fingerprint.of(
                Operation.CONNECT,
                CREDENTIALS,
                new AvatarChoice(Optional.of("a"), Optional.of("|b"))));
    assertThat(
            Fingerprint.of(
                Operation.CONNECT,
                CREDENTIALS,
                new AvatarChoice(Optional.of("-"), Optional.empty())))
        .isNotEqualTo(Fingerprint.of(Operation.CONNECT, CREDENTIALS, AvatarChoice.DEFAULT));
  }

  @Test
  void theScopeSeparatesPrincipalsAndKeys() {
    Set<String> scopes =
        Set.of(
            Fingerprint.scope("alice", "k1"),
            Fingerprint.scope("bob", "k1"),
            Fingerprint.scope("alice", "k2"),
            Fingerprint.scope("alicek", "1"),
            Fingerprint.scope("alice|5:k", "1"));

    assertThat(scopes).hasSize(5);
    assertThat(Fingerprint.scope("alice", "k1")).isEqualTo(Fingerprint.scope("alice", "k1"));
  }
}
