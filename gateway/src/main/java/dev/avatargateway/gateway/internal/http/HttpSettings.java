package dev.avatargateway.gateway.internal.http;

import java.time.Duration;
import java.util.List;

/**
 * What the HTTP layer needs of the configuration (the server's {@code server}, {@code cors} and
 * {@code demo} sections), as plain values; docs/configuration.md describes each.
 *
 * @param connectPaths every path of the connect endpoint, the main one first: answers in the
 *     configured {@code connect.responseMode}
 * @param credentialsPath the connect endpoint that always answers credentials
 * @param sessionKeyPath the connect endpoint that always answers a session key
 * @param maxBodyBytes the largest connect body accepted; larger is 413 {@code body_too_large}
 * @param bodyReadTimeout how long a client may take to send the whole body; then 408 {@code
 *     request_timeout}
 * @param corsOrigins exact origins allowed to call; empty for none
 * @param corsMaxAge how long browsers may cache a preflight answer
 * @param demo the demo page
 */
public record HttpSettings(
    List<String> connectPaths,
    String credentialsPath,
    String sessionKeyPath,
    int maxBodyBytes,
    Duration bodyReadTimeout,
    List<String> corsOrigins,
    Duration corsMaxAge,
    DemoSettings demo) {
  /** Copies the lists. */
  public HttpSettings {
    connectPaths = List.copyOf(connectPaths);
    corsOrigins = List.copyOf(corsOrigins);
  }
}
