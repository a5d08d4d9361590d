package dev.avatargateway.runway;

import java.util.List;
import java.util.Objects;

/**
 * A Runway preset avatar id. The nine ids the API documents are constants (runway-api.md §2.1.1);
 * {@link #of(String)} also accepts ids this library does not know yet, so that a preset Runway adds
 * tomorrow works without a new release (the upstream remains the judge of validity).
 *
 * @param id the preset id as the API spells it, e.g. {@code cat-character}
 */
public record AvatarPreset(String id) {
  public static final AvatarPreset GAME_CHARACTER = new AvatarPreset("game-character");
  public static final AvatarPreset MUSIC_SUPERSTAR = new AvatarPreset("music-superstar");
  public static final AvatarPreset GAME_CHARACTER_MAN = new AvatarPreset("game-character-man");
  public static final AvatarPreset CAT_CHARACTER = new AvatarPreset("cat-character");
  public static final AvatarPreset INFLUENCER = new AvatarPreset("influencer");
  public static final AvatarPreset TENNIS_COACH = new AvatarPreset("tennis-coach");
  public static final AvatarPreset HUMAN_RESOURCE = new AvatarPreset("human-resource");
  public static final AvatarPreset FASHION_DESIGNER = new AvatarPreset("fashion-designer");
  public static final AvatarPreset COOKING_TEACHER = new AvatarPreset("cooking-teacher");

  private static final List<AvatarPreset> KNOWN =
      List.of(
          GAME_CHARACTER,
          MUSIC_SUPERSTAR,
          GAME_CHARACTER_MAN,
          CAT_CHARACTER,
          INFLUENCER,
          TENNIS_COACH,
          HUMAN_RESOURCE,
          FASHION_DESIGNER,
          COOKING_TEACHER);

  /** Rejects null and blank ids. */
  public AvatarPreset {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new InvalidParamsException("avatar.presetId", "must not be blank");
    }
  }

  /** The preset with this id, known or not. */
  public static AvatarPreset of(String id) {
    for (AvatarPreset preset : KNOWN) {
      if (preset.id.equals(id)) {
        return preset;
      }
    }
    return new AvatarPreset(id);
  }

  /** The nine presets the API documents, in the API's order. */
  public static List<AvatarPreset> known() {
    return KNOWN;
  }

  /** Whether this is one of the nine documented presets. */
  public boolean isKnown() {
    return KNOWN.contains(this);
  }

  @Override
  public String toString() {
    return id;
  }
}
