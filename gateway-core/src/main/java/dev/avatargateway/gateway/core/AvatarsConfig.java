package dev.avatargateway.gateway.core;

import dev.avatargateway.runway.AvatarPreset;
import java.util.List;
import java.util.Map;

/**
 * Which avatars browsers may ask for, and what their sessions are made of.
 *
 * @param allowedPresets preset ids browsers may use; default all nine documented presets
 * @param allowedCustom custom avatar UUIDs browsers may use; default none (each is checked upstream
 *     before use)
 * @param defaultAvatar the avatar for a connect with an empty body; default none (then 400); env
 *     {@code GATEWAY_DEFAULT_AVATAR}
 * @param sessionDefaults the session template for every avatar; default {@code maxDuration: 300}:
 *     Runway cuts sessions at about 5 minutes anyway (client-contract.md §6.3)
 * @param sessions per-avatar templates by avatar id, over {@code sessionDefaults}
 * @param displayNames names for the avatar picker ({@code GET /api/avatar/presets}) by avatar id;
 *     the four names Runway's examples use are built in
 */
public record AvatarsConfig(
    List<String> allowedPresets,
    List<String> allowedCustom,
    String defaultAvatar,
    SessionTemplate sessionDefaults,
    Map<String, SessionTemplate> sessions,
    Map<String, String> displayNames) {

  /** Runway cuts sessions at about five minutes (client-contract.md §6.3). */
  static final int DEFAULT_MAX_DURATION_SECONDS = 300;

  /** Fills in defaults. */
  public AvatarsConfig {
    allowedPresets =
        allowedPresets == null
            ? AvatarPreset.known().stream().map(AvatarPreset::id).toList()
            : List.copyOf(allowedPresets);
    allowedCustom = allowedCustom == null ? List.of() : List.copyOf(allowedCustom);
    sessionDefaults =
        sessionDefaults == null
            ? new SessionTemplate(DEFAULT_MAX_DURATION_SECONDS, null, null, null)
            : sessionDefaults;
    sessions = sessions == null ? Map.of() : Map.copyOf(sessions);
    displayNames = displayNames == null ? Map.of() : Map.copyOf(displayNames);
  }

  /** Every default. */
  public static AvatarsConfig defaults() {
    return new AvatarsConfig(null, null, null, null, null, null);
  }
}
