package dev.avatargateway.gateway.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in configuration: {@code 1500ms}, {@code 30s}, {@code 1.5s},
 * {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT30S}).
 */
public final class Durations {
  private static final Pattern HUMAN = Pattern.compile("^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parse(String text) {
    String value = text.trim();
    Matcher m = HUMAN.matcher(value);
    if (m.matches()) {
      BigDecimal amount = new BigDecimal(m.group(1));
      BigDecimal millis =
          switch (m.group(2)) {
            case "ms" -> amount;
            case "s" -> amount.movePointRight(3);
            case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
            default -> amount.multiply(BigDecimal.valueOf(3_600_000));
          };
      return Duration.ofMillis(millis.longValue());
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use 1500ms, 30s, 1.5s, 5m, 1h or ISO-8601 (PT30S)", e);
    }
  }

  /** The shortest of {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h} that is exact. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0 && millis != 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis != 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
