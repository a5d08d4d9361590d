package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.avatargateway.gateway.core.ReadinessConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An upstream READY within a few milliseconds, read the way the poller reads it, on simulated time
 * (deterministic, no wall time): each read takes {@link #ROUND_TRIP} and sees the session as it was
 * halfway, as the poller takes it ({@code seenAt}); a wait begins {@link #WAIT_STARTS} after
 * create; the next session is created {@link #BETWEEN_SESSIONS} after the last was noticed, and the
 * model's refits follow that clock. Such an avatar must be noticed within a few milliseconds with
 * about one read per session, from a cold start as after a time when reads came late.
 */
class FastUpstreamTest {
  private static final String CAT = "cat-character";

  /** A status read's round trip against a local upstream. */
  private static final double ROUND_TRIP = 0.001;

  /** From create's answer to the wait's arrival in the poller. */
  private static final double WAIT_STARTS = 0.0005;

  /** What else a connect does between two sessions (consume, the ledger, the answer). */
  private static final double BETWEEN_SESSIONS = 0.004;

  private static final int MEASURED = 200;

  private final AtomicLong nanos = new AtomicLong();
  private final ReadinessModel model =
      new ReadinessModel(
          ReadinessConfig.defaults(), Runnable::run, new Random(11)::nextDouble, nanos::get);

  @Test
  void anAvatarReadyAfterThreeMillisecondsIsNoticedWithinAFewWithAboutOneRead() {
    // Cold, the first read (at once) misses and the next comes 250 ms later: the first samples
    // say anything from 1 to 250 ms. Before the probes, the first read settled near 20 ms and
    // stayed there, every session READY by it and none telling that READY came sooner.
    run(0.003, 2000);

    Figures f = run(0.003, MEASURED);
    System.out.printf("READY after 3 ms, after 2,000 sessions from cold: %s%n", f);

    assertThat(f.latenessMillis(0.5)).isLessThanOrEqualTo(3);
    assertThat(f.latenessMillis(0.9)).isLessThanOrEqualTo(5);
    assertThat(f.meanReads()).isLessThanOrEqualTo(1.1);
  }

  @Test
  void anAvatarReadyAtOnceIsReadAtOnceAgainAfterATimeOfLateReads() {
    // As when the budget held every first read back about 180 ms (8 connects at once at 45 reads
    // a second): each session READY by then, the samples anywhere from 0 to 180 ms.
    for (int i = 0; i < 400; i++) {
      nanos.addAndGet(Duration.ofMillis(180).toNanos());
      model.recordReady(CAT, Duration.ZERO, Duration.ofMillis(178));
    }
    run(0, 2000);

    Figures f = run(0, MEASURED);
    System.out.printf("READY at once, after 400 sessions read 178 ms late and 2,000 more: %s%n", f);

    assertThat(f.latenessMillis(0.5)).isLessThanOrEqualTo(3);
    assertThat(f.latenessMillis(0.9)).isLessThanOrEqualTo(4);
    assertThat(f.meanReads()).isLessThanOrEqualTo(1.1);
  }

  @Test
  void anAvatarReadyAtOnceFromTheStartIsNoticedAtTheFirstRead() {
    Figures f = run(0, 2000);
    System.out.printf("READY at once, from cold: %s%n", f);

    assertThat(f.latenessMillis(0.9)).isLessThanOrEqualTo(2.5);
    assertThat(f.meanReads()).isEqualTo(1.0);
  }

  @Test
  void probesComeOnlyWhileThePlanBetsOnItsFirstRead() {
    // READY around 1.5 s: the first read finds few sessions READY, so no probe ever reads early.
    model.seed(Map.of(CAT, ReadinessModelTest.logNormal(new Random(2), 1.5, 0.25, 64)));
    Duration first = model.nextReadAfter(CAT, Duration.ZERO, 0);
    for (int i = 0; i < 4 * ReadinessModel.PROBE_EVERY; i++) {
      assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isEqualTo(first);
    }

    // READY by 5 ms: every PROBE_EVERY-th first read comes at half the plan's.
    List<Duration> fast = ReadinessModelTest.logNormal(new Random(3), 0.005, 0.02, 64);
    model.seed(Map.of("fast", fast));
    double planned = seconds(model.nextReadAfter("fast", Duration.ZERO, 0));
    int probes = 0;
    for (int i = 1; i < 4 * ReadinessModel.PROBE_EVERY; i++) {
      double next = seconds(model.nextReadAfter("fast", Duration.ZERO, 0));
      if (next < planned) {
        probes++;
        assertThat(next).isCloseTo(planned * ReadinessModel.PROBE_FRACTION, within(1e-6));
      } else {
        assertThat(next).isEqualTo(planned);
      }
    }
    assertThat(probes).isEqualTo(4);
  }

  @Test
  void aProbeThatFindsReadyCapsTheSamplesOfTheSessionsReadyAtTheFirstRead() {
    model.seed(Map.of(CAT, ReadinessModelTest.logNormal(new Random(4), 0.020, 0.02, 64)));
    double planned = seconds(model.nextReadAfter(CAT, Duration.ZERO, 0));

    // A probe at half the first read found READY; then a window of sessions READY by the first.
    model.recordReady(CAT, Duration.ZERO, duration(planned / 2));
    for (int i = 0; i < 64; i++) {
      nanos.addAndGet(ReadinessModel.MIN_REFIT_INTERVAL.toNanos());
      model.recordReady(CAT, Duration.ZERO, duration(planned));
    }

    assertThat(seconds(model.summary(CAT).orElseThrow().median())).isLessThanOrEqualTo(planned / 2);
  }

  @Test
  void aProbeThatFindsTheSessionNotReadyLiftsTheCap() {
    model.seed(Map.of(CAT, ReadinessModelTest.logNormal(new Random(5), 0.020, 0.02, 64)));
    double planned = seconds(model.nextReadAfter(CAT, Duration.ZERO, 0));
    model.recordReady(CAT, Duration.ZERO, duration(planned / 2));

    // The next probe found it not ready at half the first read, and READY at the read after.
    model.recordReady(CAT, duration(planned / 2), duration(planned / 2 + 0.02));
    for (int i = 0; i < 64; i++) {
      nanos.addAndGet(ReadinessModel.MIN_REFIT_INTERVAL.toNanos());
      model.recordReady(CAT, Duration.ZERO, duration(planned));
    }

    assertThat(seconds(model.summary(CAT).orElseThrow().median())).isGreaterThan(planned / 2);
  }

  /** {@code sessions} sessions one after another, each READY {@code readyAfter} after create. */
  private Figures run(double readyAfter, int sessions) {
    double[] lateness = new double[sessions];
    double[] reads = new double[sessions];
    for (int s = 0; s < sessions; s++) {
      double notReadyAt = 0;
      double sent = seconds(model.nextReadAfter(CAT, duration(WAIT_STARTS), 0));
      int n = 1;
      while (sent + ROUND_TRIP / 2 < readyAfter) {
        notReadyAt = sent + ROUND_TRIP / 2;
        // The poller sends no read before the last one's answer, nor within MIN_GAP of it.
        double earliest = sent + seconds(ReadinessModel.MIN_GAP);
        sent = Math.max(earliest, seconds(model.nextReadAfter(CAT, duration(notReadyAt), n)));
        n++;
      }
      double seen = sent + ROUND_TRIP / 2;
      model.recordReady(CAT, duration(notReadyAt), duration(seen));
      lateness[s] = sent + ROUND_TRIP - readyAfter;
      reads[s] = n;
      nanos.addAndGet(duration(sent + ROUND_TRIP + BETWEEN_SESSIONS).toNanos());
    }
    return new Figures(lateness, reads);
  }

  /** Lateness here: from READY to the answer of the read that saw it, as the poller notices. */
  private static final class Figures {
    private final double[] lateness;
    private final double[] reads;

    Figures(double[] lateness, double[] reads) {
      this.lateness = lateness;
      this.reads = reads;
    }

    double latenessMillis(double p) {
      double[] sorted = lateness.clone();
      Arrays.sort(sorted);
      return 1000 * sorted[(int) Math.round(p * (sorted.length - 1))];
    }

    double meanReads() {
      return Arrays.stream(reads).average().orElseThrow();
    }

    @Override
    public String toString() {
      return String.format(
          "noticed p50 %.1f ms, p90 %.1f ms after READY; %.3f reads per session",
          latenessMillis(0.5), latenessMillis(0.9), meanReads());
    }
  }

  private static double seconds(Duration d) {
    return ModelSimulation.seconds(d);
  }

  private static Duration duration(double seconds) {
    return ModelSimulation.duration(seconds);
  }
}
