package dev.avatargateway.simulator.internal.world;

import dev.avatargateway.simulator.internal.world.Conversation.AvatarRef;
import dev.avatargateway.simulator.internal.world.Conversation.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Derives a session's conversation record (runway-api-additions.md, Conversations) from its
 * timeline. Records are computed on every read, never stored, so a change of the two conversation
 * settings applies to every record at once, and the record delay needs no timer.
 */
final class Conversations {
  // runway-api.md §2.1.1: display names of four presets, from REACT's nextjs-simple example.
  // ASSUMPTION for the other five: the preset id in title case ("tennis-coach" -> "Tennis Coach").
  private static final Map<String, String> PRESET_NAMES =
      Map.of(
          "cat-character", "Mochi",
          "music-superstar", "Mina",
          "fashion-designer", "Sofia",
          "cooking-teacher", "Marco");

  private static final String NAME_PREFIX = "Conversation with ";

  private Conversations() {}

  /**
   * The record of {@code s} as it stood at {@code asOf}: the simulator shows records {@code
   * conversationRecordDelay} late, so the caller passes {@code now - delay}, and a record that lags
   * shows the state the session had then.
   *
   * @param unstartedHaveRecords the {@code conversationsForUnstartedSessions} setting
   * @param avatars looks up a custom avatar by (lower-case) id
   * @return empty when the session has no record as of {@code asOf} or its record was deleted
   */
  static Optional<Conversation> project(
      Session s, Instant asOf, boolean unstartedHaveRecords, Function<String, Avatar> avatars) {
    if (s.conversationDeleted || asOf.isBefore(s.createdAt)) {
      return Optional.empty();
    }
    boolean started = s.consumedAt != null && !s.consumedAt.isAfter(asOf);
    boolean ended = s.endedAt != null && !s.endedAt.isAfter(asOf);
    if (!started && !unstartedHaveRecords) {
      // ASSUMPTION (runway-api-additions.md leaves it open): a session that never became
      // RUNNING has no conversation, the harder case for a client. Configurable.
      return Optional.empty();
    }
    Status status;
    Instant endedAt = null;
    Long duration = null;
    String failureCode = null;
    String failure = null;
    if (!ended) {
      status = Status.IN_PROGRESS;
      // OAS in_progress `duration`: "Elapsed duration in seconds, or null if not yet started".
      duration = started ? wholeSeconds(s.consumedAt, asOf) : null;
    } else {
      status = s.status == SessionStatus.FAILED ? Status.FAILED : Status.ENDED;
      if (status == Status.FAILED) {
        failureCode = s.failureCode;
        failure = s.failure;
      }
      if (started) {
        endedAt = s.endedAt;
        // COMPLETED reports the session's own `duration`; ASSUMPTION for a session cancelled or
        // failed while RUNNING: the whole seconds it ran, status `ended` for a cancel (the spec
        // maps only "completed successfully" to ended and "an error" to failed).
        duration =
            s.status == SessionStatus.COMPLETED
                ? s.durationSeconds
                : wholeSeconds(s.consumedAt, s.endedAt);
      }
      // Never started: the OAS failed variant says startedAt, endedAt and duration are "null if
      // it failed before starting"; ASSUMPTION: the same for one cancelled before starting.
    }
    AvatarRef avatar = avatar(s.spec, avatars);
    // ASSUMPTION: createdAt is the session's; maxDuration the create body's, null when it had none
    // (OAS: "or null if not set"), not the 300 s default the session runs with.
    return Optional.of(
        new Conversation(
            s.id,
            status,
            s.createdAt,
            started ? s.consumedAt : null,
            endedAt,
            duration,
            s.spec.maxDurationSeconds().orElse(null),
            name(avatar),
            avatar,
            s.spec.tools(),
            failureCode,
            failure));
  }

  private static AvatarRef avatar(SessionSpec spec, Function<String, Avatar> avatars) {
    if (spec.presetId().isPresent()) {
      String presetId = spec.presetId().get();
      return new Conversation.Preset(presetId, presetName(presetId));
    }
    String id = spec.customAvatarId().orElseThrow().toLowerCase(Locale.ROOT);
    // Create checked that the avatar exists, and the simulator never deletes avatars (reset
    // forgets sessions too), so the spec's null id and name of a deleted avatar never occur.
    Avatar a = avatars.apply(id);
    return new Conversation.Custom(id, a.name(), a.processedImageUri());
  }

  static String presetName(String presetId) {
    String known = PRESET_NAMES.get(presetId);
    if (known != null) {
      return known;
    }
    return Arrays.stream(presetId.split("-"))
        .map(w -> w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1))
        .collect(Collectors.joining(" "));
  }

  /**
   * ASSUMPTION: the OAS says only "auto-generated or user-provided" and the create body has no
   * name, so the simulator names each conversation after its avatar.
   */
  private static String name(AvatarRef avatar) {
    return switch (avatar) {
      case Conversation.Preset p -> NAME_PREFIX + p.name();
      case Conversation.Custom c -> NAME_PREFIX + c.name();
    };
  }

  private static long wholeSeconds(Instant from, Instant to) {
    return Duration.between(from, to).toSeconds();
  }
}
