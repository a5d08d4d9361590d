package dev.avatargateway.gateway.internal.http;

import io.javalin.http.Context;

/**
 * Tells a long-running handler that its client has gone away, so that it can stop waiting (and the
 * connect flow cancels the upstream session it was preparing).
 */
@FunctionalInterface
public interface DisconnectWatcher {
  /**
   * Starts watching {@code ctx}'s connection until the returned watch is closed.
   *
   * @param onDisconnect run once, on some other thread, if the client disconnects meanwhile
   */
  Watch watch(Context ctx, Runnable onDisconnect);

  /** A running watch; closing it twice is harmless. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
