package dev.avatargateway.gateway.core.internal.connect;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.runway.AuthenticationException;
import dev.avatargateway.runway.NotFoundException;
import dev.avatargateway.runway.PermissionDeniedException;
import dev.avatargateway.runway.RateLimitException;
import dev.avatargateway.runway.ReadinessTimeoutException;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RunwayApiException;
import dev.avatargateway.runway.RunwayConnectionException;
import dev.avatargateway.runway.RunwayException;
import dev.avatargateway.runway.RunwayInterruptedException;
import dev.avatargateway.runway.RunwayTimeoutException;
import dev.avatargateway.runway.SessionStateException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what went wrong upstream into what the browser is told. Upstream text is never passed on
 * (issue 3: "upstream error bodies are never passed through raw"): every answer is one of our own
 * sentences with a stable code.
 */
public final class UpstreamErrors {
  /** 402 from create: ASSUMPTION, the seed guide's "insufficient credits" (runway-api.md §7.1). */
  private static final int PAYMENT_REQUIRED = 402;

  /**
   * Retry-After for an upstream 429 that named no delay: the official SDK's last back-off is about
   * a second, and Runway's daily limits do not lift in seconds, so a few seconds is an honest hint.
   */
  static final Duration DEFAULT_UPSTREAM_RETRY_AFTER = Duration.ofSeconds(5);

  private static final String AVATAR = "avatars.retrieve";
  private static final String CREATE = "realtime_sessions.create";
  private static final String CONSUME = "realtime_sessions.consume";

  private UpstreamErrors() {}

  /**
   * The answer for a connect stopped from outside: its client left, or the gateway stops.
   *
   * @param stopReason why it was stopped; empty is taken as shutdown
   */
  static GatewayException stopped(Optional<StopReason> stopReason, Throwable cause) {
    // Ended on request: the client gave the session up, as one that leaves does.
    return stopReason
            .filter(r -> r == StopReason.CLIENT_GONE || r == StopReason.END_REQUESTED)
            .isPresent()
        ? new GatewayException(
            ErrorCode.CLIENT_GONE, "The client went away.", null, Map.of(), cause)
        : new GatewayException(
            ErrorCode.SHUTTING_DOWN,
            "The server is restarting; try again in a moment.",
            Duration.ofSeconds(1),
            Map.of(),
            cause);
  }

  /**
   * The answer for an upstream failure.
   *
   * @param stage the client operation that failed, e.g. {@code realtime_sessions.create}
   * @param stopReason why the connect was stopped from outside, if it was
   */
  static GatewayException map(RunwayException e, String stage, Optional<StopReason> stopReason) {
    return switch (e) {
      case RunwayInterruptedException i -> stopped(stopReason, e);
      case ReadinessTimeoutException t ->
          new GatewayException(
              ErrorCode.SESSION_TIMEOUT,
              t.queued()
                  ? "The avatar session waited in Runway's queue for too long; try again later."
                  : "The avatar session was not ready in time; try again.",
              null,
              Map.of(),
              e);
      case SessionStateException s when s.session() instanceof RealtimeSession.Failed f ->
          new GatewayException(
              ErrorCode.SESSION_FAILED,
              "The avatar session failed to start; try again.",
              null,
              Map.of("failureCode", f.failureCode()),
              e);
      case SessionStateException s ->
          new GatewayException(
              ErrorCode.UPSTREAM_ERROR,
              "The avatar session ended before it could be used; try again.",
              null,
              Map.of(),
              e);
      case RunwayTimeoutException t ->
          new GatewayException(
              ErrorCode.UPSTREAM_TIMEOUT,
              "Runway did not answer in time; try again.",
              null,
              Map.of(),
              e);
      case RunwayConnectionException c ->
          new GatewayException(
              ErrorCode.UPSTREAM_ERROR,
              "Runway could not be reached; try again.",
              null,
              Map.of(),
              e);
      case AuthenticationException a when !CONSUME.equals(stage) -> misconfigured(e);
      case PermissionDeniedException p when !CONSUME.equals(stage) -> misconfigured(e);
      case NotFoundException n when AVATAR.equals(stage) || CREATE.equals(stage) ->
          new GatewayException(
              ErrorCode.AVATAR_NOT_FOUND,
              "This custom avatar does not exist in the Runway account.",
              null,
              Map.of(),
              e);
      case RateLimitException r ->
          new GatewayException(
              ErrorCode.UPSTREAM_BUSY,
              "Runway is busy right now; try again shortly.",
              r.retryAfter().orElse(DEFAULT_UPSTREAM_RETRY_AFTER),
              Map.of(),
              e);
      case RunwayApiException api when api.status() == PAYMENT_REQUIRED ->
          new GatewayException(
              ErrorCode.UPSTREAM_CREDITS_EXHAUSTED,
              "Avatar sessions are unavailable right now; the service has run out of credits.",
              null,
              Map.of(),
              e);
      default ->
          new GatewayException(
              ErrorCode.UPSTREAM_ERROR,
              "Runway could not start the avatar session; try again.",
              null,
              Map.of(),
              e);
    };
  }

  private static GatewayException misconfigured(RunwayException e) {
    return new GatewayException(
        ErrorCode.GATEWAY_MISCONFIGURED,
        "The avatar service is misconfigured; the operator has been told.",
        null,
        Map.of(),
        e);
  }
}
