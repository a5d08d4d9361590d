package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.PollSchedule;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The model's trade-off between lateness and reads, by Monte-Carlo on simulated time (see {@link
 * ModelSimulation}): deterministic, seeded, no wall time. The figures quoted in {@link
 * ReadinessModel}'s Javadoc come from here (printed with each run).
 */
class ReadinessSimulationTest {
  private static final long SEED = 1;
  private static final int WARM_UP = 40;
  private static final int MEASURED = 400;

  @Test
  void atTheDefaultFourReadsAPredictableAvatarIsNoticedAboutSeventyMillisecondsLate() {
    ModelSimulation.Figures f = logNormal(ReadinessConfig.defaults());

    assertThat(f.meanReads()).isLessThanOrEqualTo(4.0);
    assertThat(f.latenessMillis(0.5)).isLessThanOrEqualTo(80);
    assertThat(f.latenessMillis(0.9)).isLessThanOrEqualTo(180);
  }

  @Test
  void sixReadsMeetFiftyMillisecondsAtTheMedianAndAHundredAndFiftyAtP90() {
    ModelSimulation.Figures f = logNormal(ReadinessConfig.defaults().withReadsPerSession(6));

    assertThat(f.latenessMillis(0.5)).isLessThanOrEqualTo(50);
    assertThat(f.latenessMillis(0.9)).isLessThanOrEqualTo(150);
    assertThat(f.meanReads()).isLessThanOrEqualTo(6.0);
  }

  @Test
  void moreReadsBuyLessLateness() {
    double[] p50 = new double[4];
    double[] reads = new double[4];
    double[] settings = {3, 4, 5, 6};
    for (int i = 0; i < settings.length; i++) {
      ModelSimulation.Figures f =
          logNormal(ReadinessConfig.defaults().withReadsPerSession(settings[i]));
      p50[i] = f.latenessMillis(0.5);
      reads[i] = f.meanReads();
      // Each setting is what an average session costs, within a twentieth of a read.
      assertThat(reads[i]).isBetween(settings[i] - 0.05, settings[i] + 0.05);
    }
    double[] descending = p50.clone();
    Arrays.sort(descending);
    assertThat(p50).containsExactly(reverse(descending));
  }

  @Test
  void anUnpredictableAvatarCostsLessThanOneReadASecondOfWaiting() {
    for (double setting : new double[] {4, 6}) {
      ModelSimulation.Figures f =
          run(
              ReadinessConfig.defaults().withReadsPerSession(setting),
              ModelSimulation.uniform(new Random(SEED), 1, 10));
      System.out.printf("READY uniform(1 s, 10 s), %s reads per session: %s%n", setting, f);
      assertThat(f.meanReadsPerSecond()).isLessThanOrEqualTo(1.0);
      assertThat(f.meanReads()).isLessThanOrEqualTo(setting);
    }
  }

  @Test
  void aColdStartIsExactlyTheScheduleBeforeTheModel() {
    // Never more samples than the minimum: cold throughout.
    ReadinessConfig cold = new ReadinessConfig(null, null, null, null, null, 1024, 1024, null);
    ModelSimulation.Figures model =
        ModelSimulation.run(cold, ModelSimulation.logNormal(new Random(SEED), 1.5, 0.25), 0, 400);
    ModelSimulation.Figures before =
        pollScheduleDefaults(ModelSimulation.logNormal(new Random(SEED), 1.5, 0.25), 400);
    System.out.printf("READY log-normal(1.5 s, 0.25), cold: %s%n", model);

    assertThat(model.toString()).isEqualTo(before.toString());
    ModelSimulation.Figures warm = logNormal(ReadinessConfig.defaults());
    assertThat(warm.latenessMillis(0.5)).isLessThan(model.latenessMillis(0.5) / 4);
    assertThat(warm.meanReads()).isLessThan(model.meanReads());
  }

  private static ModelSimulation.Figures logNormal(ReadinessConfig config) {
    ModelSimulation.Figures f = run(config, ModelSimulation.logNormal(new Random(SEED), 1.5, 0.25));
    System.out.printf(
        "READY log-normal(1.5 s, 0.25), %s reads per session: %s%n", config.readsPerSession(), f);
    return f;
  }

  private static ModelSimulation.Figures run(ReadinessConfig config, DoubleSupplier readyAfter) {
    return ModelSimulation.run(config, readyAfter, WARM_UP, MEASURED);
  }

  /** What runway-client's default schedule does with the same sessions. */
  private static ModelSimulation.Figures pollScheduleDefaults(DoubleSupplier readyAfter, int n) {
    PollSchedule schedule = PollSchedule.defaults();
    double[] lateness = new double[n];
    double[] reads = new double[n];
    double[] perSecond = new double[n];
    for (int s = 0; s < n; s++) {
      double ready = readyAfter.getAsDouble();
      double at = 0;
      int check = 0;
      while (true) {
        at += ModelSimulation.seconds(schedule.delayBefore(check));
        check++;
        if (at >= ready) {
          break;
        }
      }
      lateness[s] = at - ready;
      reads[s] = check;
      perSecond[s] = check / at;
    }
    return new ModelSimulation.Figures(lateness, reads, perSecond);
  }

  private static double[] reverse(double[] a) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[a.length - 1 - i];
    }
    return r;
  }
}
