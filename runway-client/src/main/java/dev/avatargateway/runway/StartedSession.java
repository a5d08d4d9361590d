package dev.avatargateway.runway;

import java.util.Objects;

/**
 * A session that was created, became ready and was consumed: what a browser needs to join it. The
 * field names follow what Runway's browser SDKs accept ({@code {sessionId, serverUrl, token,
 * roomName}}, client-contract.md §1.3), with {@code url} as consume returns it. {@code toString()}
 * hides the token.
 *
 * @param sessionId the upstream session id
 * @param url the LiveKit server URL
 * @param token the LiveKit participant token; a secret
 * @param roomName the LiveKit room
 */
public record StartedSession(String sessionId, String url, String token, String roomName) {
  /** Rejects nulls. */
  public StartedSession {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(roomName, "roomName");
  }

  static StartedSession of(String sessionId, SessionCredentials credentials) {
    return new StartedSession(
        sessionId, credentials.url(), credentials.token(), credentials.roomName());
  }

  /** The credentials part, without the session id. */
  public SessionCredentials credentials() {
    return new SessionCredentials(url, token, roomName);
  }

  @Override
  public String toString() {
    return "StartedSession[sessionId="
        + sessionId
        + ", url="
        + url
        + ", roomName="
        + roomName
        + ", token=***]";
  }
}
