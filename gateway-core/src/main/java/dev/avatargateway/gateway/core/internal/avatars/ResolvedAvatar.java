package dev.avatargateway.gateway.core.internal.avatars;

import dev.avatargateway.runway.SessionAvatar;

/**
 * An avatar a browser asked for, classified and allowed.
 *
 * @param id the id as the browser sent it (a preset id or a UUID)
 * @param avatar the upstream shape
 */
public record ResolvedAvatar(String id, SessionAvatar avatar) {
  /** {@code runway-preset} or {@code custom}, as the upstream names the types. */
  public String type() {
    return avatar instanceof SessionAvatar.Custom ? "custom" : "runway-preset";
  }

  /** Whether this is a custom avatar (checked upstream before use). */
  public boolean isCustom() {
    return avatar instanceof SessionAvatar.Custom;
  }
}
