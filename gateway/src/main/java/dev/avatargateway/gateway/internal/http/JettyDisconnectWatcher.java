package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.ClientConnection;
import dev.avatargateway.gateway.core.ConnectionWatcher;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Notices that an HTTP/1.1 client closed its connection while its request is being handled: Jetty's
 * side of the core's {@link ConnectionWatcher}, which sweeps every watched connection on one
 * thread.
 *
 * <p>Jetty 12 tells a handler nothing when an HTTP/1.1 client disconnects: while a request is
 * handled it registers no read interest, so a close stays silent until the application reads or
 * writes (measured on Javalin 7.2.3 / Jetty 12.1.12: failure listeners, idle-time-out listeners,
 * {@code EndPoint.isOpen()} and servlet reads all stay quiet; jetty/jetty.project#10916 says the
 * same). So a look is a non-blocking {@code EndPoint.fill} on the connection: it returns 0 while
 * the client waits and -1 once the client closed (FIN or RST); detection took 5 to 45 ms after the
 * close in those measurements, plus up to one poll interval.
 *
 * <p>Caveats: only start watching after the body was read (a fill would consume body bytes); a
 * client that half-closes its side while still waiting counts as gone; a pipelined next request
 * would have its first byte consumed, which Jetty cannot give back, so the connection is then
 * closed after this response. Browsers do not pipeline. Failure listeners do fire on server stop
 * and on write failures, so they are registered too.
 */
public final class JettyDisconnectWatcher implements DisconnectWatcher, AutoCloseable {
  private final ConnectionWatcher watcher;

  /**
   * Starts the watcher's thread; {@link #close()} stops it.
   *
   * @param pollInterval how often to look at each connection; {@link
   *     ConnectionWatcher#POLL_INTERVAL} unless a test wants it shorter
   */
  public JettyDisconnectWatcher(Duration pollInterval) {
    this.watcher = new ConnectionWatcher(pollInterval);
  }

  @Override
  public Watch watch(Context ctx, Runnable onDisconnect) {
    Request request = ServletContextRequest.getServletContextRequest(ctx.req());
    if (request == null) {
      return () -> {};
    }
    ConnectionWatcher.Watch watch =
        watcher.watch(
            new JettyConnection(request.getConnectionMetaData().getConnection().getEndPoint()),
            () -> ctx.header("Connection", "close"),
            onDisconnect);
    request.addFailureListener(failure -> watch.gone());
    return watch::close;
  }

  /** How many connections are being watched now (for tests). */
  int watchedCount() {
    return watcher.watchedCount();
  }

  /** Stops the watcher's thread; watches still open stop being polled. */
  @Override
  public void close() {
    watcher.close();
  }

  /** A connection's Jetty end point, filled without blocking. */
  private record JettyConnection(EndPoint endPoint) implements ClientConnection {
    @Override
    public Look look(ByteBuffer scratch) {
      int filled;
      try {
        // Jetty's buffers are kept in flush mode: fill appends after the limit.
        BufferUtil.clear(scratch);
        filled = endPoint.fill(scratch);
      } catch (Exception e) {
        return Look.GONE; // a reset, or an end point already closed
      }
      if (filled < 0) {
        return Look.GONE;
      }
      // A byte of the next request was consumed, and Jetty has no way to give it back.
      return filled == 0 ? Look.WAITING : Look.LOST_BYTES;
    }
  }
}
