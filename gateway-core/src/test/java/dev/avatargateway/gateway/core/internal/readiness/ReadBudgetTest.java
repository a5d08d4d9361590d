package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  // ----- After Runway's 429s

  @Test
  void a429HalvesTheRateOnceASecondAndEmptiesTheBucket() {
    ReadBudget budget = new ReadBudget(100, clock);
    assertThat(budget.rate()).isEqualTo(100);

    budget.rateLimited(Optional.empty());
    assertThat(budget.rate()).isEqualTo(50);
    assertThat(budget.tryTake()).isFalse();
    // The other reads in flight come back 429 too: one cut for them all.
    clock.advance(Duration.ofMillis(500));
    budget.rateLimited(Optional.empty());
    assertThat(budget.rate()).isEqualTo(50);
    // A second after the first cut, a second cut (the 429 in between held the recovery back).
    clock.advance(Duration.ofMillis(500));
    budget.rateLimited(Optional.empty());
    assertThat(budget.rate()).isEqualTo(25);
  }

  @Test
  void neverBelowTheLowestRateSoThatARunwayRefusingEverythingIsStillProbed() {
    ReadBudget budget = new ReadBudget(50, clock);
    int reads = 0;
    // Every read refused for a minute.
    for (int ms = 0; ms < 60_000; ms++) {
      while (budget.tryTake()) {
        reads++;
        budget.rateLimited(Optional.empty());
      }
      clock.advance(Duration.ofMillis(1));
    }

    assertThat(budget.rate()).isEqualTo(ReadBudget.MIN_RATE);
    // About 40 in the first four seconds, while a halving a second takes the rate down (23, 11, 5,
    // 2 reads); then one a second (each 429 empties the bucket, which refills by one read a second
    // at the lowest rate).
    assertThat(reads).isBetween(90, 110);
  }

  @Test
  void retryAfterStopsEveryReadUntilItHasPassed() {
    ReadBudget budget = new ReadBudget(50, clock);
    budget.rateLimited(Optional.of(Duration.ofSeconds(3)));

    assertThat(budget.untilNext()).isGreaterThan(Duration.ofSeconds(3));
    assertThat(readsIn(budget, Duration.ofMillis(2_999))).isZero();
    clock.advance(Duration.ofMillis(100));
    assertThat(readsIn(budget, Duration.ofSeconds(1))).isPositive();
  }

  @Test
  void aRetryAfterLongerThanTheLongestPauseIsCutToIt() {
    ReadBudget budget = new ReadBudget(50, clock);
    budget.rateLimited(Optional.of(Duration.ofMinutes(10)));

    assertThat(budget.untilNext())
        .isBetween(ReadBudget.MAX_PAUSE, ReadBudget.MAX_PAUSE.plusSeconds(1));
  }

  @Test
  void theRateClimbsBackByAFixedStepASecondToTheConfiguredRateAndNoFurther() {
    ReadBudget budget = new ReadBudget(100, clock);
    budget.rateLimited(Optional.empty());
    assertThat(budget.rate()).isEqualTo(50);

    List<Double> rates = new ArrayList<>();
    for (int s = 0; s < 30; s++) {
      clock.advance(ReadBudget.INCREASE_PERIOD);
      budget.tryTake();
      rates.add(budget.rate());
    }
    // 5% of the refused 100 a second: back at 100 after ten seconds, and no further.
    assertThat(rates.get(0)).isCloseTo(55, within(1e-9));
    assertThat(rates.get(4)).isCloseTo(75, within(1e-9));
    assertThat(rates.get(9)).isCloseTo(100, within(1e-9));
    assertThat(rates.subList(9, 30)).containsOnly(100.0);
  }

  @Test
  void afterAStormOfFourTwentyNinesTheConfiguredRateIsBackWithinAMinuteAndAHalf() {
    ReadBudget budget = new ReadBudget(5_000, clock);
    for (int i = 0; i < 20; i++) {
      clock.advance(ReadBudget.DECREASE_HOLD);
      budget.rateLimited(Optional.empty());
    }
    assertThat(budget.rate()).isEqualTo(ReadBudget.MIN_RATE);

    clock.advance(Duration.ofSeconds(60));
    budget.tryTake();
    double afterAMinute = budget.rate();
    clock.advance(Duration.ofSeconds(30));
    budget.tryTake();

    assertThat(afterAMinute).isBetween(500.0, 5_000.0);
    assertThat(budget.rate()).isEqualTo(5_000);
  }

  @Test
  void againstAStandingLimitTheRateSettlesNearItWithinSecondsWhateverWasConfigured() {
    // Runway accepts 100 reads in any second, the gateway was configured for 5,000: each halving
    // takes a second (the hold), so about six of them to get under the limit, then a saw-tooth.
    ReadBudget budget = new ReadBudget(5_000, clock);
    int limit = 100;
    Duration settle = Duration.ofSeconds(10);
    Duration measured = Duration.ofSeconds(120);
    List<Instant> accepted = new ArrayList<>();
    int acceptedAfterSettling = 0;
    int refusedAfterSettling = 0;
    double lowest = Double.MAX_VALUE;
    double highest = 0;
    Instant settled = clock.instant().plus(settle);
    Instant end = settled.plus(measured);
    while (clock.instant().isBefore(end)) {
      Instant now = clock.instant();
      boolean counting = !now.isBefore(settled);
      while (budget.tryTake()) {
        accepted.removeIf(at -> !at.plusSeconds(1).isAfter(now));
        if (accepted.size() < limit) {
          accepted.add(now);
          acceptedAfterSettling += counting ? 1 : 0;
        } else {
          refusedAfterSettling += counting ? 1 : 0;
          budget.rateLimited(Optional.empty());
        }
      }
      if (counting) {
        lowest = Math.min(lowest, budget.rate());
        highest = Math.max(highest, budget.rate());
      }
      clock.advance(Duration.ofMillis(1));
    }

    // Settled: between half the limit and a little above it, about one read in a thousand
    // refused (one 429 every ten seconds), three quarters of the limit used.
    assertThat(lowest).isGreaterThanOrEqualTo(limit / 2.0);
    assertThat(highest).isLessThanOrEqualTo(limit * 1.2);
    assertThat(refusedAfterSettling).isLessThanOrEqualTo((int) measured.toSeconds() / 5);
    assertThat(acceptedAfterSettling).isGreaterThan((int) (measured.toSeconds() * limit * 0.7));
  }

  /** Takes every read the budget gives over this much time, in steps of 1 ms. */
  private int readsIn(ReadBudget budget, Duration time) {
    int reads = 0;
    for (long ms = 0; ms < time.toMillis(); ms++) {
      while (budget.tryTake()) {
        reads++;
      }
      clock.advance(Duration.ofMillis(1));
    }
    return reads;
  }
}
