package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.ReadinessConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Sessions of one avatar read by the model alone, on simulated time: each session's READY instant
 * is drawn, the model proposes reads until one comes at or after it, and what the reads saw is fed
 * back. Reads take no time, so lateness is the read instant minus the READY instant. Deterministic
 * for a given seed.
 */
final class ModelSimulation {
  static final String AVATAR = "cat-character";

  /** Far past every READY drawn here: a session is never given up. */
  private static final int MAX_READS = 10_000;

  /** Seeds where live samples are drawn. */
  static final long SEED = 42;

  private ModelSimulation() {}

  /** READY log-normal with this median (seconds) and σ. */
  static DoubleSupplier logNormal(Random random, double median, double sigma) {
    return () -> median * Math.exp(sigma * random.nextGaussian());
  }

  /** READY uniform between these (seconds). */
  static DoubleSupplier uniform(Random random, double min, double max) {
    return () -> min + (max - min) * random.nextDouble();
  }

  /**
   * Runs {@code warmUp} sessions, then measures {@code measured} more.
   *
   * @param readyAfter draws a session's time to READY, in seconds
   */
  static Figures run(ReadinessConfig config, DoubleSupplier readyAfter, int warmUp, int measured) {
    AtomicLong nanos = new AtomicLong();
    ReadinessModel model =
        new ReadinessModel(config, Runnable::run, new Random(SEED)::nextDouble, nanos::get);
    return run(model, readyAfter, warmUp, measured, nanos);
  }

  /**
   * @param nanos the model's time: the sessions follow one another, each starting when the last was
   *     noticed READY
   */
  static Figures run(
      ReadinessModel model, DoubleSupplier readyAfter, int warmUp, int measured, AtomicLong nanos) {
    double[] lateness = new double[measured];
    double[] reads = new double[measured];
    double[] readsPerSecond = new double[measured];
    for (int s = 0; s < warmUp + measured; s++) {
      double ready = readyAfter.getAsDouble();
      double notReadyAt = 0;
      double readAt;
      int n = 0;
      while (true) {
        readAt = seconds(model.nextReadAfter(AVATAR, duration(notReadyAt), n));
        n++;
        if (readAt >= ready || n >= MAX_READS) {
          break;
        }
        notReadyAt = readAt;
      }
      nanos.addAndGet(duration(readAt).toNanos());
      model.recordReady(AVATAR, duration(n == 1 ? 0 : notReadyAt), duration(readAt));
      if (s >= warmUp) {
        int m = s - warmUp;
        lateness[m] = readAt - ready;
        reads[m] = n;
        readsPerSecond[m] = n / readAt;
      }
    }
    return new Figures(lateness, reads, readsPerSecond);
  }

  /** What the measured sessions saw. */
  static final class Figures {
    private final double[] lateness;
    private final double[] reads;
    private final double[] readsPerSecond;

    Figures(double[] lateness, double[] reads, double[] readsPerSecond) {
      this.lateness = lateness;
      this.reads = reads;
      this.readsPerSecond = readsPerSecond;
    }

    double latenessMillis(double p) {
      double[] sorted = lateness.clone();
      Arrays.sort(sorted);
      double position = p * (sorted.length - 1);
      int below = (int) Math.floor(position);
      int above = Math.min(below + 1, sorted.length - 1);
      return 1000 * (sorted[below] + (position - below) * (sorted[above] - sorted[below]));
    }

    double meanReads() {
      return Arrays.stream(reads).average().orElseThrow();
    }

    /** Reads ÷ time waited, averaged over the sessions (as the readiness benchmark counts). */
    double meanReadsPerSecond() {
      return Arrays.stream(readsPerSecond).average().orElseThrow();
    }

    @Override
    public String toString() {
      return String.format(
          "lateness p50 %.0f ms, p90 %.0f ms; %.2f reads per session; %.2f reads per second"
              + " of waiting",
          latenessMillis(0.5), latenessMillis(0.9), meanReads(), meanReadsPerSecond());
    }
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  static Duration duration(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
