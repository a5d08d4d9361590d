package dev.avatargateway.simulator.internal;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SimulatorException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the text form of {@link DelayDistribution}s (see {@link DelayDistribution#parse}). */
public final class DelayParsing {
  private static final Pattern FUNCTION = Pattern.compile("([a-zA-Z]+)\\(([^,]+),([^,]+)\\)");

  private DelayParsing() {}

  /**
   * Parses a distribution.
   *
   * @throws SimulatorException when the text is neither a duration nor a known distribution
   */
  public static DelayDistribution parse(String text) {
    Matcher m = FUNCTION.matcher(text.strip());
    if (!m.matches()) {
      return DelayDistribution.fixed(Durations.parse(text));
    }
    String a = m.group(2).strip();
    String b = m.group(3).strip();
    return switch (m.group(1).toLowerCase(Locale.ROOT)) {
      case "uniform" -> DelayDistribution.uniform(Durations.parse(a), Durations.parse(b));
      case "lognormal" -> {
        try {
          yield DelayDistribution.logNormal(Durations.parse(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
          throw new SimulatorException("Not a sigma: '" + b + "' in '" + text + "'", e);
        }
      }
      default -> throw new SimulatorException("Unknown distribution in '" + text + "'");
    };
  }
}
