package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration problems so that start-up names all of them at once rather than one per
 * attempt. Checks of gateway-core's sections stop at their first problem, so each contributes at
 * most one.
 */
final class Problems {
  private final List<ConfigException> found = new ArrayList<>();

  /** Records a problem of this setting. */
  void add(String setting, String problem) {
    found.add(new ConfigException(setting, problem));
  }

  /** Records a problem already described. */
  void add(ConfigException problem) {
    found.add(problem);
  }

  /** Runs a check that throws at its first problem, recording that problem. */
  void check(Runnable check) {
    try {
      check.run();
    } catch (ConfigException e) {
      found.add(e);
    }
  }

  /** Whether nothing was found. */
  boolean none() {
    return found.isEmpty();
  }

  /** Every problem so far. */
  List<ConfigException> all() {
    return List.copyOf(found);
  }

  /**
   * @throws InvalidSettingsException naming every problem, if any was found
   */
  void throwIfAny() {
    if (!found.isEmpty()) {
      throw new InvalidSettingsException(found);
    }
  }
}
