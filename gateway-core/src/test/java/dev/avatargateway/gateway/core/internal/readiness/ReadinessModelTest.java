package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.PollSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The model on its own: what it plans for a cold and for a known avatar, and what it learns. */
class ReadinessModelTest {
  private static final String CAT = "cat-character";
  private static final ReadinessConfig DEFAULTS = ReadinessConfig.defaults();

  /** Sessions this far apart: a refit after every {@code REFIT_EVERY} samples, as at a low rate. */
  private static final Duration SESSION_APART = ReadinessModel.MIN_REFIT_INTERVAL;

  /** The model's time, which the tests move by hand. */
  private final AtomicLong nanos = new AtomicLong();

  private final ReadinessModel model = new ReadinessModel(DEFAULTS, Runnable::run, nanos::get);

  @Test
  void aColdAvatarIsReadAsBeforeTheModel() {
    PollSchedule before = PollSchedule.defaults();
    Duration elapsed = Duration.ZERO;
    for (int reads = 0; reads < 8; reads++) {
      Duration next = model.nextReadAfter(CAT, elapsed, reads);
      assertThat(next).isEqualTo(elapsed.plus(before.delayBefore(reads)));
      elapsed = next;
    }
    assertThat(model.probabilityReadyBy(CAT, Duration.ofSeconds(1))).isEmpty();
    assertThat(model.summary(CAT)).isEmpty();
  }

  @Test
  void staysColdUntilItHasTheMinimumOfSamples() {
    List<Duration> samples = logNormal(new Random(1), 1.5, 0.25, DEFAULTS.minSamples() - 1);
    model.seed(Map.of(CAT, samples));
    assertThat(model.summary(CAT)).isEmpty();
    assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isZero();

    model.recordSample(CAT, Duration.ofMillis(1500));

    assertThat(model.summary(CAT)).isPresent();
    assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isGreaterThan(Duration.ofMillis(800));
  }

