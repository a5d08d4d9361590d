package dev.avatargateway.simulator.internal.world;

import dev.avatargateway.simulator.AvatarStatus;
import java.time.Instant;

/**
 * A seeded custom avatar (runway-api.md §3.2). Nullable fields are those the spec types as {@code
 * string|null}; {@code failureReason} is set only for FAILED.
 */
public record Avatar(
    String id,
    String name,
    String personality,
    String startScript,
    Voice voice,
    String referenceImageUri,
    String processedImageUri,
    Instant createdAt,
    Instant updatedAt,
    AvatarStatus status,
    String failureReason) {

  /** A {@code runway-live-preset} voice (runway-api.md §3.2). */
  public record Voice(String presetId, String name, String description) {}

  Avatar withStatus(AvatarStatus newStatus, Instant at) {
    boolean ready = newStatus == AvatarStatus.READY;
    return new Avatar(
        id,
        name,
        personality,
        startScript,
        voice,
        referenceImageUri,
        ready ? processedImageUriFor(id) : null,
        createdAt,
        at,
        newStatus,
        newStatus == AvatarStatus.FAILED ? World.AVATAR_FAILURE_REASON : null);
  }

  static String processedImageUriFor(String id) {
    return "https://assets.simulator.invalid/avatars/" + id + "/processed.png";
  }

  static String referenceImageUriFor(String id) {
    return "https://assets.simulator.invalid/avatars/" + id + "/reference.png";
  }
}
