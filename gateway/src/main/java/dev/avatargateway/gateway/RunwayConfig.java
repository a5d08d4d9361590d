package dev.avatargateway.gateway;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.SimulatorException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How the gateway reaches Runway. The API secret is not a setting of the file: it comes only from
 * the environment variable {@code RUNWAYML_API_SECRET}, so that it never sits in a config file or
 * in {@code --help} output.
 *
 * @param mode {@code auto} (default: the embedded simulator without {@code RUNWAYML_API_SECRET},
 *     Runway with it), {@code real} (Runway; start-up fails without the secret) or {@code
 *     simulated} (the embedded simulator, even with a secret set, which is then never sent
 *     anywhere); env {@code GATEWAY_RUNWAY_MODE}
 * @param baseUrl Runway's API (env {@code RUNWAYML_BASE_URL}); default {@code
 *     https://api.dev.runwayml.com}; ignored with the embedded simulator
 * @param requestTimeout the time-out of each upstream attempt; default 10 s: every Runway call the
 *     flow makes answers in well under a second when healthy, and the connect deadline bounds the
 *     whole
 * @param maxRetries retries of a failed upstream attempt (create follows stricter rules, see
 *     runway-client); default 2, as the official SDKs
 * @param simulatedReadyAfter with the embedded simulator: how long sessions take to become READY (a
 *     delay or a distribution: {@code 1500ms}, {@code uniform(1s,3s)}); default {@code 1500ms}
 * @param maxConnections the most requests in flight to Runway at once, and so (HTTP/1.1) the most
 *     connections, however many connects wait; further calls queue within their deadline; default
 *     64 (runway-client's: Runway documents no requests-per-minute limit, and a few dozen
 *     keep-alive connections carry thousands of status reads a second)
 */
public record RunwayConfig(
    Mode mode,
    URI baseUrl,
    Duration requestTimeout,
    Integer maxRetries,
    String simulatedReadyAfter,
    Integer maxConnections) {

  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final String DEFAULT_SIMULATED_READY_AFTER = "1500ms";

  /**
   * Beyond this one gateway would hold a large share of the 20,000 open files a process may have
   * here, for no gain: status reads take milliseconds.
   */
  private static final int MAX_CONNECTIONS = 1_000;

  /** More retries only multiply the load on an upstream that is already failing. */
  private static final int MAX_RETRIES = 10;

  /** Fills in defaults. */
  public RunwayConfig {
    mode = mode == null ? Mode.AUTO : mode;
    baseUrl = baseUrl == null ? RunwayClient.DEFAULT_BASE_URL : baseUrl;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    maxRetries = maxRetries == null ? RunwayClient.DEFAULT_MAX_RETRIES : maxRetries;
    simulatedReadyAfter =
        simulatedReadyAfter == null ? DEFAULT_SIMULATED_READY_AFTER : simulatedReadyAfter;
    maxConnections = maxConnections == null ? RunwayClient.DEFAULT_MAX_CONNECTIONS : maxConnections;
  }

  /** Every default. */
  public static RunwayConfig defaults() {
    return new RunwayConfig(null, null, null, null, null, null);
  }

  /**
   * Whether the gateway runs against the embedded simulator.
   *
   * @param secretSet whether {@code RUNWAYML_API_SECRET} is set
   */
  public boolean simulated(boolean secretSet) {
    return switch (mode) {
      case AUTO -> !secretSet;
      case REAL -> false;
      case SIMULATED -> true;
    };
  }

  /**
   * How long the embedded simulator's sessions take to become READY.
   *
   * @throws ConfigException naming {@code runway.simulatedReadyAfter} when it cannot be read
   */
  public DelayDistribution readyAfter() {
    try {
      return DelayDistribution.parse(simulatedReadyAfter);
    } catch (SimulatorException | IllegalArgumentException e) {
      throw new ConfigException(
          "runway.simulatedReadyAfter",
          "must be a delay (1500ms) or a distribution (uniform(1s,3s), lognormal(1500ms,0.5)), was '"
              + simulatedReadyAfter
              + "' ("
              + e.getMessage()
              + ")");
    }
  }

  /**
   * Records every problem of this section.
   *
   * @param secretSet whether {@code RUNWAYML_API_SECRET} is set
   */
  void validate(Problems problems, boolean secretSet) {
    if (mode == Mode.REAL && !secretSet) {
      problems.add(
          "runway.mode (GATEWAY_RUNWAY_MODE)",
          "is real, which needs RUNWAYML_API_SECRET: set it, or use auto or simulated");
    }
    if (!baseUrl.isAbsolute()
        || !("https".equals(baseUrl.getScheme()) || "http".equals(baseUrl.getScheme()))
        || baseUrl.getHost() == null) {
      problems.add(
          "runway.baseUrl (RUNWAYML_BASE_URL)", "must be an absolute http(s) URL, was " + baseUrl);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      problems.add("runway.requestTimeout", "must be positive");
    }
    if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
      problems.add("runway.maxRetries", "must be 0 to " + MAX_RETRIES + ", was " + maxRetries);
    }
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
      problems.add(
          "runway.maxConnections", "must be 1 to " + MAX_CONNECTIONS + ", was " + maxConnections);
    }
    problems.check(this::readyAfter);
  }

  /** Which upstream the gateway talks to. */
  public enum Mode {
    /** The embedded simulator without {@code RUNWAYML_API_SECRET}, Runway with it. */
    AUTO("auto"),
    /** Runway; start-up fails without {@code RUNWAYML_API_SECRET}. */
    REAL("real"),
    /** The embedded simulator, whatever the environment holds. */
    SIMULATED("simulated");

    private final String value;

    Mode(String value) {
      this.value = value;
    }

    /** The YAML spelling: {@code auto}, {@code real} or {@code simulated}. */
    @JsonValue
    public String value() {
      return value;
    }

    /**
     * Reads the YAML spelling (case-insensitive).
     *
     * @throws ConfigException for any other value
     */
    @JsonCreator
    public static Mode of(String value) {
      String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      for (Mode mode : values()) {
        if (mode.value.equals(wanted)) {
          return mode;
        }
      }
      throw new ConfigException(
          "runway.mode (GATEWAY_RUNWAY_MODE)",
          "must be auto, real or simulated, was '" + value + "'");
    }
  }
}
