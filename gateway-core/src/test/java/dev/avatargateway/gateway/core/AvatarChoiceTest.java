package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The connect body every adapter reads through {@link AvatarChoice#parseJson}. */
class AvatarChoiceTest {
  @Test
  void anEmptyBodyOrObjectAsksForTheDefaultAvatar() {
    assertThat(AvatarChoice.parseJson("")).isEqualTo(AvatarChoice.DEFAULT);
    assertThat(AvatarChoice.parseJson(" {} ")).isEqualTo(AvatarChoice.DEFAULT);
  }

  @Test
  void readsBothIdsAndIgnoresUnknownFields() {
    assertThat(
            AvatarChoice.parseJson(
                "{\"avatarId\":\"cat-character\",\"apiKey\":\"ignored\",\"customAvatarId\":null}"))
        .isEqualTo(new AvatarChoice(Optional.of("cat-character"), Optional.empty()));
  }

  @Test
  void refusesWhatIsNotAnObjectOfNonEmptyStrings() {
    for (String body :
        new String[] {"{", "[]", "\"cat\"", "{\"avatarId\":7}", "{\"avatarId\":\" \"}"}) {
      assertThatThrownBy(() -> AvatarChoice.parseJson(body))
          .as(body)
          .isInstanceOfSatisfying(
              GatewayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }
  }
}
