package dev.avatargateway.gateway.core.internal.connect;

import dev.avatargateway.gateway.core.ConnectEvent;

/**
 * The ledger's side of the event stream: unlike a {@link
 * dev.avatargateway.gateway.core.ConnectListener}, it must succeed. A step it cannot record stops
 * the flow, and a session already created is cancelled: nothing paid runs that the books do not
 * know about.
 */
@FunctionalInterface
public interface ConnectRecorder {
  /**
   * Records the event durably before the flow takes its next step.
   *
   * @throws RuntimeException when it cannot; the flow stops
   */
  void record(ConnectEvent event);
}
