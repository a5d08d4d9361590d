package dev.avatargateway.gateway.core.internal.idempotency;

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
    assertThat(Fingerprint.of(Operation.CONNECT, preset("cat-character")))
        .isEqualTo(Fingerprint.of(Operation.CONNECT, preset("cat-character")))
        .hasSize(64)
        .matches("[0-9a-f]{64}");
  }

  @Test
  void anotherAvatarAnotherFieldOrAnotherOperationIsAnotherRequest() {
    String uuid = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
    List<String> prints =
        List.of(
            Fingerprint.of(Operation.CONNECT, preset("cat-character")),
            Fingerprint.of(Operation.CONNECT, preset("influencer")),
            Fingerprint.of(Operation.CONNECT, AvatarChoice.DEFAULT),
            Fingerprint.of(Operation.CONNECT, preset(uuid)),
            Fingerprint.of(
                Operation.CONNECT, new AvatarChoice(Optional.empty(), Optional.of(uuid))),
            Fingerprint.of(
                Operation.CONNECT, new AvatarChoice(Optional.of(uuid), Optional.of(uuid))),
            Fingerprint.of(Operation.SESSIONS, preset("cat-character")),
            Fingerprint.of(Operation.SESSIONS, AvatarChoice.DEFAULT));

    assertThat(new HashSet<>(prints)).hasSameSizeAs(prints);
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    // Concatenated naively, both would read "a|b" + "" and "a" + "|b".
    assertThat(
            Fingerprint.of(
                Operation.CONNECT, new AvatarChoice(Optional.of("a|b"), Optional.of(""))))
        .isNotEqualTo(
            Fingerprint.of(
                Operation.CONNECT, new AvatarChoice(Optional.of("a"), Optional.of("|b"))));
    assertThat(
            Fingerprint.of(Operation.CONNECT, new AvatarChoice(Optional.of("-"), Optional.empty())))
        .isNotEqualTo(Fingerprint.of(Operation.CONNECT, AvatarChoice.DEFAULT));
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