  @Test
  void aKnownAvatarIsReadSparselyEarlyDenselyAroundReadyAndLessOftenWhenLate() {
    model.seed(Map.of(CAT, logNormal(new Random(2), 1.5, 0.25, 64)));

    ReadinessModel.Summary summary = model.summary(CAT).orElseThrow();
    assertThat(summary.samples()).isEqualTo(64);
    assertThat(seconds(summary.median())).isCloseTo(1.5, within(0.1));
    assertThat(summary.logSpread()).isCloseTo(0.25, within(0.05));
    assertThat(summary.expectedReads()).isCloseTo(4.0, within(0.05));

    List<Duration> reads = summary.plannedReads();
    // No read while hardly any session can be ready: the first comes near the 10th percentile.
    assertThat(seconds(reads.get(0))).isBetween(0.9, 1.3);
    List<Double> gaps = gaps(reads);
    // Dense around READY, never closer than the minimum gap, within the longest pause.
    assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(0.02, 1.0));
    assertThat(gaps.subList(0, 5)).allSatisfy(g -> assertThat(g).isLessThan(0.2));
    // Late, past the plan: gaps grow by 1.5x a read up to the longest pause.
    Duration late = reads.get(reads.size() - 1);
    List<Double> tail = new ArrayList<>();
    Duration at = late;
    for (int i = 0; i < 12; i++) {
      Duration next = model.nextReadAfter(CAT, at, 20 + i);
      tail.add(seconds(next) - seconds(at));
      at = next;
    }
    assertThat(tail.get(1)).isCloseTo(tail.get(0) * 1.5, within(0.01));
    assertThat(tail).isSorted();
    assertThat(tail.get(tail.size() - 1)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void theNextReadFollowsWhereTheSessionStands() {
    model.seed(Map.of(CAT, logNormal(new Random(3), 1.5, 0.25, 64)));
    Duration first = model.nextReadAfter(CAT, Duration.ZERO, 0);

    // A wait that began late reads at once when the first planned read has passed.
    assertThat(model.nextReadAfter(CAT, first.plusMillis(300), 0)).isEqualTo(first.plusMillis(300));
    // After a read, the next one is at least the minimum gap later and at most the longest pause.
    Duration afterFirst = model.nextReadAfter(CAT, first, 1);
    assertThat(afterFirst.minus(first)).isBetween(ReadinessModel.MIN_GAP, DEFAULTS.maxInterval());
    // A read held back (by the budget) resumes the plan from where it stands.
    Duration heldBack = afterFirst.plusMillis(150);
    assertThat(model.nextReadAfter(CAT, heldBack, 2).minus(heldBack))
        .isBetween(ReadinessModel.MIN_GAP, Duration.ofMillis(200));
  }

  @Test
  void probabilitiesComeFromTheFit() {
    model.seed(Map.of(CAT, logNormal(new Random(4), 1.5, 0.25, 64)));
    Duration median = model.summary(CAT).orElseThrow().median();

    assertThat(model.probabilityReadyBy(CAT, median).orElseThrow()).isCloseTo(0.5, within(0.05));
    assertThat(model.probabilityReadyBy(CAT, Duration.ofMillis(500)).orElseThrow())
        .isLessThan(0.01);
    assertThat(model.probabilityReadyBy(CAT, Duration.ofSeconds(4)).orElseThrow())
        .isGreaterThan(0.999);
    double soon =
        model
            .chanceReadyBetween(CAT, Duration.ofMillis(1400), Duration.ofMillis(1450))
            .orElseThrow();
    double later =
        model
            .chanceReadyBetween(CAT, Duration.ofMillis(1400), Duration.ofMillis(1700))
            .orElseThrow();
    assertThat(soon).isPositive().isLessThan(later);
    assertThat(model.chanceReadyBetween(CAT, Duration.ofSeconds(2), Duration.ofSeconds(30)))
        .hasValueCloseTo(1.0, within(1e-6));
    assertThat(model.chanceReadyBetween("unknown", Duration.ZERO, Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void outliersDoNotMoveThePlan() {
    List<Duration> clean = logNormal(new Random(5), 1.5, 0.25, 60);
    List<Duration> withOutliers = new ArrayList<>(clean);
    for (int i = 0; i < 4; i++) {
      withOutliers.add(Duration.ofSeconds(30 + i));
    }
    ReadinessModel other = new ReadinessModel(DEFAULTS, Runnable::run);
    model.seed(Map.of(CAT, clean));
    other.seed(Map.of(CAT, withOutliers));

    ReadinessModel.Summary a = model.summary(CAT).orElseThrow();
    ReadinessModel.Summary b = other.summary(CAT).orElseThrow();
    assertThat(b.samples()).isEqualTo(60);
    assertThat(b.logSpread()).isCloseTo(a.logSpread(), within(0.01));
    assertThat(seconds(b.plannedReads().get(0)))
        .isCloseTo(seconds(a.plannedReads().get(0)), within(0.03));
  }

  @Test
  void followsAChangeUpstreamWithinOneWindow() {
    model.seed(Map.of(CAT, logNormal(new Random(6), 1.5, 0.25, 64)));
    for (Duration d : logNormal(new Random(7), 3.0, 0.25, 64)) {
      nanos.addAndGet(SESSION_APART.toNanos());
      model.recordSample(CAT, d);
    }

    assertThat(seconds(model.summary(CAT).orElseThrow().median())).isCloseTo(3.0, within(0.2));
  }

  @Test
  void atAHighRateAnAvatarIsRefittedAtMostOnceAMinRefitInterval() {
    model.seed(Map.of(CAT, logNormal(new Random(11), 1.5, 0.25, 64)));
    double seededMedian = seconds(model.summary(CAT).orElseThrow().median());

    // A window of sessions at 3 s, all within one refit interval: one refit at most, of the first
    // REFIT_EVERY samples after the seed's fit, which moves nothing, since they came too soon.
    for (int i = 0; i < DEFAULTS.window(); i++) {
      nanos.addAndGet(ReadinessModel.MIN_REFIT_INTERVAL.toNanos() / (2L * DEFAULTS.window()));
      model.recordSample(CAT, Duration.ofSeconds(3));
    }
    assertThat(seconds(model.summary(CAT).orElseThrow().median()))
        .isCloseTo(seededMedian, within(1e-9));

    // Once the interval has passed, the next sample refits on the whole window.
    nanos.addAndGet(ReadinessModel.MIN_REFIT_INTERVAL.toNanos());
    model.recordSample(CAT, Duration.ofSeconds(3));
    assertThat(seconds(model.summary(CAT).orElseThrow().median())).isCloseTo(3.0, within(1e-6));
  }

  @Test
  void fromEachPlannedReadTheNextIsThePlansAndFromAnywhereElseOneInReach() {
    double[] samples =
        logNormal(new Random(12), 1.5, 0.25, 64).stream()
            .mapToDouble(ReadinessModelTest::seconds)
            .toArray();
    double minGap = seconds(ReadinessModel.MIN_GAP);
    double maxInterval = seconds(DEFAULTS.maxInterval());
    ReadPlan plan =
        ReadPlan.tuned(TimeToReady.fit(samples), DEFAULTS.readsPerSession(), minGap, maxInterval);
    List<Double> reads = plan.reads();

    assertThat(plan.next(0, 0, false)).isEqualTo(reads.get(0));
    for (int i = 0; i + 1 < reads.size(); i++) {
      assertThat(plan.next(reads.get(i), reads.get(i) + minGap, true)).isEqualTo(reads.get(i + 1));
    }
    // Off the plan (a wait that began late, a read the budget held back): in reach, never sooner.
    for (double at = 0; at < 3; at += 0.0137) {
      assertThat(plan.next(0, at, false)).isGreaterThanOrEqualTo(at);
      assertThat(plan.next(at, at + minGap, true)).isBetween(at + minGap, at + maxInterval);
    }
  }

  @Test
  void aFixedProvisioningTimeGetsAFewReadsAroundIt() {
    List<Duration> fixed = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      fixed.add(Duration.ofMillis(1500));
    }
    model.seed(Map.of(CAT, fixed));

    ReadinessModel.Summary summary = model.summary(CAT).orElseThrow();
    assertThat(summary.logSpread()).isEqualTo(TimeToReady.MIN_LOG_SPREAD);
    assertThat(seconds(summary.plannedReads().get(0))).isBetween(1.4, 1.5);
    assertThat(summary.expectedReads()).isLessThanOrEqualTo(4.0);
  }

  @Test
  void anAvatarReadyAtOnceIsReadAtOnce() {
    List<Duration> instant = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      instant.add(Duration.ofNanos(i * 10_000L));
    }
    model.seed(Map.of(CAT, instant));

    assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isLessThan(Duration.ofMillis(2));
  }

  @Test
  void anAvatarReadyWithinMinGapIsPlannedOneReadAndCostedSo() {
    // READY 5 ms after create, give or take 2%: no second read can follow the first within the
    // fit, so a session the first read misses is read MIN_GAP later, past the grid's end. (Costed
    // as a read at every point of the grid, 17 us apart, such a plan expected 3.9 reads.)
    model.seed(Map.of(CAT, logNormal(new Random(12), 0.005, 0.02, 64)));

    ReadinessModel.Summary summary = model.summary(CAT).orElseThrow();
    assertThat(summary.plannedReads()).hasSize(1);
    assertThat(summary.expectedReads()).isLessThan(1.01);
    Duration first = summary.plannedReads().get(0);
    assertThat(model.nextReadAfter(CAT, first, 1)).isEqualTo(first.plus(ReadinessModel.MIN_GAP));
  }

  @Test
  void aLiveSampleLiesBetweenTheReadsThatBracketReady() {
    ReadinessModel seeded =
        new ReadinessModel(DEFAULTS, Runnable::run, new Random(8)::nextDouble, nanos::get);
    seeded.seed(Map.of(CAT, logNormal(new Random(9), 1.5, 0.25, 64)));

    // A window's worth of sessions seen not ready at 1.40 s and READY at 1.44 s.
    for (int i = 0; i < DEFAULTS.window(); i++) {
      nanos.addAndGet(SESSION_APART.toNanos());
      seeded.recordReady(CAT, Duration.ofMillis(1400), Duration.ofMillis(1440));
    }

    assertThat(seconds(seeded.summary(CAT).orElseThrow().median())).isBetween(1.40, 1.44);
  }

  @Test
  void rejectsTimesThatCannotBe() {
    assertThatThrownBy(() -> model.recordSample(CAT, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> model.nextReadAfter(CAT, Duration.ZERO, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tracksABoundedNumberOfAvatars() {
    model.seed(Map.of(CAT, logNormal(new Random(10), 1.5, 0.25, 16)));
    assertThat(model.summary(CAT)).isPresent();

    for (int i = 0; i < ReadinessModel.MAX_AVATARS; i++) {
      model.recordSample("custom-" + i, Duration.ofSeconds(2));
    }

    assertThat(model.summary(CAT)).isEmpty();
  }

  static List<Duration> logNormal(Random random, double median, double sigma, int n) {
    List<Duration> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(ModelSimulation.duration(median * Math.exp(sigma * random.nextGaussian())));
    }
    return samples;
  }

  private static List<Double> gaps(List<Duration> reads) {
    List<Double> gaps = new ArrayList<>();
    for (int i = 1; i < reads.size(); i++) {
      gaps.add(seconds(reads.get(i)) - seconds(reads.get(i - 1)));
    }
    return gaps;
  }

  private static double seconds(Duration d) {
    return ModelSimulation.seconds(d);
  }
}
