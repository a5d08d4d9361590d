package dev.avatargateway.runway;

import java.util.Objects;

/**
 * WebRTC (LiveKit) credentials, as {@code consume} and {@code connect_backend} return them
 * (runway-api.md §2.5, §2.6). {@code toString()} hides the token.
 *
 * @param url the LiveKit server URL ({@code wss://...})
 * @param token the LiveKit participant token (a JWT); a secret
 * @param roomName the LiveKit room the token joins
 */
public record SessionCredentials(String url, String token, String roomName) {
  /** Rejects nulls. */
  public SessionCredentials {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(roomName, "roomName");
  }

  @Override
  public String toString() {
    return "SessionCredentials[url=" + url + ", roomName=" + roomName + ", token=***]";
  }
}
