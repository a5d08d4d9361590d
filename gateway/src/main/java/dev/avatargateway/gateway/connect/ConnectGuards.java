package dev.avatargateway.gateway.connect;

import dev.avatargateway.gateway.auth.Principal;

/**
 * The limits a connect must pass before it may spend money upstream. Each method either returns a
 * permit that the flow closes when it is done, or throws a {@link
 * dev.avatargateway.gateway.errors.GatewayException} (429/503 with {@code Retry-After}).
 */
public interface ConnectGuards {
  /** Per-principal and per-address rate limits, and the principal's concurrency cap. */
  Permit admit(Principal principal, String clientAddress);

  /** A slot among the upstream creations this gateway lets run at once. */
  Permit acquireCreateSlot();

  /** A held permit; closing it twice is harmless. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }
}
