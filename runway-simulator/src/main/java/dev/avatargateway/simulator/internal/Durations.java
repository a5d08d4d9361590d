package dev.avatargateway.simulator.internal;

import dev.avatargateway.simulator.SimulatorException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints the compact duration syntax used by the CLI, the admin HTTP API and {@code
 * DelayDistribution.parse}: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h}, or
 * ISO-8601 ({@code PT2S}).
 */
public final class Durations {
  private static final Pattern COMPACT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
  private static final long MILLIS_PER_SECOND = 1_000;

  /**
   * Upper bound for sampled delays, in milliseconds. One day is far beyond every window the
   * simulator models, yet safe to add to any Instant, so a wild log-normal tail cannot overflow.
   */
  public static final double MAX_SAMPLE_MILLIS = Duration.ofDays(1).toMillis();

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws SimulatorException when the text is not a non-negative duration in a known syntax
   */
  public static Duration parse(String text) {
    String trimmed = text.strip();
    if (trimmed.regionMatches(true, 0, "PT", 0, 2)) {
      try {
        return requireNonNegative(Duration.parse(trimmed.toUpperCase(Locale.ROOT)), text);
      } catch (DateTimeParseException e) {
        throw new SimulatorException("Not a duration: '" + text + "'", e);
      }
    }
    Matcher m = COMPACT.matcher(trimmed);
    if (!m.matches()) {
      throw new SimulatorException(
          "Not a duration: '" + text + "' (use e.g. 1500ms, 2s, 1.5s, 5m, 1h or PT2S)");
    }
    double amount = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> amount;
          case "s" -> amount * MILLIS_PER_SECOND;
          case "m" -> amount * Duration.ofMinutes(1).toMillis();
          case "h" -> amount * Duration.ofHours(1).toMillis();
          default -> throw new AssertionError(m.group(2));
        };
    return Duration.ofMillis(Math.round(millis));
  }

  /** Prints a duration in the compact syntax {@link #parse} accepts, e.g. {@code 1500ms}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % MILLIS_PER_SECOND == 0) {
      return millis / MILLIS_PER_SECOND + "s";
    }
    return millis + "ms";
  }

  /**
   * Returns {@code d} when it is a valid non-negative duration.
   *
   * @throws SimulatorException when {@code d} is null or negative
   */
  public static Duration requireNonNegative(Duration d, String what) {
    if (d == null) {
      throw new SimulatorException(what + " must not be null");
    }
    if (d.isNegative()) {
      throw new SimulatorException(what + " must not be negative: " + d);
    }
    return d;
  }
}
