package dev.avatargateway.simulator.internal.world;

import java.time.Instant;
import java.util.List;

/**
 * A conversation record as {@code /v1/avatar_conversations} shows it at one instant
 * (runway-api-additions.md, Conversations). Components the spec types as nullable are null here
 * when absent.
 *
 * @param id the realtime session id (the spec: "The conversation id is the realtime session id")
 * @param status in_progress, ended or failed
 * @param createdAt when the realtime session was created
 * @param startedAt when the session was consumed (became RUNNING); null if it never started
 * @param endedAt when a started session ended; null while in progress and for sessions that never
 *     started
 * @param durationSeconds whole seconds run (elapsed so far while in progress); null if not started
 * @param maxDurationSeconds the {@code maxDuration} of the create body; null when it had none
 * @param name the conversation name
 * @param avatar the avatar the session used
 * @param tools the create body's tools
 * @param failureCode the session's failure code when failed, else null
 * @param failure the session's failure text when failed, else null
 */
public record Conversation(
    String id,
    Status status,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    Long durationSeconds,
    Integer maxDurationSeconds,
    String name,
    AvatarRef avatar,
    List<SessionSpec.Tool> tools,
    String failureCode,
    String failure) {

  /** Copies the tool list. */
  public Conversation {
    tools = List.copyOf(tools);
  }

  /** The three record variants, discriminated by {@code status} on the wire. */
  public enum Status {
    /** The session is RUNNING (or, when unstarted sessions have records, not started yet). */
    IN_PROGRESS("in_progress"),
    /** The session completed or was cancelled. */
    ENDED("ended"),
    /** The session failed. */
    FAILED("failed");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    /** The value of {@code status} in the JSON. */
    public String wire() {
      return wire;
    }
  }

  /** The avatar of a conversation; the JSON layer picks the members each route shows. */
  public sealed interface AvatarRef {}

  /**
   * A {@code runway-preset} avatar.
   *
   * @param presetId the preset id of the create body
   * @param name its display name
   */
  public record Preset(String presetId, String name) implements AvatarRef {}

  /**
   * A {@code custom} avatar.
   *
   * @param id the avatar id
   * @param name the avatar's name
   * @param imageUrl the avatar's processed image now, null when it has none (not READY)
   */
  public record Custom(String id, String name, String imageUrl) implements AvatarRef {}
}
