package dev.avatargateway.spring;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.runway.RunwayClient;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the starter reaches Runway ({@code runway.*}). {@code toString()} never shows the secret.
 *
 * @param apiSecret the Runway API secret (better from the environment: {@code RUNWAY_API_SECRET},
 *     Spring's relaxed binding); required unless {@link #simulated()}
 * @param baseUrl Runway's API; default {@code https://api.dev.runwayml.com}
 * @param requestTimeout the time-out of each upstream attempt; default 10 s, as the gateway's
 *     {@code runway.requestTimeout}: every call the flow makes answers in well under a second when
 *     healthy, and the connect deadline bounds the whole
 * @param maxRetries retries of a failed upstream attempt; default 2, as the official SDKs
 * @param maxConnections the most requests in flight to Runway at once; default 64 (runway-client's)
 * @param simulated whether {@link #baseUrl()} is the Runway simulator (no money at stake:
 *     authentication may stay {@code none}); default false. The test support sets it
 */
@ConfigurationProperties("runway")
public record RunwayProperties(
    String apiSecret,
    URI baseUrl,
    Duration requestTimeout,
    Integer maxRetries,
    Integer maxConnections,
    Boolean simulated) {

  /** See {@link #requestTimeout()}. */
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** More retries only multiply the load on an upstream that is already failing. */
  private static final int MAX_RETRIES = 10;

  /** Beyond this one process would hold many sockets for no gain: status reads take ms. */
  private static final int MAX_CONNECTIONS = 1_000;

  /** Fills in defaults. */
  public RunwayProperties {
    apiSecret = apiSecret == null || apiSecret.isBlank() ? null : apiSecret.trim();
    baseUrl = baseUrl == null ? RunwayClient.DEFAULT_BASE_URL : baseUrl;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    maxRetries = maxRetries == null ? RunwayClient.DEFAULT_MAX_RETRIES : maxRetries;
    maxConnections = maxConnections == null ? RunwayClient.DEFAULT_MAX_CONNECTIONS : maxConnections;
    simulated = simulated != null && simulated;
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting
   */
  public void validate() {
    if (apiSecret == null && !simulated) {
      throw new ConfigException(
          "runway.api-secret (RUNWAY_API_SECRET)",
          "is required to reach Runway; in tests use @AutoConfigureRunwaySimulator");
    }
    if (!baseUrl.isAbsolute()
        || !("https".equals(baseUrl.getScheme()) || "http".equals(baseUrl.getScheme()))
        || baseUrl.getHost() == null) {
      throw new ConfigException("runway.base-url", "must be an absolute http(s) URL");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new ConfigException("runway.request-timeout", "must be positive");
    }
    if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
      throw new ConfigException(
          "runway.max-retries", "must be 0 to " + MAX_RETRIES + ", was " + maxRetries);
    }
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
      throw new ConfigException(
          "runway.max-connections", "must be 1 to " + MAX_CONNECTIONS + ", was " + maxConnections);
    }
  }

  @Override
  public String toString() {
    return "RunwayProperties[apiSecret="
        + (apiSecret == null ? "unset" : "***")
        + ", baseUrl="
        + baseUrl
        + ", simulated="
        + simulated
        + "]";
  }
}
