package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionStateTest {
  @Test
  void terminalStatesAreTheFiveEndings() {
    Set<SessionState> terminal =
        Arrays.stream(SessionState.values())
            .filter(SessionState::isTerminal)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(SessionState.class)));

    assertThat(terminal)
        .containsExactlyInAnyOrder(
            SessionState.COMPLETED,
            SessionState.FAILED,
            SessionState.CANCELLED,
            SessionState.REJECTED,
            SessionState.LOST);
    assertThat(SessionState.nonTerminal())
        .doesNotContainAnyElementsOf(terminal)
        .hasSize(SessionState.values().length - terminal.size());
  }

  @Test
  void handedOverMeansTheBrowserHasTheSession() {
    assertThat(EnumSet.allOf(SessionState.class).stream().filter(SessionState::isHandedOver))
        .containsExactlyInAnyOrder(
            SessionState.CONSUMED, SessionState.HANDED_OUT, SessionState.RUNNING);
  }

  @Test
  void codesAreLowerCaseNamesAndReadBack() {
    assertThat(SessionState.HANDED_OUT.code()).isEqualTo("handed_out");
    for (SessionState state : SessionState.values()) {
      assertThat(SessionState.fromCode(state.code())).isEqualTo(state);
      assertThat(state.code()).matches("[a-z_]+").hasSizeLessThanOrEqualTo(16);
    }
    assertThatThrownBy(() -> SessionState.fromCode("PENDING"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
