package dev.avatargateway.runway;

import java.time.Duration;

/**
 * Sees every HTTP attempt the client makes, retries included: for metrics ("upstream requests by
 * operation and status") and for counting a flow's requests. Called on the calling thread right
 * after each attempt; must be quick and must not throw.
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
   * @param duration from sending to the response headers (or the failure)
   * @param retry 0 for the first attempt, 1 for the first retry, ...
   */
  record Attempt(String operation, int status, Duration duration, int retry) {}
}
