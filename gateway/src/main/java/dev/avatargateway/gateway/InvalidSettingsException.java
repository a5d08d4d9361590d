package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import java.io.Serial;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration cannot be run with: every problem found, each naming its setting. Start-up
 * stops with this (exit code 2 from {@link Main}), never with a stack trace.
 */
public final class InvalidSettingsException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable List.copyOf; exceptions are not serialized here
  private final List<ConfigException> problems;

  /**
   * @param problems at least one, in the order they were found
   */
  public InvalidSettingsException(List<ConfigException> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** One problem. */
  public static InvalidSettingsException of(ConfigException problem) {
    return new InvalidSettingsException(List.of(problem));
  }

  /** Every problem, each naming its setting. */
  public List<ConfigException> problems() {
    return problems;
  }

  /** The settings named, in order. */
  public List<String> settings() {
    return problems.stream().map(ConfigException::setting).toList();
  }

  private static String message(List<ConfigException> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems");
    }
    if (problems.size() == 1) {
      return problems.getFirst().getMessage();
    }
    return problems.size()
        + " settings are invalid:"
        + problems.stream()
            .map(ConfigException::getMessage)
            .collect(
                Collectors.joining(
                    System.lineSeparator() + "  ", System.lineSeparator() + "  ", ""));
  }
}
