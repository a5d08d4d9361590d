package dev.avatargateway.gateway.core;

import java.util.function.Consumer;

/**
 * Tells a running connect that its client went away, so that it stops and cancels its session
 * instead of paying for one nobody will receive. Each transport detects it its own way.
 */
@FunctionalInterface
public interface ClientPresence {
  /** For callers that cannot tell (the connect then runs to its end). */
  ClientPresence UNKNOWN = onGone -> () -> {};

  /**
   * Starts watching.
   *
   * @param onGone to run, once, from any thread, when the client is gone
   * @return ends the watch; closed by the connect when it is done
   */
  Watch watch(Runnable onGone);

  /**
   * Starts watching, for a presence that can also say why the connect should stop (an owner who
   * ended a session still starting); by default every stop is {@link StopReason#CLIENT_GONE}.
   *
   * @param stop to run, once, from any thread, with the reason to stop
   * @return ends the watch; closed by the connect when it is done
   */
  default Watch watchStops(Consumer<StopReason> stop) {
    return watch(() -> stop.accept(StopReason.CLIENT_GONE));
  }

  /** A running watch. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
