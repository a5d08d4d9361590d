package dev.avatargateway.gateway.core;

/** Establishes who sent a request. Implementations are thread-safe. */
@FunctionalInterface
public interface Authenticator {
  /**
   * The principal behind the request.
   *
   * @throws GatewayException with {@code UNAUTHENTICATED} when credentials are missing or invalid
   */
  Principal authenticate(RequestHeaders headers);
}
