package dev.avatargateway.simulator.internal.world;

import dev.avatargateway.simulator.AvatarStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the world answers to each API operation; the HTTP layer maps these to status codes. */
public final class Outcomes {
  private Outcomes() {}

  /** Result of creating a session. */
  public sealed interface CreateOutcome {}

  /** The session exists. */
  public record Created(String id) implements CreateOutcome {}

  /** The custom avatar named in the body is unknown. */
  public record AvatarNotFound() implements CreateOutcome {}

  /** The custom avatar exists but is not READY. */
  public record AvatarNotReady(AvatarStatus status) implements CreateOutcome {}

  /** Credits are configured as exhausted. */
  public record CreditsExhausted() implements CreateOutcome {}

  /** Result of consume or connect_backend. */
  public sealed interface CredentialsOutcome {}

  /** Credentials may be issued for this room until {@code expiresAt}. */
  public record Granted(String sessionId, String roomName, Instant issuedAt, Instant expiresAt)
      implements CredentialsOutcome {}

  /** No such session. */
  public record SessionNotFound() implements CredentialsOutcome {}

  /** The bearer is not this session's key. */
  public record WrongSessionKey() implements CredentialsOutcome {}

  /** The session was consumed before. */
  public record AlreadyConsumed() implements CredentialsOutcome {}

  /** The session is in a status that does not allow the operation. */
  public record WrongStatus(SessionStatus status) implements CredentialsOutcome {}

  /** One page of avatars. */
  public record AvatarPage(List<Avatar> data, boolean hasMore, Optional<String> nextCursor) {}

  /**
   * One page of conversation records, newest first.
   *
   * @param nextCursor the id of the page's last record, when more follow
   */
  public record ConversationPage(
      List<Conversation> data, boolean hasMore, Optional<String> nextCursor) {}
}
