package dev.avatargateway.runway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A custom avatar of the organisation (runway-api.md §3.2). Only a {@link Status#READY} avatar is
 * described as usable in sessions.
 *
 * @param id the avatar's UUID
 * @param name the display name
 * @param personality the default personality
 * @param startScript the default opening line, if any
 * @param voice the avatar's voice
 * @param referenceImageUri the uploaded reference image, if any
 * @param processedImageUri the processed image, if any
 * @param documentIds knowledge documents attached to the avatar
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param status processing state
 * @param failureReason why processing failed (FAILED only); not stable text
 */
public record Avatar(
    String id,
    String name,
    String personality,
    Optional<String> startScript,
    Voice voice,
    Optional<String> referenceImageUri,
    Optional<String> processedImageUri,
    List<String> documentIds,
    Instant createdAt,
    Instant updatedAt,
    Status status,
    Optional<String> failureReason) {

  /** Copies the document ids. */
  public Avatar {
    documentIds = List.copyOf(documentIds);
  }

  /** Whether sessions can be created with this avatar. */
  public boolean isReady() {
    return status == Status.READY;
  }

  /** Processing states of a custom avatar. */
  public enum Status {
    PROCESSING,
    READY,
    FAILED
  }

  /**
   * The avatar's voice: a Runway preset voice ({@code type = runway-live-preset}, {@code id} is the
   * preset id) or a custom voice ({@code type = custom}, {@code id} is its UUID).
   *
   * @param type {@code runway-live-preset} or {@code custom}
   * @param id the preset id or the custom voice's UUID
   * @param name the display name, if given
   * @param description the description, if given
   */
  public record Voice(
      String type, String id, Optional<String> name, Optional<String> description) {}
}
