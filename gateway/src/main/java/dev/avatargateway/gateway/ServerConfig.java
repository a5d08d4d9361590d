package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The HTTP server.
 *
 * @param host the address to listen on; default {@code 0.0.0.0} (env {@code HOST})
 * @param port the port; default 8080 (env {@code PORT})
 * @param connectPath the connect endpoint; default {@code /api/avatar/connect} (every official
 *     example uses it, client-contract.md §1.1)
 * @param connectAliases more paths for the same endpoint; default {@code /api/avatar/session} (what
 *     Runway's skills generate, client-contract.md §1.1)
 * @param maxBodyBytes the largest request body accepted; default 16 KiB: a connect body is a few
 *     dozen bytes, so anything near the limit is abuse
 * @param acceptQueueSize the TCP accept backlog; default 4096: with Jetty's default, connections
 *     beyond the backlog are dropped silently under load (DEVELOPERS.md)
 * @param shutdownGrace how long a stopping gateway lets connects in flight finish before it cancels
 *     their upstream sessions; default 10 s
 */
public record ServerConfig(
    String host,
    Integer port,
    String connectPath,
    List<String> connectAliases,
    Integer maxBodyBytes,
    Integer acceptQueueSize,
    Duration shutdownGrace) {

  static final int DEFAULT_PORT = 8080;
  static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
  static final int DEFAULT_ACCEPT_QUEUE = 4096;
  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  private static final int MAX_PORT = 65_535;

  /** Fills in defaults. */
  public ServerConfig {
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? DEFAULT_PORT : port;
    connectPath = connectPath == null ? "/api/avatar/connect" : connectPath;
    connectAliases =
        connectAliases == null ? List.of("/api/avatar/session") : List.copyOf(connectAliases);
    maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    acceptQueueSize = acceptQueueSize == null ? DEFAULT_ACCEPT_QUEUE : acceptQueueSize;
    shutdownGrace = shutdownGrace == null ? DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
  }

  /** Every default. */
  public static ServerConfig defaults() {
    return new ServerConfig(null, null, null, null, null, null, null);
  }

  /** All paths of the connect endpoint, the main one first. */
  public List<String> connectPaths() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(connectPath), connectAliases.stream())
        .distinct()
        .toList();
  }

  /** Checks every value. */
  public void validate() {
    if (port < 0 || port > MAX_PORT) {
      throw new ConfigException("server.port (PORT)", "must be 0 to 65535, was " + port);
    }
    for (String path : connectPaths()) {
      if (!path.startsWith("/") || path.contains(" ")) {
        throw new ConfigException("server.connectPath", "must start with '/', was '" + path + "'");
      }
    }
    if (maxBodyBytes < 2 || maxBodyBytes > 1024 * 1024) {
      throw new ConfigException("server.maxBodyBytes", "must be 2 to 1048576, was " + maxBodyBytes);
    }
    if (acceptQueueSize < 1) {
      throw new ConfigException("server.acceptQueueSize", "must be positive");
    }
    if (shutdownGrace.isNegative()) {
      throw new ConfigException("server.shutdownGrace", "must not be negative");
    }
  }
}
