package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The budget on a clock the test moves. */
class ReadBudgetTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T12:00:00Z"));

  @Test
  void aTenthGoesAtOnceAndNoSecondHoldsMoreThanTheBudget() {
    ReadBudget budget = new ReadBudget(50, clock);
    List<Instant> taken = new ArrayList<>();
    // Greedy for a simulated minute, in steps of 1 ms.
    for (int ms = 0; ms < 60_000; ms++) {
      while (budget.tryTake()) {
        taken.add(clock.instant());
      }
      clock.advance(Duration.ofMillis(1));
    }

    assertThat(taken.subList(0, 5)).containsOnly(taken.get(0));
    assertThat(taken.get(5)).isAfter(taken.get(0));
    int max = 0;
    int from = 0;
    for (int to = 0; to < taken.size(); to++) {
      while (!taken.get(from).plusSeconds(1).isAfter(taken.get(to))) {
        from++;
      }
      max = Math.max(max, to - from + 1);
    }
    assertThat(max).isBetween(45, 50);
    // The sustained rate: 45 a second after the burst of 5.
    assertThat(taken).hasSizeBetween(5 + 45 * 60 - 1, 5 + 45 * 60 + 1);
  }

  @Test
  void tellsHowLongUntilTheNextRead() {
    ReadBudget budget = new ReadBudget(2, clock);
    assertThat(budget.available()).isOne();
    assertThat(budget.untilNext()).isZero();
    assertThat(budget.tryTake()).isTrue();

    assertThat(budget.tryTake()).isFalse();
    assertThat(budget.untilNext()).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(budget.tryTake()).isTrue();
  }

  @Test
  void aBudgetOfOneCouldNotServeTwoSessions() {
    assertThatThrownBy(() -> new ReadBudget(1, clock)).isInstanceOf(IllegalArgumentException.class);
  }
}
