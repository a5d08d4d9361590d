package dev.avatargateway.gateway.bench;

import java.util.Arrays;
import java.util.Locale;

/** Nearest-rank percentiles of durations given in nanoseconds, printed in milliseconds. */
final class Distribution {
  private static final double NANOS_PER_MILLI = 1_000_000.0;
  private static final double P50 = 0.50;
  private static final double P99 = 0.99;

  private final long[] sortedNanos;

  private Distribution(long[] sortedNanos) {
    this.sortedNanos = sortedNanos;
  }

  static Distribution of(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Distribution(sorted);
  }

  /** The nearest-rank percentile {@code p} (0 to 1) in milliseconds; NaN when empty. */
  double percentileMillis(double p) {
    int n = sortedNanos.length;
    if (n == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(n - 1, Math.ceil(p * n) - 1);
    return sortedNanos[Math.max(0, index)] / NANOS_PER_MILLI;
  }

  /** The largest value in milliseconds; NaN when empty. */
  double maxMillis() {
    return sortedNanos.length == 0
        ? Double.NaN
        : sortedNanos[sortedNanos.length - 1] / NANOS_PER_MILLI;
  }

  /** {@code p50 1.23 ms, p99 4.56 ms, max 7.89 ms}. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "p50 %8.2f ms, p99 %8.2f ms, max %8.2f ms",
        percentileMillis(P50),
        percentileMillis(P99),
        maxMillis());
  }
}
