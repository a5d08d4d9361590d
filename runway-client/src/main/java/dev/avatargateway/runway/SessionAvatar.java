package dev.avatargateway.runway;

import java.util.Objects;

/** Which avatar a realtime session shows (runway-api.md §2.1.1). */
public sealed interface SessionAvatar {
  /** A Runway preset avatar. */
  static SessionAvatar preset(AvatarPreset preset) {
    return new Preset(preset);
  }

  /** A Runway preset avatar by id, e.g. {@code "cat-character"}. */
  static SessionAvatar preset(String presetId) {
    return new Preset(AvatarPreset.of(presetId));
  }

  /** A custom avatar of the API key's organisation, by its UUID. */
  static SessionAvatar custom(String avatarId) {
    return new Custom(avatarId);
  }

  /**
   * {@code {"type": "runway-preset", "presetId": ...}}.
   *
   * @param presetId the preset
   */
  record Preset(AvatarPreset presetId) implements SessionAvatar {
    /** Rejects null. */
    public Preset {
      Objects.requireNonNull(presetId, "presetId");
    }
  }

  /**
   * {@code {"type": "custom", "avatarId": ...}}.
   *
   * @param avatarId the custom avatar's UUID (checked when the params are built)
   */
  record Custom(String avatarId) implements SessionAvatar {
    /** Rejects null. */
    public Custom {
      Objects.requireNonNull(avatarId, "avatarId");
    }
  }
}
