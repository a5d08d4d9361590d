package dev.avatargateway.gateway.core;

/**
 * Reads the connect events as they happen (metrics, logs, event streams). Called on the connect's
 * own thread, in order, after the ledger recorded the event; must be quick and must not throw (a
 * throwing listener is logged and skipped, the connect goes on).
 */
@FunctionalInterface
public interface ConnectListener {
  /** One event of one connect. */
  void on(ConnectEvent event);
}
