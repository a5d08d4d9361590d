package dev.avatargateway.runway;

import java.net.URI;
import java.util.Objects;

/**
 * A third party that owns the conversation or the audio while Runway renders the avatar
 * (runway-api.md §2.1.3). The deprecated top-level {@code livekit} field is not offered: the public
 * API rejects it ("Unrecognized key: livekit", client-contract.md §6.16).
 */
public sealed interface Integration {
  /**
   * An ElevenLabs conversational agent.
   *
   * @param signedUrl the ElevenLabs signed WebSocket URL (lives about 15 minutes)
   */
  record ElevenLabs(URI signedUrl) implements Integration {
    /** Rejects null. */
    public ElevenLabs {
      Objects.requireNonNull(signedUrl, "signedUrl");
    }

    @Override
    public String toString() {
      return "ElevenLabs[signedUrl=***]";
    }
  }

  /**
   * Your own LiveKit room: Runway's worker joins it and publishes video. {@code toString()} hides
   * the token.
   *
   * @param url the LiveKit server URL
   * @param token a LiveKit token for Runway's worker, 1-2048 characters; a secret
   * @param roomName the room, 1-256 characters
   * @param agentIdentity whose audio to trust, 1-256 characters; null for none
   */
  record LiveKit(URI url, String token, String roomName, String agentIdentity)
      implements Integration {
    /** Rejects nulls except {@code agentIdentity}. */
    public LiveKit {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(roomName, "roomName");
    }

    @Override
    public String toString() {
      return "LiveKit[url="
          + url
          + ", roomName="
          + roomName
          + ", agentIdentity="
          + agentIdentity
          + ", token=***]";
    }
  }
}
