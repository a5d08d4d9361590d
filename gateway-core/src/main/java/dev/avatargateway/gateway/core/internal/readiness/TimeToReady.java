package dev.avatargateway.gateway.core.internal.readiness;

import java.util.Arrays;

/**
 * An avatar's time from create to READY, fitted to its recent samples: a smoothed empirical
 * distribution, with a log-normal kernel on each sample. Times are in seconds.
 *
 * <p>Why this shape: provisioning times are positive with a right tail, so the fit works on {@code
 * ln t}, where such times look roughly normal. A single log-normal (fitted by the median and MAD of
 * {@code ln t}) would be simpler, but it bends every avatar into one shape: READY times spread
 * uniformly from 1 to 10 s would get a tail far past 10 s and too little weight near 10 s, where
 * READY is then certain. A kernel on each sample follows whatever shape the samples have, and for
 * log-normal samples it is itself close to a log-normal.
 *
 * <p>The fit, in {@code ln t}:
 *
 * <ol>
 *   <li>Outliers out: samples more than {@value #TRIM} robust standard deviations ({@code 1.4826 ×
 *       MAD}) from the median are dropped, so a session that took 30 s among ones that take 1.5 s
 *       does not widen the fit; the back-off after the plan reaches such sessions anyway.
 *   <li>The spread {@code s}: the smaller of the standard deviation and {@code IQR / 1.349}
 *       (robust, and not fooled by two clusters), at least {@value #MIN_LOG_SPREAD}.
 *   <li>The kernel width {@code h = 0.9 s n^-1/5} (Silverman's rule), at least {@value
 *       #MIN_LOG_SPREAD}.
 *   <li>The samples are pulled towards their mean by {@code 1 / sqrt(1 + h²/s²)}, so that the
 *       kernels do not make the fit wider than the samples are (Jones' variance correction).
 * </ol>
 *
 * <p>Then {@code F(t) = mean_i Φ((ln t − l_i) / h)} and the partial mean {@code E[T; T ≤ t] =
 * mean_i exp(l_i + h²/2) Φ((ln t − l_i − h²) / h)}, both exact.
 */
final class TimeToReady {
  /** Samples this many robust standard deviations from the median are outliers. */
  static final double TRIM = 4;

  /**
   * The narrowest spread in {@code ln t}, 2%: 30 ms at 1.5 s, about what a status read's own timing
   * blurs (its round trip, the scheduler's wake-up). A fixed provisioning time then still gets a
   * few reads around it rather than one bet on a single instant.
   */
  static final double MIN_LOG_SPREAD = 0.02;

  /** The shortest time a sample may say: {@code ln 0} is not a number. */
  static final double MIN_SECONDS = 0.001;

  /** Points of the table {@link #quantile} inverts. */
  private static final int QUANTILE_TABLE = 512;

  /** How many kernel widths the quantile table reaches beyond the outermost samples. */
  private static final double TABLE_REACH = 6;

  /** Silverman's rule of thumb for a Gaussian kernel. */
  private static final double SILVERMAN = 0.9;

  /** The IQR of a standard normal distribution. */
  private static final double NORMAL_IQR = 1.349;

  /** MAD × this estimates a normal distribution's standard deviation. */
  private static final double MAD_TO_SIGMA = 1.4826;

  private final double[] centres;

  /**
   * {@code exp(l_i + h²/2)} per kernel, the factors of {@link #partialMean}: computed once per fit
   * instead of once per kernel and call.
   */
  private final double[] kernelMeans;

  private final double width;
  private final double median;
  private final double spread;
  private final int used;
  private final double[] tableLogT;
  private final double[] tableCdf;

  private TimeToReady(double[] centres, double width, double median, double spread, int used) {
    this.centres = centres;
    this.width = width;
    this.median = median;
    this.spread = spread;
    this.used = used;
    double halfVariance = width * width / 2;
    this.kernelMeans = new double[centres.length];
    for (int i = 0; i < centres.length; i++) {
      kernelMeans[i] = Math.exp(centres[i] + halfVariance);
    }
    this.tableLogT = new double[QUANTILE_TABLE];
    this.tableCdf = new double[QUANTILE_TABLE];
    double from = centres[0] - TABLE_REACH * width;
    double to = centres[centres.length - 1] + TABLE_REACH * width;
    for (int k = 0; k < QUANTILE_TABLE; k++) {
      double logT = from + (to - from) * k / (QUANTILE_TABLE - 1);
      tableLogT[k] = logT;
      tableCdf[k] = cdfOfLog(logT);
    }
  }

