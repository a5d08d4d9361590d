package dev.avatargateway.gateway.core;

/**
 * Every error the gateway answers, with its HTTP status and its stable {@code code}: clients may
 * branch on the code; the human-readable {@code error} text may change.
 */
public enum ErrorCode {
  /** The body is not valid JSON, or a field has the wrong type. */
  INVALID_REQUEST(400, "invalid_request"),
  /**
   * The {@code Idempotency-Key} header is empty, longer than 255 characters or not visible ASCII.
   */
  INVALID_IDEMPOTENCY_KEY(400, "invalid_idempotency_key"),
  /** The avatar id is neither a known preset nor a UUID. */
  INVALID_AVATAR(400, "invalid_avatar"),
  /** The request could not be read as HTTP (bad framing, a malformed header); Jetty's own 400. */
  BAD_REQUEST(400, "bad_request"),
  /** The client stopped sending the body before its announced end (an aborted upload). */
  INCOMPLETE_BODY(400, "incomplete_body"),
  /** The body was empty and no default avatar is configured. */
  AVATAR_REQUIRED(400, "avatar_required"),
  /** No or invalid credentials. */
  UNAUTHENTICATED(401, "unauthenticated"),
  /** The principal may not do this. */
  FORBIDDEN(403, "forbidden"),
  /**
   * A state-changing request from a web origin that is neither in {@code cors.allowedOrigins} nor
   * the gateway's own: refused before any work, so that no other site can spend the credits.
   */
  ORIGIN_NOT_ALLOWED(403, "origin_not_allowed"),
  /** The avatar is valid but not on this gateway's allow-list. */
  AVATAR_NOT_ALLOWED(403, "avatar_not_allowed"),
  /** The custom avatar does not exist upstream. */
  AVATAR_NOT_FOUND(404, "avatar_not_found"),
  /** No such route. */
  NOT_FOUND(404, "not_found"),
  /** The route exists but not with this method. */
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  /** The client sent the body too slowly (a stalled upload): the server stopped waiting. */
  REQUEST_TIMEOUT(408, "request_timeout"),
  /**
   * The session is being created by another gateway instance sharing the ledger, so it cannot be
   * ended here yet; see {@code Retry-After}.
   */
  SESSION_STARTING(409, "session_starting"),
  /** The custom avatar exists but is still processing or failed. */
  AVATAR_NOT_READY(409, "avatar_not_ready"),
  /**
   * A request with this {@code Idempotency-Key} is still running; see {@code Retry-After}. Nothing
   * was started for this one.
   */
  IDEMPOTENCY_KEY_IN_USE(409, "idempotency_key_in_use"),
  /**
   * A request with this {@code Idempotency-Key} was carried out, but its stored answer cannot be
   * opened (the encryption key changed): nothing is started again; a new key starts a new session.
   */
  IDEMPOTENCY_ANSWER_UNAVAILABLE(409, "idempotency_answer_unavailable"),
  /** The body is larger than the limit (16 KiB by default). */
  BODY_TOO_LARGE(413, "body_too_large"),
  /** The body is not {@code application/json}. */
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
  /** The request line's URI is longer than the server accepts. */
  URI_TOO_LONG(414, "uri_too_long"),
  /** The request's headers are larger than the server accepts. */
  HEADERS_TOO_LARGE(431, "headers_too_large"),
  /** This {@code Idempotency-Key} was used for a different request (another body or endpoint). */
  IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused"),
  /** A token bucket (per principal or per client address) is empty; see {@code Retry-After}. */
  RATE_LIMITED(429, "rate_limited"),
  /**
   * The client address sent too many invalid credentials: its connects are refused, before their
   * credentials are checked, until its failure bucket refills; see {@code Retry-After}.
   */
  TOO_MANY_AUTH_FAILURES(429, "too_many_auth_failures"),
  /** The principal already has the allowed number of connects in flight. */
  TOO_MANY_CONCURRENT_CONNECTS(429, "too_many_concurrent_connects"),
  /**
   * The principal already holds its allowed places in the waiting line ({@code
   * line.maxWaitingPerPrincipal}): one caller cannot push everybody else back.
   */
  TOO_MANY_WAITING(429, "too_many_waiting"),
  /**
   * A budget is used up (docs/budgets.md): the answer names it ({@code budget}), its {@code limit},
   * what is {@code used} and when it {@code resetsAt} (or that it frees when a session ends); see
   * {@code Retry-After}. Nothing was started.
   */
  QUOTA_EXCEEDED(429, "quota_exceeded"),
  /** Unexpected failure inside the gateway. */
  INTERNAL_ERROR(500, "internal_error"),
  /** The upstream failed, or answered something the gateway cannot use. */
  UPSTREAM_ERROR(502, "upstream_error"),
  /** The upstream session FAILED (the answer carries its failure code). */
  SESSION_FAILED(502, "session_failed"),
  /** The upstream refused our Runway secret: the operator must fix the configuration. */
  GATEWAY_MISCONFIGURED(502, "gateway_misconfigured"),
  /**
   * The upstream or this gateway's creation cap is saturated and the waiting line is full, or a
   * start waited {@code line.maxWait} in it; see {@code Retry-After}.
   */
  UPSTREAM_BUSY(503, "upstream_busy"),
  /** The upstream organisation has no credits left (ASSUMPTION: upstream answers 402). */
  UPSTREAM_CREDITS_EXHAUSTED(503, "upstream_credits_exhausted"),
  /**
   * The identity provider's keys (JWKS) cannot be fetched right now, so no token can be checked:
   * the caller's token may be good, so this is not a 401 (which makes apps drop tokens and send
   * users to log in again, loading an identity provider that is already failing).
   */
  AUTH_UNAVAILABLE(503, "auth_unavailable"),
  /**
   * The session ledger cannot record a step (its database is unreachable): no session is started
   * that the books would not know about, and one already started is cancelled.
   */
  LEDGER_UNAVAILABLE(503, "ledger_unavailable"),
  /**
   * The shared store of the rate limits (Redis, {@code redis.url}) cannot be reached, so the
   * gateway cannot check its limits and starts nothing ({@code redis.onFailure: refuse}); see
   * {@code Retry-After}.
   */
  LIMITS_UNAVAILABLE(503, "limits_unavailable"),
  /** The gateway is shutting down and takes no new connects. */
  SHUTTING_DOWN(503, "shutting_down"),
  /**
   * The gateway is working on all the connects it can hold (its cap of connects in flight, or its
   * heap): refused at once, before any work, so that the admitted ones finish; see {@code
   * Retry-After}.
   */
  OVERLOADED(503, "overloaded"),
  /** The session was not READY before the deadline. */
  SESSION_TIMEOUT(504, "session_timeout"),
  /** The upstream did not answer in time. */
  UPSTREAM_TIMEOUT(504, "upstream_timeout"),
  /** The client spoke an HTTP version the server does not (Jetty's own 505). */
  HTTP_VERSION_NOT_SUPPORTED(505, "http_version_not_supported"),
  /**
   * The browser went away while its session was being prepared (nginx's 499). Nobody receives this
   * answer; it names the outcome in logs and metrics.
   */
  CLIENT_GONE(499, "client_gone");

  private final int status;
  private final String code;

  ErrorCode(int status, String code) {
    this.status = status;
    this.code = code;
  }

  /** The HTTP status this error is answered with. */
  public int status() {
    return status;
  }

  /** The stable, machine-readable code in the JSON body. */
  public String code() {
    return code;
  }
}
