package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.FaultRule.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Custom avatars: retrieve each status, and list across pages lazily. */
class AvatarsTest {
  private final SimulatedRunway runway = new SimulatedRunway();
  private final Avatars avatars = runway.client().avatars();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void retrievesEachStatus() {
    String ready = runway.admin().createAvatar("Ada", AvatarStatus.READY);
    String processing = runway.admin().createAvatar("Bo", AvatarStatus.PROCESSING);
    String failed = runway.admin().createAvatar("Cy", AvatarStatus.FAILED);

    Avatar adaAvatar = avatars.retrieve(ready);
    assertThat(adaAvatar.name()).isEqualTo("Ada");
    assertThat(adaAvatar.isReady()).isTrue();
    assertThat(adaAvatar.voice().type()).isNotBlank();
    assertThat(avatars.retrieve(processing).status()).isEqualTo(Avatar.Status.PROCESSING);
    assertThat(avatars.retrieve(failed).status()).isEqualTo(Avatar.Status.FAILED);
    assertThat(avatars.retrieve(failed).failureReason()).isPresent();
  }

  @Test
  void anUnknownAvatarIsNotFound() {
    assertThatThrownBy(() -> avatars.retrieve("3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void listsEveryAvatarFetchingPagesLazily() {
    List<String> created =
        IntStream.range(0, 5)
            .mapToObj(i -> runway.admin().createAvatar("A" + i, AvatarStatus.READY))
            .toList();

    Iterable<Avatar> all = avatars.list(2);
    assertThat(runway.admin().stats().count(Route.AVATAR_LIST)).isZero();
    List<String> listed = new ArrayList<>();
    all.forEach(a -> listed.add(a.id()));

    assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
    assertThat(runway.admin().stats().count(Route.AVATAR_LIST)).isEqualTo(3);
  }

  @Test
  void anEmptyListMakesOneRequest() {
    assertThat(avatars.list()).isEmpty();
    assertThat(runway.admin().stats().count(Route.AVATAR_LIST)).isEqualTo(1);
  }
}
