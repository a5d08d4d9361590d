package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.core.PropertyDefinerBase;
import dev.avatargateway.gateway.core.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The two logging settings, read from the environment (or system properties) by {@code logback.xml}
 * before anything else runs, so they cannot live in the YAML file:
 *
 * <ul>
 *   <li>{@value #FORMAT} ({@code json} by default, or {@code text}): JSON lines for machines, or a
 *       masked one-line text format for a person running the gateway locally;
 *   <li>{@value #LEVEL} ({@code INFO} by default; {@code TRACE}, {@code DEBUG}, {@code INFO},
 *       {@code WARN}, {@code ERROR}): the level of the gateway's own loggers ({@code
 *       dev.avatargateway}); libraries stay at {@code INFO}.
 * </ul>
 *
 * Logback cannot stop the process, so an invalid value falls back to the default with a logback
 * warning; {@link #validate(UnaryOperator)} lets start-up refuse it instead.
 */
public final class LogSettings {
  /** Environment variable (or system property) choosing the output format. */
  public static final String FORMAT = "LOG_FORMAT";

  /** Environment variable (or system property) choosing the gateway's log level. */
  public static final String LEVEL = "LOG_LEVEL";

  /** The default format: JSON lines, masked. */
  public static final String DEFAULT_FORMAT = "json";

  /** The default level of the gateway's loggers. */
  public static final String DEFAULT_LEVEL = "INFO";

  private static final Set<String> FORMATS = Set.of("json", "text");
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

  private LogSettings() {}

  /**
   * Refuses invalid logging settings, for start-up validation.
   *
   * @param environment looks up a variable, null when unset (e.g. {@code System::getenv})
   * @throws ConfigException naming {@value #FORMAT} or {@value #LEVEL} and what is allowed
   */
  public static void validate(UnaryOperator<String> environment) {
    List<ConfigException> problems = problems(environment);
    if (!problems.isEmpty()) {
      throw problems.getFirst();
    }
  }

  /**
   * Every invalid logging setting, for start-up validation that names all problems at once.
   *
   * @param environment looks up a variable, null when unset (e.g. {@code System::getenv})
   * @return one problem per invalid setting, naming it and what is allowed; empty when both are
   *     fine
   */
  public static List<ConfigException> problems(UnaryOperator<String> environment) {
    List<ConfigException> problems = new ArrayList<>();
    String format = environment.apply(FORMAT);
    if (format != null && normalizedFormat(format).isEmpty()) {
      problems.add(new ConfigException(FORMAT, "must be json or text, was \"" + format + "\""));
    }
    String level = environment.apply(LEVEL);
    if (level != null && normalizedLevel(level).isEmpty()) {
      problems.add(
          new ConfigException(
              LEVEL, "must be TRACE, DEBUG, INFO, WARN or ERROR, was \"" + level + "\""));
    }
    return List.copyOf(problems);
  }

  static Optional<String> normalizedFormat(String raw) {
    String format = raw.strip().toLowerCase(Locale.ROOT);
    return FORMATS.contains(format) ? Optional.of(format) : Optional.empty();
  }

  static Optional<String> normalizedLevel(String raw) {
    String level = raw.strip().toUpperCase(Locale.ROOT);
    return LEVELS.contains(level) ? Optional.of(level) : Optional.empty();
  }

  /**
   * Defines the {@code logFormat} variable of {@code logback.xml}: {@code json} or {@code text},
   * from the substituted {@code <value>}; anything else gives {@code json} and a warning, so a typo
   * never turns masking off or the output into nothing.
   */
  public static final class FormatDefiner extends PropertyDefinerBase {
    private String value = DEFAULT_FORMAT;

    /** Logback instantiates it by class name. */
    public FormatDefiner() {}

    /** The raw setting, e.g. {@code ${LOG_FORMAT:-json}}. */
    public void setValue(String value) {
      this.value = value;
    }

    @Override
    public String getPropertyValue() {
      return normalizedFormat(value)
          .orElseGet(
              () -> {
                addWarn(FORMAT + " must be json or text, was \"" + value + "\": using json");
                return DEFAULT_FORMAT;
              });
    }
  }

  /**
   * Defines the {@code gatewayLevel} variable of {@code logback.xml} from the substituted {@code
   * <value>}; anything but a level name gives {@code INFO} and a warning (logback itself would turn
   * an unknown name into {@code DEBUG}).
   */
  public static final class LevelDefiner extends PropertyDefinerBase {
    private String value = DEFAULT_LEVEL;

    /** Logback instantiates it by class name. */
    public LevelDefiner() {}

    /** The raw setting, e.g. {@code ${LOG_LEVEL:-INFO}}. */
    public void setValue(String value) {
      this.value = value;
    }

    @Override
    public String getPropertyValue() {
      return normalizedLevel(value)
          .orElseGet(
              () -> {
                addWarn(
                    LEVEL
                        + " must be TRACE, DEBUG, INFO, WARN or ERROR, was \""
                        + value
                        + "\": using INFO");
                return DEFAULT_LEVEL;
              });
    }
  }
}
