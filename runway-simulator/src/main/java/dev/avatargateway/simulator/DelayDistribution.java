package dev.avatargateway.simulator;

import dev.avatargateway.simulator.internal.DelayParsing;
import dev.avatargateway.simulator.internal.Durations;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long something takes in simulated time, e.g. provisioning from {@code NOT_READY} to {@code
 * READY}. Samples are never negative. Each variant's {@code toString()} prints the syntax {@link
 * #parse} reads.
 */
public sealed interface DelayDistribution {

  /** Draws one delay. */
  Duration sample(RandomGenerator random);

  /** Always the same delay. */
  static DelayDistribution fixed(Duration delay) {
    return new Fixed(delay);
  }

  /**
   * Uniformly distributed between {@code min} and {@code max} (both inclusive, millisecond grain).
   */
  static DelayDistribution uniform(Duration min, Duration max) {
    return new Uniform(min, max);
  }

  /**
   * Log-normal with the given median and shape {@code sigma} (standard deviation of the underlying
   * normal, e.g. 0.5): a long right tail, as real provisioning times tend to have.
   */
  static DelayDistribution logNormal(Duration median, double sigma) {
    return new LogNormal(median, sigma);
  }

  /**
   * Parses {@code "1500ms"}, {@code "2s"}, {@code "uniform(1s,3s)"} or {@code
   * "lognormal(1500ms,0.5)"} (durations as in {@code 250ms}, {@code 1.5s}, {@code 5m}, {@code
   * PT2S}).
   *
   * @throws SimulatorException when the text is not in one of these forms
   */
  static DelayDistribution parse(String text) {
    return DelayParsing.parse(text);
  }

  /** A constant delay. */
  record Fixed(Duration delay) implements DelayDistribution {
    public Fixed {
      Durations.requireNonNegative(delay, "delay");
    }

    @Override
    public Duration sample(RandomGenerator random) {
      return delay;
    }

    @Override
    public String toString() {
      return Durations.format(delay);
    }
  }

  /** A delay uniformly distributed between {@code min} and {@code max}. */
  record Uniform(Duration min, Duration max) implements DelayDistribution {
    public Uniform {
      Durations.requireNonNegative(min, "min");
      Durations.requireNonNegative(max, "max");
      if (max.compareTo(min) < 0) {
        throw new SimulatorException("uniform: max must not be less than min");
      }
    }

    @Override
    public Duration sample(RandomGenerator random) {
      long span = max.toMillis() - min.toMillis();
      return min.plusMillis(span == 0 ? 0 : random.nextLong(span + 1));
    }

    @Override
    public String toString() {
      return "uniform(" + Durations.format(min) + "," + Durations.format(max) + ")";
    }
  }

  /** A log-normally distributed delay with the given median and shape. */
  record LogNormal(Duration median, double sigma) implements DelayDistribution {
    public LogNormal {
      Durations.requireNonNegative(median, "median");
      if (!(sigma >= 0) || Double.isInfinite(sigma)) {
        throw new SimulatorException("lognormal: sigma must be a finite number >= 0");
      }
    }

    @Override
    public Duration sample(RandomGenerator random) {
      double millis = median.toMillis() * Math.exp(sigma * random.nextGaussian());
      // Caps the tail so that a large sigma cannot overflow Duration arithmetic downstream.
      return Duration.ofMillis(Math.round(Math.min(millis, Durations.MAX_SAMPLE_MILLIS)));
    }

    @Override
    public String toString() {
      return "lognormal(" + Durations.format(median) + "," + sigma + ")";
    }
  }
}
