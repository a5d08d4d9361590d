package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One browser's ask for a session, as a transport received it; the use case authenticates it, reads
 * the body, applies the limits and runs the flow.
 *
 * @param requestId the gateway's id for this request (the {@code X-Request-Id})
 * @param headers the request's headers, for authentication
 * @param peerAddress the address of the connection's other end
 * @param forwardedFor the {@code X-Forwarded-For} values, believed only from trusted proxies
 * @param body reads the avatar choice from the body, after authentication; throws {@link
 *     GatewayException} for a body that cannot be read
 * @param presence tells the connect that the client left
 * @param connectId the gateway's id for this connect (and its ledger row): a UUID in canonical
 *     lower-case form, chosen up front when the caller must know it before the flow reports it (an
 *     asynchronous start answers it at once)
 * @param responseMode the answer's shape this request asked for by the path it was sent to ({@code
 *     credentials} or {@code session-key}, client-contract.md §1.3); empty: {@code
 *     connect.responseMode}, the configured one. It decides who consumes the session (the gateway
 *     or the browser), what the ledger records and whether the hand-out time-out applies
 */
public record ConnectRequest(
    String requestId,
    RequestHeaders headers,
    String peerAddress,
    List<String> forwardedFor,
    BodyReader body,
    ClientPresence presence,
    String connectId,
    Optional<ResponseMode> responseMode) {
  /** Rejects missing parts. */
  public ConnectRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(peerAddress, "peerAddress");
    forwardedFor = List.copyOf(forwardedFor);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(presence, "presence");
    Objects.requireNonNull(connectId, "connectId");
    Objects.requireNonNull(responseMode, "responseMode");
  }

  /** A request in the configured response mode. */
  public ConnectRequest(
      String requestId,
      RequestHeaders headers,
      String peerAddress,
      List<String> forwardedFor,
      BodyReader body,
      ClientPresence presence,
      String connectId) {
    this(
        requestId, headers, peerAddress, forwardedFor, body, presence, connectId, Optional.empty());
  }

  /** A request in the configured response mode whose connect id is a new random UUID. */
  public ConnectRequest(
      String requestId,
      RequestHeaders headers,
      String peerAddress,
      List<String> forwardedFor,
      BodyReader body,
      ClientPresence presence) {
    this(
        requestId,
        headers,
        peerAddress,
        forwardedFor,
        body,
        presence,
        UUID.randomUUID().toString());
  }

  /** This request, answered in {@code mode} whatever {@code connect.responseMode} says. */
  public ConnectRequest withResponseMode(ResponseMode mode) {
    return new ConnectRequest(
        requestId,
        headers,
        peerAddress,
        forwardedFor,
        body,
        presence,
        connectId,
        Optional.of(mode));
  }

  /** Reads the avatar choice; called once, after authentication. */
  @FunctionalInterface
  public interface BodyReader {
    /**
     * @throws GatewayException for a body that is too large, of the wrong type or malformed
     */
    AvatarChoice read();
  }
}
