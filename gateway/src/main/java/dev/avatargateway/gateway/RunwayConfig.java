package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.runway.RunwayClient;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway reaches Runway. The API secret is not a setting of the file: it comes only from
 * the environment variable {@code RUNWAYML_API_SECRET}, so that it never sits in a config file or
 * in {@code --help} output. Without it the gateway runs against an in-process simulator.
 *
 * @param baseUrl Runway's API (env {@code RUNWAYML_BASE_URL}); default {@code
 *     https://api.dev.runwayml.com}, or the embedded simulator when no secret is set
 * @param requestTimeout the time-out of each upstream attempt; default 10 s: every Runway call the
 *     flow makes answers in well under a second when healthy, and the connect deadline bounds the
 *     whole
 * @param maxRetries retries of a failed upstream attempt (create follows stricter rules, see
 *     runway-client); default 2, as the official SDKs
 * @param simulatedReadyAfter with the embedded simulator: how long sessions take to become READY (a
 *     delay or a distribution: {@code 1500ms}, {@code uniform(1s,3s)}); default {@code 1500ms}
 */
public record RunwayConfig(
    URI baseUrl, Duration requestTimeout, Integer maxRetries, String simulatedReadyAfter) {

  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final String DEFAULT_SIMULATED_READY_AFTER = "1500ms";

  /** Fills in defaults. */
  public RunwayConfig {
    baseUrl = baseUrl == null ? RunwayClient.DEFAULT_BASE_URL : baseUrl;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    maxRetries = maxRetries == null ? RunwayClient.DEFAULT_MAX_RETRIES : maxRetries;
    simulatedReadyAfter =
        simulatedReadyAfter == null ? DEFAULT_SIMULATED_READY_AFTER : simulatedReadyAfter;
  }

  /** Every default. */
  public static RunwayConfig defaults() {
    return new RunwayConfig(null, null, null, null);
  }

  void validate() {
    if (!baseUrl.isAbsolute()
        || !("https".equals(baseUrl.getScheme()) || "http".equals(baseUrl.getScheme()))) {
      throw new ConfigException(
          "runway.baseUrl (RUNWAYML_BASE_URL)", "must be an absolute http(s) URL, was " + baseUrl);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new ConfigException("runway.requestTimeout", "must be positive");
    }
    if (maxRetries < 0 || maxRetries > 10) {
      throw new ConfigException("runway.maxRetries", "must be 0 to 10, was " + maxRetries);
    }
    Objects.requireNonNull(simulatedReadyAfter);
  }
}
