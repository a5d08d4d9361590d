package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.ClientConnection;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectionWatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that a client closed its connection while its request is handled (a connect waiting for
 * its session, an event stream waiting for its next event), and tells the core through {@link
 * ClientPresence}, so that the connect stops and cancels the session nobody would receive.
 *
 * <p>The servlet containers tell nothing of such a close (see {@link TomcatConnections}), so the
 * core's {@link ConnectionWatcher} (one platform thread for the application) looks at every watched
 * connection in turn, every {@link ConnectionWatcher#POLL_INTERVAL}, with a non-blocking read on
 * Tomcat's socket wrapper: nothing to read means the client waits, an end of stream means it is
 * gone. A waiting connect costs one small watch, not a thread; a look costs microseconds.
 *
 * <p>Supported: Tomcat's NIO connector over HTTP/1.1 (Spring Boot's default), event streams only
 * without TLS. Elsewhere (Jetty, HTTP/2, the NIO2 connector) the presence is {@link
 * ClientPresence#UNKNOWN}, and start-up or the first such request logs one warning naming the gap.
 *
 * <p>Caveats, as the standalone gateway's: watch only once the body was read (a look would read
 * body bytes); a client that half-closes its side while it waits counts as gone; a byte of a
 * pipelined next request is given back to Tomcat, and the connection then stops being watched (a
 * later close is not noticed); should Tomcat refuse it back, the answer carries {@code Connection:
 * close} so that the client does not wait on a request that lost its first bytes. Browsers do not
 * pipeline.
 */
public final class ClientDisconnects implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientDisconnects.class);

  private final BiFunction<HttpServletRequest, Boolean, Optional<ClientConnection>> connections;
  private final Optional<ConnectionWatcher> watcher;
  private final AtomicBoolean warnedUnwatchable = new AtomicBoolean();

  /**
   * Watches the connections {@code connections} finds, every {@code pollInterval}; starts the sweep
   * thread, which {@link #close()} stops.
   *
   * @param connections a request's connection, given whether the request's thread writes while it
   *     is watched; empty when it cannot be watched
   * @param pollInterval how often to look at each connection
   */
  ClientDisconnects(
      BiFunction<HttpServletRequest, Boolean, Optional<ClientConnection>> connections,
      Duration pollInterval) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.watcher = Optional.of(new ConnectionWatcher(pollInterval));
  }

  private ClientDisconnects() {
    this.connections = (request, whileWriting) -> Optional.empty();
    this.watcher = Optional.empty();
    this.warnedUnwatchable.set(true); // the start-up warning said it, or the application chose it
  }

  /**
   * Watches nothing: every presence is {@link ClientPresence#UNKNOWN}, and no thread is started.
   * For an application behind a proxy that half-closes its connections once it sent a request,
   * which would otherwise count as a client gone.
   */
  public static ClientDisconnects none() {
    return new ClientDisconnects();
  }

  /**
   * For the servlet container on the class path: Tomcat's, or, when its internals cannot be
   * reached, none (one warning says so, and every presence is {@link ClientPresence#UNKNOWN}).
   */
  public static ClientDisconnects forThisContainer() {
    ClassLoader loader = ClientDisconnects.class.getClassLoader();
    TomcatConnections tomcat;
    try {
      tomcat = TomcatConnections.resolve(loader);
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warn(
          "A client that closes its connection while its connect waits is not noticed: that needs"
              + " Tomcat's NIO connector, and {}; such a connect runs to its end and its session"
              + " is left to expire upstream (docs/spring-boot.md, A client that leaves)",
          e instanceof ClassNotFoundException
              ? "Tomcat is not on the class path (" + e.getMessage() + ")"
              : "this Tomcat's internals differ from Tomcat 11's (" + e + ")");
      return new ClientDisconnects();
    }
    return new ClientDisconnects(tomcat::connectionOf, ConnectionWatcher.POLL_INTERVAL);
  }

  /**
   * The presence of a request whose body has been read: watching starts when the core asks.
   *
   * @param request the request, on its own thread
   * @param response its response, which gets {@code Connection: close} if a pipelined byte was lost
   */
  public ClientPresence presence(HttpServletRequest request, HttpServletResponse response) {
    return onGone -> watch(request, response, false, onGone);
  }

  /**
   * Starts watching an event stream's connection, on the request's thread, which goes on writing
   * the stream meanwhile.
   *
   * @param onGone run once, on the sweep thread, when the reader is gone
   * @return ends the watch (idempotent); close it on the request's thread when the stream ends
   */
  public ClientPresence.Watch watchStream(
      HttpServletRequest request, HttpServletResponse response, Runnable onGone) {
    return watch(request, response, true, onGone);
  }

  /**
   * Starts watching a request's connection, on the request's thread, once its body has been read.
   *
   * @param whileWriting whether the request's thread writes while the connection is watched
   * @param onGone run once, on the sweep thread, when the client is gone
   * @return ends the watch (idempotent); close it on the request's thread
   */
  ClientPresence.Watch watch(
      HttpServletRequest request,
      HttpServletResponse response,
      boolean whileWriting,
      Runnable onGone) {
    Objects.requireNonNull(onGone, "onGone");
    if (watcher.isEmpty()) {
      return () -> {};
    }
    Optional<ClientConnection> connection = connections.apply(request, whileWriting);
    if (connection.isEmpty()) {
      if (warnedUnwatchable.compareAndSet(false, true)) {
        LOG.warn(
            "A request over {} on {} cannot be watched for a client that leaves (only HTTP/1.1 on"
                + " Tomcat's NIO connector can, and an event stream only without TLS): its connect"
                + " runs to its end, its event stream notices at its next write",
            request.getProtocol(),
            request.getServletContext().getServerInfo());
      }
      return () -> {};
    }
    return watcher.get().watch(connection.get(), () -> closeAfterAnswer(response), onGone);
  }

  /** The next request on this connection lost its first bytes: the client must not wait on it. */
  private static void closeAfterAnswer(HttpServletResponse response) {
    if (!response.isCommitted()) {
      response.setHeader("Connection", "close");
    }
  }

  /** How many connections are watched now (for tests). */
  int watchedCount() {
    return watcher.map(ConnectionWatcher::watchedCount).orElse(0);
  }

  /** Stops the sweep thread; watches still open are no longer looked at. Idempotent. */
  @Override
  public void close() {
    watcher.ifPresent(ConnectionWatcher::close);
  }
}
