package dev.avatargateway.gateway.core;

/**
 * A setting has a value the gateway cannot run with. The message names the setting (as its YAML
 * path, and its environment variable where it has one) and what is allowed; it stops start-up.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the setting's path, e.g. {@code rateLimit.perPrincipal.capacity}
   * @param problem what is wrong and what is allowed, e.g. "must be a positive whole number, was
   *     -1"
   */
  public ConfigException(String setting, String problem) {
    super("Invalid setting " + setting + ": " + problem);
    this.setting = setting;
  }

  /** The offending setting's path. */
  public String setting() {
    return setting;
  }
}
