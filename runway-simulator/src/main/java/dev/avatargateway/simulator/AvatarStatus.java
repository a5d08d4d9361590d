package dev.avatargateway.simulator;

/** Processing state of a custom avatar, the {@code status} discriminator of runway-api.md §3.2. */
public enum AvatarStatus {
  /** Still being processed; sessions cannot use it yet. */
  PROCESSING,
  /** Ready for use in sessions. */
  READY,
  /** Processing failed; the avatar object carries a {@code failureReason}. */
  FAILED
}
