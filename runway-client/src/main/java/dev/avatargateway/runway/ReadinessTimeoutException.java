package dev.avatargateway.runway;

/**
 * The deadline passed before the session became READY. The session may still become ready later:
 * whoever created it should cancel it ({@link RealtimeSessions#startSession} does).
 */
public class ReadinessTimeoutException extends RunwayTimeoutException {
  private static final long serialVersionUID = 1L;

  private final String sessionId;
  private final boolean queued;

  /**
   * @param sessionId the session that was awaited
   * @param queued whether the last status seen said the session was queued for capacity
   */
  public ReadinessTimeoutException(String sessionId, boolean queued) {
    super(
        "Realtime session "
            + sessionId
            + " was not READY by the deadline"
            + (queued ? " (it was queued for capacity)" : ""),
        null);
    this.sessionId = sessionId;
    this.queued = queued;
  }

  /** The session that was awaited. */
  public String sessionId() {
    return sessionId;
  }

  /** Whether the last status seen said the session was waiting in a queue for capacity. */
  public boolean queued() {
    return queued;
  }
}
