package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.Redactor;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The avatar an {@link AvatarConversation} used, as {@code /v1/avatar_conversations} reports it
 * (runway-api-additions.md "Conversations"; OpenAPI {@code PresetAvatar}, {@code CustomAvatar} and
 * their list-item {@code *Summary} forms). The API sends {@code null} when it cannot say, which
 * reaches you as an empty {@code Optional<ConversationAvatar>}.
 */
public sealed interface ConversationAvatar {
  /**
   * {@code {"type": "runway-preset", "presetId": ...}}.
   *
   * @param preset the preset, known to this library or not
   * @param name the preset's display name (e.g. "Mina"); only list items carry it
   */
  record Preset(AvatarPreset preset, Optional<String> name) implements ConversationAvatar {
    /** Rejects nulls. */
    public Preset {
      Objects.requireNonNull(preset, "preset");
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * {@code {"type": "custom", "id": ..., "name": ..., "imageUrl": ...}}. {@code toString()} leaves
   * out the image URL's query, which may be a signature that grants access.
   *
   * @param id the custom avatar's UUID; empty once the avatar was deleted
   * @param name the avatar's name, if the API still knows it
   * @param imageUrl the avatar's image; only {@code retrieve} carries it, list items do not
   */
  record Custom(Optional<String> id, Optional<String> name, Optional<URI> imageUrl)
      implements ConversationAvatar {
    /** Rejects nulls. */
    public Custom {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(imageUrl, "imageUrl");
    }

    @Override
    public String toString() {
      return "Custom[id="
          + id.orElse(null)
          + ", name="
          + name.orElse(null)
          + ", imageUrl="
          + Redactor.withoutQuery(imageUrl)
          + "]";
    }
  }
}
