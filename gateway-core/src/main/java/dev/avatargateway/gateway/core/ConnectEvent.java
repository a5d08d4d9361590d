package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.runway.RealtimeSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one connect did, as it happened: the single stream that the ledger, metrics, the summary log
 * line and event streams to browsers all read. Every connect ends with exactly one {@link Ended};
 * the events before it depend on how far it got:
 *
 * <pre>
 * rejected before any spending:  Ended
 * waited in line, then served:   Waiting..., WaitEnded, Accepted, ...
 * gave up or expired in line:    Waiting..., WaitEnded, Ended
 * normal, credentials mode:      Accepted, Created, [Queued], Ready, Consumed, Ended
 * normal, session-key mode:      Accepted, Created, [Queued], Ready, HandedOut, Ended
 * create refused or unknown:     Accepted, CreateFailed, Ended
 * stopped after create:          Accepted, Created, ..., Cancelled | CancelFailed, Ended
 * the session failed upstream:   Accepted, Created, ..., Failed, Ended
 * </pre>
 *
 * No event carries a secret (no session key, token or credential): they may be logged and streamed.
 */
public sealed interface ConnectEvent {
  /** The gateway's own id for this connect, also the ledger row's id (a UUID). */
  String connectId();

  /** When it happened, on the gateway's clock. */
  Instant at();

  /**
   * The connect passed authentication, the avatar checks and the limits, and is about to create an
   * upstream session: the write-ahead intent (nothing is paid yet).
   *
   * @param requestId the request id
   * @param principal the principal's name
   * @param clientAddress the client's address
   * @param avatarId the avatar
   * @param avatarType {@code runway-preset} or {@code custom}
   * @param mode what the browser will be given
   * @param maxDuration the longest the session may run upstream, when the template sets it (else
   *     Runway's default applies)
   */
  record Accepted(
      String connectId,
      Instant at,
      String requestId,
      String principal,
      String clientAddress,
      String avatarId,
      String avatarType,
      ResponseMode mode,
      Optional<Duration> maxDuration)
      implements ConnectEvent {}

  /**
   * The connect waits in the line in front of upstream creation (the organisation's cap is
   * reached): sent when it joins and whenever its position changes. Nothing is paid yet.
   *
   * @param principal the principal's name (an asynchronous start answers its owner from here on)
   * @param position its place, 1 for the head of the line
   * @param eta the estimated wait from now, whole seconds; empty when there is no history to base
   *     one on (docs/line.md)
   */
  record Waiting(
      String connectId, Instant at, String principal, int position, Optional<Duration> eta)
      implements ConnectEvent {}

  /**
   * The connect left the line: its turn came, or it stopped waiting (it expired, its client left,
   * the gateway stops). Follows at least one {@link Waiting}.
   *
   * @param waited from joining the line to leaving it
   * @param served whether it got its turn (and goes on to create)
   */
  record WaitEnded(String connectId, Instant at, Duration waited, boolean served)
      implements ConnectEvent {}

  /**
   * Create was answered with a session id: from now on it costs money until it ends.
   *
   * @param sessionId the upstream session id
   */
  record Created(String connectId, Instant at, String sessionId) implements ConnectEvent {}

  /**
   * Create failed.
   *
   * @param code the answer the browser gets
   * @param mayExist whether the upstream may have created a session all the same (a time-out or a
   *     broken connection after the request was sent): its id is unknown, so nobody can cancel it
   */
  record CreateFailed(String connectId, Instant at, ErrorCode code, boolean mayExist)
      implements ConnectEvent {}

  /**
   * Runway first said the session waits in its queue for capacity.
   *
   * @param sessionId the upstream session id
   */
  record Queued(String connectId, Instant at, String sessionId) implements ConnectEvent {}

  /**
   * The session became READY.
   *
   * @param sessionId the upstream session id
   * @param timeToReady from the start of the connect's upstream work to READY
   */
  record Ready(String connectId, Instant at, String sessionId, Duration timeToReady)
      implements ConnectEvent {}

  /**
   * The gateway consumed the session; the browser gets WebRTC credentials.
   *
   * @param sessionId the upstream session id
   * @param upstreamRequests HTTP attempts made upstream for this connect so far (create, status
   *     reads, consume; retries included), so that the hand-over's one ledger write carries the
   *     count and {@link Ended} need not write it again
   */
  record Consumed(String connectId, Instant at, String sessionId, int upstreamRequests)
      implements ConnectEvent {}

  /**
   * The browser gets the session key and consumes the session itself.
   *
   * @param sessionId the upstream session id
   * @param upstreamRequests HTTP attempts made upstream for this connect so far (create and status
   *     reads; retries included), as in {@link Consumed}
   */
  record HandedOut(String connectId, Instant at, String sessionId, int upstreamRequests)
      implements ConnectEvent {}

  /**
   * The gateway cancelled the session upstream.
   *
   * @param sessionId the upstream session id
   * @param reason why
   */
  record Cancelled(String connectId, Instant at, String sessionId, StopReason reason)
      implements ConnectEvent {}

  /**
   * The gateway meant to cancel the session but the upstream did not confirm it; the ledger's
   * keeper retries until it does.
   *
   * @param sessionId the upstream session id
   * @param reason why it was being cancelled
   */
  record CancelFailed(String connectId, Instant at, String sessionId, StopReason reason)
      implements ConnectEvent {}

  /**
   * The session ended upstream before it was handed over (FAILED, or ended by someone else).
   *
   * @param sessionId the upstream session id
   * @param status the terminal status Runway reported
   * @param failureCode Runway's failure code, for a FAILED session
   */
  record Failed(
      String connectId,
      Instant at,
      String sessionId,
      RealtimeSession.Status status,
      Optional<String> failureCode)
      implements ConnectEvent {}

  /**
   * The connect answered: its one summary.
   *
   * @param requestId the request id
   * @param principal the principal's name; empty when authentication failed
   * @param avatarId the avatar; empty when none could be read
   * @param avatarType {@code runway-preset} or {@code custom}; empty with no avatar
   * @param sessionId the upstream session id; empty when none was created
   * @param code the error answered; empty for success
   * @param failureCode Runway's failure code of a FAILED session
   * @param timeToReady to READY, when it got there
   * @param total from receiving the request to answering it
   * @param upstreamRequests HTTP attempts made upstream for this connect, retries included
   * @param queued whether Runway ever said the session was queued
   */
  record Ended(
      String connectId,
      Instant at,
      String requestId,
      Optional<String> principal,
      Optional<String> avatarId,
      Optional<String> avatarType,
      Optional<String> sessionId,
      Optional<ErrorCode> code,
      Optional<String> failureCode,
      Optional<Duration> timeToReady,
      Duration total,
      int upstreamRequests,
      boolean queued)
      implements ConnectEvent {
    /** Whether the browser got a session. */
    public boolean succeeded() {
      return code.isEmpty();
    }
  }
}
