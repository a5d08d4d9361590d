package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The HTTP server.
 *
 * @param host the address to listen on; default {@code 0.0.0.0} (env {@code HOST})
 * @param port the port; default 8080 (env {@code PORT})
 * @param connectPath the connect endpoint; default {@code /api/avatar/connect} (every official
 *     example uses it, client-contract.md §1.1)
 * @param connectAliases more paths for the same endpoint; default {@code /api/avatar/session} (what
 *     Runway's skills generate, client-contract.md §1.1)
 * @param credentialsPath the connect endpoint that always answers credentials ({@code sessionId,
 *     serverUrl, token, roomName}), whatever {@code connect.responseMode} says: for the React SDK's
 *     {@code connectUrl}, {@code connect} and {@code credentials} (client-contract.md §1.3-1.5);
 *     default {@code /api/avatar/credentials}
 * @param sessionKeyPath the connect endpoint that always answers a session key ({@code sessionId,
 *     sessionKey[, baseUrl]}) for the browser to consume, whatever {@code connect.responseMode}
 *     says: for the core package's {@code streamTo} and {@code connect} (client-contract.md §1.3);
 *     default {@code /api/avatar/session-key}
 * @param maxBodyBytes the largest request body accepted; default 16 KiB: a connect body is a few
 *     dozen bytes, so anything near the limit is abuse
 * @param bodyReadTimeout how long a client may take to send the whole request body once its headers
 *     arrived; then 408 {@code request_timeout}; default 10 s: the largest body allowed takes about
 *     3 s on a 50 kbit/s mobile link, and a stalled upload should not hold a connection longer
 * @param acceptQueueSize the TCP accept backlog; default 4096: with Jetty's default, connections
 *     beyond the backlog are dropped silently under load (DEVELOPERS.md)
 * @param shutdownGrace how long a stopping gateway lets connects in flight finish before it cancels
 *     their upstream sessions; default 10 s
 * @param idleTimeout how long a connection may stay silent before the server closes it: one that
 *     never sends its request, or a kept-alive one between requests; default 30 s (see {@link
 *     #DEFAULT_IDLE_TIMEOUT} for why). A request being handled is not cut off by it (a connect may
 *     wait for its session far longer); its body has {@code bodyReadTimeout}
 * @param maxConnections the most client connections open at once; at it the server stops accepting
 *     (new ones wait in the TCP accept queue, {@code acceptQueueSize}, and beyond it the operating
 *     system drops them until there is room) instead of running out of file descriptors; default
 *     derived from the heap by {@link #connectionCap(int)}: every connect admission control admits
 *     at once plus {@value #REFUSAL_HEADROOM} to refuse, at least {@value
 *     #MIN_DERIVED_MAX_CONNECTIONS} and at most {@value #MAX_DERIVED_MAX_CONNECTIONS} (10,000 for a
 *     128 or 256 MiB heap, 11,649 for 512 MiB)
 */
public record ServerConfig(
    String host,
    Integer port,
    String connectPath,
    List<String> connectAliases,
    String credentialsPath,
    String sessionKeyPath,
    Integer maxBodyBytes,
    Duration bodyReadTimeout,
    Integer acceptQueueSize,
    Duration shutdownGrace,
    Duration idleTimeout,
    Integer maxConnections) {

  static final int DEFAULT_PORT = 8080;
  static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
  static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_ACCEPT_QUEUE = 4096;
  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /**
   * A browser asks for a session once per call, so a connection left idle for longer than a few
   * seconds is rarely reused, and each one holds a file descriptor and a few KiB of heap; a client
   * that vanished without closing (a phone that lost its network) holds them until this passes.
   * Jetty's own default, and well inside the minute in which a gateway must be back to idle after a
   * burst. Behind a proxy that keeps connections to the gateway open, set it above the proxy's own
   * idle time-out (e.g. 75 s behind a load balancer that keeps 60 s), so that the gateway never
   * closes a connection just as the proxy sends a request on it.
   */
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The least connections a gateway accepts by default, whatever its heap: 10,000, half of the
   * 20,000 open files a gateway process is allowed here ({@code ulimit -n}). A connection being
   * refused still costs heap while it waits for its 503 (its request, its thread's stack): with
   * 15,000 open at once, 12,000 arrivals ran a 128 MiB gateway out of heap, where 10,000 (the rest
   * in the accept queue, which costs the gateway no heap) answered every one.
   */
  static final int MIN_DERIVED_MAX_CONNECTIONS = 10_000;

  /**
   * Room, beyond the connects admission control admits at once, for connections that arrive while
   * the gateway is full and are refused with 503 {@code overloaded}.
   */
  static final int REFUSAL_HEADROOM = 1_000;

  /**
   * The most connections a gateway accepts by default, whatever its heap: three quarters of the
   * 20,000 open files, the same as admission control's largest derived cap (a connect in flight
   * holds its client's socket only, since the connections to Runway are bounded by {@code
   * runway.maxConnections}); the last quarter is for those, the ledger's pool, the jar and the
   * logs. An open, idle connection costs about 3 KiB of heap (measured: 5,000 silent connections,
   * 15 MiB).
   */
  static final int MAX_DERIVED_MAX_CONNECTIONS = 15_000;

  private static final int MAX_PORT = 65_535;

  /**
   * The cap on open client connections: {@link #maxConnections()} when set, else the connects
   * admission control admits at once plus {@value #REFUSAL_HEADROOM}, within {@value
   * #MIN_DERIVED_MAX_CONNECTIONS} to {@value #MAX_DERIVED_MAX_CONNECTIONS}.
   *
   * @param connectsInFlightCap admission control's cap for this heap; 0 (no cap) gives the most
   */
  public int connectionCap(int connectsInFlightCap) {
    if (maxConnections != null) {
      return maxConnections;
    }
    long derived =
        connectsInFlightCap == 0
            ? MAX_DERIVED_MAX_CONNECTIONS
            : (long) connectsInFlightCap + REFUSAL_HEADROOM;
    return (int) Math.clamp(derived, MIN_DERIVED_MAX_CONNECTIONS, MAX_DERIVED_MAX_CONNECTIONS);
  }

  /**
   * A client needs a moment to send its request once connected: a shorter time-out would cut off
   * slow but honest clients (a mobile link's round trips alone take hundreds of milliseconds).
   */
  private static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);

  /** Two bytes is the smallest JSON object ({@code {}}). */
  private static final int MIN_BODY_BYTES = 2;

  /** 1 MiB: far beyond any connect body; larger only invites memory abuse. */
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  /**
   * Literal path segments of URL-safe characters: the router would read {@code {x}}, {@code <x>}
   * and {@code *} as parameters, and a space or a {@code ?} can never match a request.
   */
  private static final Pattern LITERAL_PATH = Pattern.compile("^(/[A-Za-z0-9._~-]+)+$");

  /**
   * The routes whose paths are not configurable, which no configurable path may take: the avatar
   * list, the session endpoints, usage, the demo page and the operator's endpoints.
   */
  static final List<String> FIXED_ROUTES =
      List.of(
          "/",
          "/api/avatar/presets",
          "/api/avatar/sessions",
          "/api/avatar/usage",
          "/api/admin/sessions",
          "/api/admin/usage",
          "/demo",
          "/openapi.json",
          "/healthz",
          "/readyz",
          "/metrics");

  /** Fills in defaults. */
  public ServerConfig {
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? DEFAULT_PORT : port;
    connectPath = connectPath == null ? "/api/avatar/connect" : connectPath;
    connectAliases =
        connectAliases == null ? List.of("/api/avatar/session") : List.copyOf(connectAliases);
    credentialsPath = credentialsPath == null ? "/api/avatar/credentials" : credentialsPath;
    sessionKeyPath = sessionKeyPath == null ? "/api/avatar/session-key" : sessionKeyPath;
    maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    bodyReadTimeout = bodyReadTimeout == null ? DEFAULT_BODY_READ_TIMEOUT : bodyReadTimeout;
    acceptQueueSize = acceptQueueSize == null ? DEFAULT_ACCEPT_QUEUE : acceptQueueSize;
    shutdownGrace = shutdownGrace == null ? DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
    idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
  }

  /** Every default. */
  public static ServerConfig defaults() {
    return new ServerConfig(null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** All paths of the connect endpoint, the main one first. */
  public List<String> connectPaths() {
    return Stream.concat(Stream.of(connectPath), connectAliases.stream()).distinct().toList();
  }

  /** Records every problem of this section. */
  void validate(Problems problems) {
    if (host.isBlank()) {
      problems.add("server.host (HOST)", "must be an address or a host name");
    }
    if (port < 0 || port > MAX_PORT) {
      problems.add("server.port (PORT)", "must be 0 to 65535, was " + port);
    }
    if (!LITERAL_PATH.matcher(connectPath).matches()) {
      problems.add("server.connectPath", literalPathProblem(connectPath));
    }
    for (int i = 0; i < connectAliases.size(); i++) {
      String alias = connectAliases.get(i);
      if (alias == null || !LITERAL_PATH.matcher(alias).matches()) {
        problems.add("server.connectAliases[" + i + "]", literalPathProblem(alias));
      }
    }
    if (!LITERAL_PATH.matcher(credentialsPath).matches()) {
      problems.add("server.credentialsPath", literalPathProblem(credentialsPath));
    }
    if (!LITERAL_PATH.matcher(sessionKeyPath).matches()) {
      problems.add("server.sessionKeyPath", literalPathProblem(sessionKeyPath));
    }
    pathClashes(problems);
    if (maxBodyBytes < MIN_BODY_BYTES || maxBodyBytes > MAX_BODY_BYTES) {
      problems.add(
          "server.maxBodyBytes",
          "must be " + MIN_BODY_BYTES + " to " + MAX_BODY_BYTES + ", was " + maxBodyBytes);
    }
    if (bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
      problems.add("server.bodyReadTimeout", "must be positive");
    }
    if (acceptQueueSize < 1) {
      problems.add("server.acceptQueueSize", "must be positive, was " + acceptQueueSize);
    }
    if (shutdownGrace.isNegative()) {
      problems.add("server.shutdownGrace", "must not be negative");
    }
    if (idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0) {
      problems.add("server.idleTimeout", "must be at least " + Durations.format(MIN_IDLE_TIMEOUT));
    }
    if (maxConnections != null && maxConnections < 1) {
      problems.add("server.maxConnections", "must be positive, was " + maxConnections);
    }
  }

  /**
   * Records every configurable path that another endpoint already has: the connect endpoint (its
   * path and aliases), the two fixed-mode endpoints and the gateway's own routes must not share a
   * path, or a request would reach one of two endpoints without the operator knowing which. The
   * connect endpoint may name one path twice (its path again among its aliases): that is one
   * endpoint. (A trailing slash, which the router ignores, is not a literal path.)
   */
  private void pathClashes(Problems problems) {
    Map<String, Claim> taken = new LinkedHashMap<>();
    FIXED_ROUTES.forEach(path -> taken.put(path, new Claim("the gateway's own " + path, path)));
    String connect = "connect";
    claim(taken, problems, new Claim("server.connectPath", connect), connectPath);
    for (int i = 0; i < connectAliases.size(); i++) {
      if (connectAliases.get(i) != null) {
        claim(
            taken,
            problems,
            new Claim("server.connectAliases[" + i + "]", connect),
            connectAliases.get(i));
      }
    }
    claim(taken, problems, new Claim("server.credentialsPath", "credentials"), credentialsPath);
    claim(taken, problems, new Claim("server.sessionKeyPath", "session-key"), sessionKeyPath);
  }

  /** A setting that names a path of an endpoint. */
  private record Claim(String setting, String endpoint) {}

  private static void claim(Map<String, Claim> taken, Problems problems, Claim claim, String path) {
    Claim holder = taken.putIfAbsent(path, claim);
    if (holder != null && !holder.endpoint().equals(claim.endpoint())) {
      problems.add(claim.setting(), "'" + path + "' is already the path of " + holder.setting());
    }
  }

  private static String literalPathProblem(String path) {
    return "must start with '/' and hold only letters, digits and . _ ~ - between slashes, was '"
        + path
        + "'";
  }
}
