package dev.avatargateway.runway;

import java.util.Optional;

/**
 * While waiting for READY, the session reached a status from which it will never become ready for
 * this caller: FAILED, CANCELLED, COMPLETED, or RUNNING (someone else consumed it).
 */
public class SessionStateException extends RunwayException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // records of this API are plain values; exceptions are not serialized
  private final RealtimeSession session;

  /**
   * @param session the status that ended the wait
   */
  public SessionStateException(RealtimeSession session) {
    super(describe(session));
    this.session = session;
  }

  private static String describe(RealtimeSession session) {
    String base = "Realtime session " + session.id() + " is " + session.status();
    return switch (session) {
      case RealtimeSession.Failed f -> base + " (" + f.failureCode() + ": " + f.failure() + ")";
      case RealtimeSession.Running r -> base + ": it was already consumed";
      default -> base;
    };
  }

  /** The session as last seen. */
  public RealtimeSession session() {
    return session;
  }

  /** The session id. */
  public String sessionId() {
    return session.id();
  }

  /**
   * The stable failure code when the session FAILED, e.g. {@code TALKING_AVATAR.NO_PARTICIPANT}.
   */
  public Optional<String> failureCode() {
    return session instanceof RealtimeSession.Failed f
        ? Optional.of(f.failureCode())
        : Optional.empty();
  }
}
