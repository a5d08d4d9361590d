package dev.avatargateway.gateway.core;

import java.util.Optional;

/**
 * Which avatar the browser asked for (client-contract.md §1.1): a preset or custom id in {@code
 * avatarId}, a custom id in {@code customAvatarId}, or neither for the configured default.
 *
 * @param avatarId the body's {@code avatarId}
 * @param customAvatarId the body's {@code customAvatarId}
 */
public record AvatarChoice(Optional<String> avatarId, Optional<String> customAvatarId) {
  /** Neither: the configured default avatar. */
  public static final AvatarChoice DEFAULT = new AvatarChoice(Optional.empty(), Optional.empty());
}
