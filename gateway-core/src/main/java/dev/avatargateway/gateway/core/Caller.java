package dev.avatargateway.gateway.core;

import java.util.List;
import java.util.Objects;

/**
 * Who calls a session endpoint, as a transport received it: the headers (the credentials) and the
 * client's address, whose failed authentications are throttled as a connect's are.
 *
 * @param headers the request's headers
 * @param peerAddress the address of the connection's other end
 * @param forwardedFor the {@code X-Forwarded-For} values, believed only from trusted proxies
 */
public record Caller(RequestHeaders headers, String peerAddress, List<String> forwardedFor) {
  /** Copies the forwarded addresses; rejects nulls. */
  public Caller {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(peerAddress, "peerAddress");
    forwardedFor = List.copyOf(forwardedFor);
  }
}
