package dev.avatargateway.gateway.core;

import java.util.Optional;

/**
 * What a successful connect answers, in one of the two shapes browsers accept (client-contract.md
 * §1.3); never both at once. {@code toString()} hides the secrets.
 */
public sealed interface ConnectResult {
  /** The upstream session id. */
  String sessionId();

  /**
   * Pre-consumed: {@code {sessionId, serverUrl, token, roomName}}.
   *
   * @param serverUrl the LiveKit server URL (consume's {@code url})
   * @param token the LiveKit participant token
   * @param roomName the LiveKit room
   */
  record Credentials(String sessionId, String serverUrl, String token, String roomName)
      implements ConnectResult {
    @Override
    public String toString() {
      return "Credentials[sessionId=" + sessionId + ", roomName=" + roomName + "]";
    }
  }

  /**
   * For clients that consume in the browser: {@code {sessionId, sessionKey}}, plus {@code baseUrl}
   * when the upstream is not Runway's default host (client-contract.md §1.3: else the browser's
   * consume goes to the wrong host and fails).
   *
   * @param sessionKey the one-time key
   * @param baseUrl the upstream's base URL, when not the default
   */
  record SessionKey(String sessionId, String sessionKey, Optional<String> baseUrl)
      implements ConnectResult {
    @Override
    public String toString() {
      return "SessionKey[sessionId=" + sessionId + "]";
    }
  }
}
