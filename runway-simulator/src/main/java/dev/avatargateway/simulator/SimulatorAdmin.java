package dev.avatargateway.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Inspects and steers a running simulator. Every read evaluates session timelines at the current
 * simulated time first, so a test can {@link #advanceClock(Duration)} and read the outcome without
 * sleeping. The same operations are served over HTTP under {@code /_simulator/} (see README.md).
 */
public interface SimulatorAdmin {

  /** Every session since start or the last reset, in creation order. */
  List<SessionRecord> sessions();

  /** One session by id. */
  Optional<SessionRecord> session(String id);

  /**
   * Sessions that reached READY and were neither consumed nor cancelled before they failed for no
   * participant (readyWindow or key expiry passed), as of the current simulated time.
   */
  long leakedCount();

  /** Sessions neither consumed, cancelled nor terminal right now (NOT_READY or READY). */
  long openCount();

  /** Counters since start or the last reset. */
  SimulatorStats stats();

  /** Requests received on the API routes, oldest first; only the most recent 10,000 are kept. */
  List<RecordedRequest> requests();

  /** Adds a fault rule after those already installed. */
  void injectFault(FaultRule rule);

  /** Removes every fault rule. */
  void clearFaults();

  /** Provisioning delay for sessions that start provisioning from now on. */
  void setReadyAfter(DelayDistribution readyAfter);

  /**
   * Changes the concurrency cap (>= 1). Sessions already holding a slot keep it; raising the cap
   * starts queued sessions at once.
   */
  void setConcurrencyCap(int cap);

  /** When true, create answers 402 from now on. */
  void setCreditsExhausted(boolean exhausted);

  /**
   * The next {@code count} sessions created go FAILED with this code and message when their
   * provisioning ends, instead of READY.
   */
  void failNextSessions(int count, String failureCode, String failure);

  /**
   * Ends a RUNNING session the way a participant does, with the data-channel message {@code
   * {"type":"END_CALL"}} (runway-api-additions.md, "Ending a session"): it becomes COMPLETED at the
   * current simulated time, its {@code duration} the whole seconds (rounded down) since consume.
   *
   * @throws SimulatorException when no such session exists
   * @throws IllegalStateException when the session is not RUNNING
   */
  void endCall(String sessionId);

  /**
   * Fails a RUNNING session now, as a mid-call failure would: it becomes FAILED with this code and
   * message, and its conversation {@code failed} with the whole seconds it ran.
   *
   * @throws SimulatorException when no such session exists or code or message is blank
   * @throws IllegalStateException when the session is not RUNNING
   */
  void failRunningSession(String sessionId, String failureCode, String failure);

  /**
   * Adds a custom avatar that {@code GET /v1/avatars[/{id}]} serve and that sessions may name.
   *
   * @return the new avatar's id (UUID v4)
   */
  String createAvatar(String name, AvatarStatus status);

  /**
   * Moves an avatar to another status (e.g. PROCESSING to READY).
   *
   * @throws SimulatorException when no such avatar exists
   */
  void setAvatarStatus(String avatarId, AvatarStatus status);

  /**
   * Moves simulated time forward; every timer that falls due in between fires in order.
   *
   * @throws SimulatorException when {@code by} is negative
   */
  void advanceClock(Duration by);

  /**
   * Forgets sessions, avatars, requests, faults and counters, sets simulated time back to the base
   * clock, and restores the configuration the simulator was started with (including its faults).
   */
  void reset();
}