  /**
   * Fits the samples.
   *
   * @param seconds times to READY, in seconds; at least two, none negative or NaN
   */
  static TimeToReady fit(double[] seconds) {
    if (seconds.length < 2) {
      throw new IllegalArgumentException("at least two samples, was " + seconds.length);
    }
    double[] logs = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      if (!(seconds[i] >= 0)) {
        throw new IllegalArgumentException("a sample must be a time >= 0, was " + seconds[i]);
      }
      logs[i] = Math.log(Math.max(seconds[i], MIN_SECONDS));
    }
    Arrays.sort(logs);
    double median = quantileOfSorted(logs, 0.5);
    double[] deviations = new double[logs.length];
    for (int i = 0; i < logs.length; i++) {
      deviations[i] = Math.abs(logs[i] - median);
    }
    Arrays.sort(deviations);
    double robustSigma = Math.max(MAD_TO_SIGMA * quantileOfSorted(deviations, 0.5), MIN_LOG_SPREAD);
    double[] kept =
        Arrays.stream(logs).filter(l -> Math.abs(l - median) <= TRIM * robustSigma).toArray();
    double mean = Arrays.stream(kept).average().orElse(median);
    double variance = Arrays.stream(kept).map(l -> (l - mean) * (l - mean)).sum() / kept.length;
    double iqr = quantileOfSorted(kept, 0.75) - quantileOfSorted(kept, 0.25);
    double spread = Math.max(Math.min(Math.sqrt(variance), iqr / NORMAL_IQR), MIN_LOG_SPREAD);
    double width = Math.max(SILVERMAN * spread * Math.pow(kept.length, -0.2), MIN_LOG_SPREAD);
    double shrink = 1 / Math.sqrt(1 + (width * width) / (spread * spread));
    double[] centres = new double[kept.length];
    for (int i = 0; i < kept.length; i++) {
      centres[i] = mean + (kept[i] - mean) * shrink;
    }
    return new TimeToReady(centres, width, Math.exp(median), spread, kept.length);
  }

  /** P(T ≤ t). */
  double cdf(double t) {
    return t <= 0 ? 0 : cdfOfLog(Math.log(t));
  }

  /** E[T; T ≤ t]: the mean of T over the sessions ready by t, times their share. */
  double partialMean(double t) {
    if (t <= 0) {
      return 0;
    }
    double logT = Math.log(t);
    double sum = 0;
    for (int i = 0; i < centres.length; i++) {
      sum += kernelMeans[i] * Gaussian.cdf((logT - centres[i] - width * width) / width);
    }
    return sum / centres.length;
  }

  /** The t with P(T ≤ t) = u, to the table's resolution (a fraction of a kernel width). */
  double quantile(double u) {
    if (!(u > 0 && u < 1)) {
      throw new IllegalArgumentException("u must be between 0 and 1, was " + u);
    }
    int k = Arrays.binarySearch(tableCdf, u);
    if (k >= 0) {
      return Math.exp(tableLogT[k]);
    }
    int above = -k - 1;
    if (above == 0) {
      return Math.exp(tableLogT[0]);
    }
    if (above == QUANTILE_TABLE) {
      return Math.exp(tableLogT[QUANTILE_TABLE - 1]);
    }
    double f0 = tableCdf[above - 1];
    double f1 = tableCdf[above];
    double fraction = f1 > f0 ? (u - f0) / (f1 - f0) : 0;
    return Math.exp(tableLogT[above - 1] + fraction * (tableLogT[above] - tableLogT[above - 1]));
  }

  /** The samples' median, in seconds (outliers included: the median does not mind them). */
  double median() {
    return median;
  }

  /** The samples' robust spread in {@code ln t} (about σ for log-normal samples). */
  double logSpread() {
    return spread;
  }

  /** How many samples the fit uses (outliers left out). */
  int samples() {
    return used;
  }

  private double cdfOfLog(double logT) {
    double sum = 0;
    for (double c : centres) {
      sum += Gaussian.cdf((logT - c) / width);
    }
    return sum / centres.length;
  }

  /** Linear interpolation between order statistics (type 7, as R and NumPy do by default). */
  private static double quantileOfSorted(double[] sorted, double p) {
    double position = p * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }
}
