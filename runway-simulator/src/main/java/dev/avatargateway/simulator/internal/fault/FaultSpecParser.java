package dev.avatargateway.simulator.internal.fault;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.SimulatorException;
import dev.avatargateway.simulator.internal.Durations;
import java.util.Locale;

/** Reads the compact fault syntax documented on {@link FaultRule#parse(String)}. */
public final class FaultSpecParser {
  private FaultSpecParser() {}

  /**
   * Parses one rule.
   *
   * @throws SimulatorException when the text does not follow the syntax
   */
  public static FaultRule parse(String spec) {
    String[] parts = spec.strip().split(":", 3);
    if (parts.length < 2) {
      throw bad(spec, "expected <route>:<status|reset|hang>[:options]");
    }
    FaultRule.Builder b = FaultRule.builder().route(route(parts[0], spec));
    String kind = parts[1].strip().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "reset" -> b.reset();
      case "hang" -> b.hang();
      default -> b.status(integer(kind, spec));
    }
    if (parts.length == 3) {
      for (String option : parts[2].split(",", -1)) {
        applyOption(b, option.strip(), spec);
      }
    }
    try {
      return b.build();
    } catch (SimulatorException e) {
      throw new SimulatorException("Bad fault '" + spec + "': " + e.getMessage(), e);
    }
  }

  private static void applyOption(FaultRule.Builder b, String option, String spec) {
    int eq = option.indexOf('=');
    if (eq < 0) {
      if (option.equalsIgnoreCase("after-commit")) {
        b.afterCommit(true);
      } else {
        b.probability(decimal(option, spec));
      }
      return;
    }
    String key = option.substring(0, eq).strip().toLowerCase(Locale.ROOT);
    String value = option.substring(eq + 1).strip();
    switch (key) {
      case "p", "probability" -> b.probability(decimal(value, spec));
      case "times" -> b.times(integer(value, spec));
      case "retry-after" -> b.retryAfter(RetryAfter.seconds(integer(value, spec)));
      case "retry-after-ms" -> b.retryAfter(RetryAfter.millis(integer(value, spec)));
      case "retry-after-date" -> b.retryAfter(RetryAfter.httpDate(Durations.parse(value)));
      case "should-retry" -> b.shouldRetry(bool(value, spec));
      case "after-commit" -> b.afterCommit(bool(value, spec));
      default -> throw bad(spec, "unknown option '" + key + "'");
    }
  }

  private static Route route(String text, String spec) {
    String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return Route.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw bad(spec, "unknown route '" + text + "'");
    }
  }

  private static int integer(String text, String spec) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw bad(spec, "not an integer: '" + text + "'");
    }
  }

  private static double decimal(String text, String spec) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw bad(spec, "not a number: '" + text + "'");
    }
  }

  private static boolean bool(String text, String spec) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(spec, "not a boolean: '" + text + "'");
    };
  }

  private static SimulatorException bad(String spec, String why) {
    return new SimulatorException("Bad fault '" + spec + "': " + why);
  }
}
