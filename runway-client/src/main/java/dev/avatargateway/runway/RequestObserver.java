package dev.avatargateway.runway;

import java.time.Duration;

/**
 * Sees every HTTP attempt the client makes, retries included: for metrics ("upstream requests by
 * operation and status", "time waited for a connection") and for counting a flow's requests. Called
 * on the calling thread right after each attempt; must be quick and must not throw.
 *
 * <p>An attempt that found no free connection within its time-out sent nothing and is not reported
 * here; it fails with {@link RunwayTimeoutException} and is counted in {@link
 * ConnectionUsage#waitsTimedOut()}.
 */
@FunctionalInterface
public interface RequestObserver {
  /** Called after each attempt. */
  void onAttempt(Attempt attempt);

  /** Observes nothing. */
  static RequestObserver none() {
    return attempt -> {};
  }

  /**
   * One attempt.
   *
   * @param operation which API call, e.g. {@code realtime_sessions.create}, {@code
   *     realtime_sessions.retrieve}, {@code realtime_sessions.cancel}, {@code
   *     realtime_sessions.consume}, {@code realtime_sessions.connect_backend}, {@code
   *     avatars.retrieve}, {@code avatars.list}, {@code avatar_conversations.list}, {@code
   *     avatar_conversations.retrieve}, {@code avatar_conversations.delete}, {@code
   *     avatar_usage.retrieve}
   * @param status the HTTP status, or 0 when no response arrived
   * @param duration from sending to the response (or the failure), without the wait for a
   *     connection
   * @param retry 0 for the first attempt, 1 for the first retry, ...
   * @param connectionWait how long the attempt queued for a free connection before it was sent (see
   *     {@link RunwayClient.Builder#maxConnections(int)}); {@link Duration#ZERO} when one was free
   *     at once. Nanosecond resolution.
   */
  record Attempt(
      String operation, int status, Duration duration, int retry, Duration connectionWait) {

    /** An attempt that did not wait for a connection. */
    public Attempt(String operation, int status, Duration duration, int retry) {
      this(operation, status, duration, retry, Duration.ZERO);
    }
  }
}
