package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.OriginPolicy;
import java.time.Duration;
import java.util.List;

/**
 * Cross-origin access. The docs recommend a same-origin endpoint (client-contract.md §6.13); when
 * the page is elsewhere, list its origin here.
 *
 * @param allowedOrigins exact origins ({@code https://app.example.com}) allowed to call; default
 *     none, so no CORS headers are sent (env {@code GATEWAY_CORS_ORIGINS}, comma-separated)
 * @param maxAge how long browsers may cache a preflight answer; default 10 min
 */
public record CorsConfig(List<String> allowedOrigins, Duration maxAge) {
  static final Duration DEFAULT_MAX_AGE = OriginPolicy.DEFAULT_PREFLIGHT_MAX_AGE;

  /** Fills in defaults. */
  public CorsConfig {
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    maxAge = maxAge == null ? DEFAULT_MAX_AGE : maxAge;
  }

  /** Every default. */
  public static CorsConfig defaults() {
    return new CorsConfig(null, null);
  }

  /** Records every origin that is not a bare scheme://host[:port], and a negative max age. */
  void validate(Problems problems) {
    for (String origin : allowedOrigins) {
      if (!OriginPolicy.isExactOrigin(origin)) {
        problems.add(
            "cors.allowedOrigins",
            "must be exact origins like https://app.example.com (no path, no '*'), was '"
                + origin
                + "'");
      }
    }
    if (maxAge.isNegative()) {
      problems.add("cors.maxAge", "must not be negative");
    }
  }
}
