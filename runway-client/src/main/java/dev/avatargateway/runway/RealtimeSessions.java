package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ApiClient;
import dev.avatargateway.runway.internal.ApiClient.Call;
import dev.avatargateway.runway.internal.Json;
import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.ParamsValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Realtime sessions (runway-api.md §2): the single calls, {@link #awaitReady} and the whole seed
 * flow in {@link #startSession}. Obtain it from {@link RunwayClient#realtimeSessions()}.
 */
public final class RealtimeSessions {
  private static final String PATH = "/v1/realtime_sessions";
  private static final String JSON = "application/json";
  // The official SDK sends Accept: */* on DELETE (official-sdk-behaviour.md §1.3).
  private static final String ANY = "*/*";

  /**
   * How long a clean-up cancel may take, whatever the caller's deadline: long enough for one retry
   * after a dropped connection, short enough not to hold a failing request much longer.
   */
  static final Duration CANCEL_BUDGET = Duration.ofSeconds(5);

  /** Retries of a clean-up cancel: one, because it is best effort and bounded by its budget. */
  static final int CANCEL_RETRIES = 1;

  /**
   * Time kept for the last status request before a readiness deadline: a status request to the
   * simulator or to Runway's API takes tens of milliseconds, and a check that cannot finish before
   * the deadline is not worth starting.
   */
  static final Duration FINAL_CHECK_ALLOWANCE = Duration.ofMillis(250);

  private final ApiClient api;
  private final String apiKey;
  private final Clock clock;
  private final Sleeper sleeper;

  RealtimeSessions(ApiClient api, String apiKey, Clock clock, Sleeper sleeper) {
    this.api = api;
    this.apiKey = apiKey;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * Creates a session: {@code POST /v1/realtime_sessions}. This is a paid call and it is not
   * idempotent (no idempotency key exists), so it is retried only where the upstream provably
   * created nothing: the connection was never made, or it answered 429. After a 5xx, a broken
   * connection or a time-out the error surfaces, because a retry could start a second paid session
   * that nobody would use or cancel.
   *
   * @return the new session's id
   */
  public String create(RealtimeSessionCreateParams params) {
    return create(params, RequestOptions.none());
  }

  /** {@link #create(RealtimeSessionCreateParams)} with per-call options. */
  public String create(RealtimeSessionCreateParams params, RequestOptions options) {
    Objects.requireNonNull(params, "params");
    String body = Json.createBody(params);
    return Json.createdId(
        api.execute(
            new Call(
                "POST",
                PATH,
                Optional.of(body),
                apiKey,
                JSON,
                RetrySafety.NOT_IDEMPOTENT,
                "realtime_sessions.create"),
            options));
  }

  /** The session's current status: {@code GET /v1/realtime_sessions/{id}}. */
  public RealtimeSession retrieve(String id) {
    return retrieve(id, RequestOptions.none());
  }

  /** {@link #retrieve(String)} with per-call options. */
  public RealtimeSession retrieve(String id, RequestOptions options) {
    return Json.session(
        api.execute(
            new Call(
                "GET",
                path(id),
                Optional.empty(),
                apiKey,
                JSON,
                RetrySafety.IDEMPOTENT,
                "realtime_sessions.retrieve"),
            options));
  }

  /** Cancels the session: {@code DELETE /v1/realtime_sessions/{id}} (204). */
  public void cancel(String id) {
    cancel(id, RequestOptions.none());
  }

  /** {@link #cancel(String)} with per-call options. */
  public void cancel(String id, RequestOptions options) {
    api.execute(
        new Call(
            "DELETE",
            path(id),
            Optional.empty(),
            apiKey,
            ANY,
            RetrySafety.IDEMPOTENT,
            "realtime_sessions.cancel"),
        options);
  }

  /**
   * Exchanges a READY session's one-time key for WebRTC credentials: {@code POST
   * /v1/realtime_sessions/{id}/consume}, authenticated with the session key, not the API key
   * (runway-api.md §2.5). Works once per session.
   */
  public SessionCredentials consume(String id, String sessionKey) {
    return consume(id, sessionKey, RequestOptions.none());
  }

  /** {@link #consume(String, String)} with per-call options. */
  public SessionCredentials consume(String id, String sessionKey, RequestOptions options) {
    Objects.requireNonNull(sessionKey, "sessionKey");
    // Retried like a read: if a first attempt did consume, the retry fails (one-time key) and the
    // caller cancels the session, which is no worse than not retrying at all.
    return Json.credentials(
        api.execute(
            new Call(
                "POST",
                path(id) + "/consume",
                Optional.empty(),
                sessionKey,
                JSON,
                RetrySafety.IDEMPOTENT,
                "realtime_sessions.consume"),
            options));
  }

  /**
   * Credentials for your backend to join the session's room and serve {@code backend_rpc} tools:
   * {@code POST /v1/realtime_sessions/{id}/connect_backend} (runway-api.md §2.6).
   */
  public SessionCredentials connectBackend(String id) {
    return connectBackend(id, RequestOptions.none());
  }

  /** {@link #connectBackend(String)} with per-call options. */
  public SessionCredentials connectBackend(String id, RequestOptions options) {
    return Json.credentials(
        api.execute(
            new Call(
                "POST",
                path(id) + "/connect_backend",
                Optional.empty(),
                apiKey,
                JSON,
                RetrySafety.IDEMPOTENT,
                "realtime_sessions.connect_backend"),
            options));
  }

  /**
   * Polls until the session is READY and returns it.
   *
   * @param deadline give up at this instant
   * @param schedule when to check; {@link PollSchedule#defaults()} checks at once
   * @throws ReadinessTimeoutException when the deadline passes first
   * @throws SessionStateException on FAILED, CANCELLED, COMPLETED or RUNNING
   * @throws RunwayInterruptedException when the thread is interrupted
   */
  public RealtimeSession.Ready awaitReady(String id, Instant deadline, PollSchedule schedule) {
    return awaitReady(id, ReadinessWait.until(deadline).withSchedule(schedule));
  }

  /**
   * Polls until the session is READY and returns it; never sleeps past the deadline in force.
   *
   * @throws ReadinessTimeoutException when the deadline in force passes first
   * @throws SessionStateException on FAILED, CANCELLED, COMPLETED or RUNNING
   * @throws RunwayInterruptedException when the thread is interrupted
   */
  public RealtimeSession.Ready awaitReady(String id, ReadinessWait wait) {
    Objects.requireNonNull(wait, "wait");
    path(id);
    boolean seenQueued = false;
    for (int check = 0; ; check++) {
      Instant deadline = seenQueued ? wait.queuedDeadline() : wait.deadline();
      Duration remaining = Duration.between(clock.instant(), deadline);
      if (remaining.isNegative() || remaining.isZero()) {
        throw new ReadinessTimeoutException(id, seenQueued);
      }
      Duration pause = wait.schedule().delayBefore(check);
      if (pause.compareTo(remaining) >= 0) {
        // The whole pause would pass the deadline: check one last time just before it instead,
        // unless that check would come too soon after the previous one.
        pause = remaining.minus(FINAL_CHECK_ALLOWANCE);
        if (pause.isNegative() || (check > 0 && pause.compareTo(PollSchedule.MIN_INTERVAL) < 0)) {
          throw new ReadinessTimeoutException(id, seenQueued);
        }
      }
      pause(pause);
      RealtimeSession session = retrieve(id, RequestOptions.deadline(deadline));
      wait.onStatus().accept(session);
      switch (session) {
        case RealtimeSession.Ready ready -> {
          return ready;
        }
        case RealtimeSession.NotReady notReady -> seenQueued |= notReady.queued();
        default -> throw new SessionStateException(session);
      }
    }
  }

  private void pause(Duration duration) {
    if (duration.isZero()) {
      return;
    }
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunwayInterruptedException("Interrupted while waiting for a session", e);
    }
  }

  /**
   * The whole connect flow of the seed guide in one call: create, wait until READY, consume.
   *
   * <p>Nothing paid is left behind: when anything fails after the session was created (the
   * deadline, a FAILED status, a consume error, an interrupt) the session is cancelled (best
   * effort, at most {@link #CANCEL_BUDGET}) before the original exception is rethrown; a failed
   * cancel is attached to it as a suppressed exception.
   *
   * @param deadline when the whole flow must be done
   */
  public StartedSession startSession(RealtimeSessionCreateParams params, Instant deadline) {
    return startSession(params, ReadinessWait.until(deadline));
  }

  /** {@link #startSession(RealtimeSessionCreateParams, Instant)} with a custom wait. */
  public StartedSession startSession(RealtimeSessionCreateParams params, ReadinessWait wait) {
    Objects.requireNonNull(wait, "wait");
    String id = create(params, RequestOptions.deadline(wait.deadline()));
    try {
      RealtimeSession.Ready ready = awaitReady(id, wait);
      Instant deadline = wait.queuedDeadline();
      SessionCredentials credentials =
          consume(id, ready.sessionKey(), RequestOptions.deadline(deadline));
      return StartedSession.of(id, credentials);
    } catch (RuntimeException | Error e) {
      cancelQuietly(id, e);
      throw e;
    }
  }

  /**
   * Cancels a session as clean-up, bounded by {@link #CANCEL_BUDGET}. Runs even when the thread was
   * interrupted (the interrupt is what often got us here): the flag is cleared for the cancel and
   * set again afterwards.
   */
  private void cancelQuietly(String id, Throwable cause) {
    boolean interrupted = Thread.interrupted();
    try {
      cancel(
          id,
          RequestOptions.deadline(clock.instant().plus(CANCEL_BUDGET))
              .withMaxRetries(CANCEL_RETRIES));
    } catch (RuntimeException cancelFailure) {
      cause.addSuppressed(cancelFailure);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String path(String id) {
    Objects.requireNonNull(id, "id");
    if (!ParamsValidator.UUID_V4.matcher(id).matches()) {
      throw new InvalidParamsException("id", "must be a UUID (version 4), was '" + id + "'");
    }
    return PATH + "/" + id;
  }
}
