package dev.avatargateway.gateway.core.internal.line;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.internal.auth.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The estimated wait: its formula, a cold start without history, and the cached history. */
class WaitEstimatorTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T12:00:00Z"));

  @Test
  void whileTheGateIsFullAPlaceWaitsForItsShareOfTheSlotsHoldTime() {
    WaitEstimator estimator = fixed(history(12, 300, 4), 3);

    // 12 s per slot over 3 slots: one frees every 4 s.
    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(4));
    assertThat(estimator.eta(5, false)).contains(Duration.ofSeconds(20));
  }

  @Test
  void whileUpstreamIsQueuedAPlaceWaitsForLiveCallsToEnd() {
    WaitEstimator estimator = fixed(history(12, 300, 4), 3);

    // 300 s calls, 4 running: one ends every 75 s.
    assertThat(estimator.eta(2, true)).contains(Duration.ofSeconds(150));
    // No call running that we know of counts as one.
    assertThat(fixed(history(12, 300, 0), 3).eta(1, true)).contains(Duration.ofSeconds(300));
  }

  @Test
  void withoutHistoryThereIsNoEstimate() {
    WaitEstimator cold = fixed(WaitEstimator.History.NONE, 3);

    assertThat(cold.eta(1, false)).isEmpty();
    assertThat(cold.eta(1, true)).isEmpty();
    // No gate cap: only the upstream's queue makes anyone wait, and it needs call lengths.
    assertThat(fixed(history(12, 300, 1), 0).eta(1, false)).isEmpty();
  }

  @Test
  void estimatesAreWholeSecondsRoundedUpAndAtLeastOne() {
    WaitEstimator estimator =
        fixed(
            new WaitEstimator.History(Optional.of(Duration.ofMillis(1_500)), Optional.empty(), 0),
            4);

    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(1)); // 375 ms
    assertThat(estimator.eta(3, false)).contains(Duration.ofSeconds(2)); // 1.125 s
  }

  @Test
  void theHistoryIsReadAtMostOncePerRefreshAndKeptWhenAReadFails() {
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<WaitEstimator.History> current = new AtomicReference<>(history(10, 60, 1));
    WaitEstimator estimator =
        new WaitEstimator(
            () -> {
              reads.incrementAndGet();
              WaitEstimator.History h = current.get();
              if (h == null) {
                throw new IllegalStateException("ledger unreachable");
              }
              return h;
            },
            1,
            Duration.ofSeconds(30),
            clock,
            Runnable::run);

    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(10));
    current.set(history(20, 60, 1));
    clock.advance(Duration.ofSeconds(29));
    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(10));
    assertThat(reads).hasValue(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(20));
    assertThat(reads).hasValue(2);

    current.set(null);
    clock.advance(Duration.ofSeconds(30));
    assertThat(estimator.eta(1, false)).contains(Duration.ofSeconds(20));
    assertThat(reads).hasValue(3);
  }

  @Test
  void readsRunOnTheRefresherOneAtATimeAndTheCallerNeverWaitsForThem() {
    java.util.List<Runnable> pending = new java.util.ArrayList<>();
    WaitEstimator estimator =
        new WaitEstimator(() -> history(6, 60, 1), 2, Duration.ofSeconds(30), clock, pending::add);

    // Cold: the read is started, not waited for.
    assertThat(estimator.eta(1, false)).isEmpty();
    assertThat(estimator.eta(2, false)).isEmpty();
    assertThat(pending).hasSize(1);

    pending.remove(0).run();
    assertThat(estimator.eta(2, false)).contains(Duration.ofSeconds(6));
    assertThat(pending).isEmpty();
  }

  private WaitEstimator fixed(WaitEstimator.History history, int capacity) {
    return new WaitEstimator(() -> history, capacity, Duration.ofSeconds(30), clock, Runnable::run);
  }

  private static WaitEstimator.History history(long holdSeconds, long callSeconds, int live) {
    return new WaitEstimator.History(
        Optional.of(Duration.ofSeconds(holdSeconds)),
        Optional.of(Duration.ofSeconds(callSeconds)),
        live);
  }
}
