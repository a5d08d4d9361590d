package dev.avatargateway.gateway.core.internal.auth;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;

/**
 * A 401 with the reason behind it, so that {@link Authenticators#wwwAuthenticate} can answer the
 * matching RFC 6750 §3 challenge. Messages are fixed sentences: they never quote what the caller
 * sent, and they say no more than a client needs (expired, or not valid), not which check failed.
 */
final class AuthFailure extends GatewayException {
  private static final long serialVersionUID = 1L;

  /** The protection space named in every challenge (RFC 7235 §2.2). */
  static final String REALM = "avatar-gateway";

  private static final String CHALLENGE = "Bearer realm=\"" + REALM + "\"";

  /** Why authentication failed; each has its own challenge. */
  enum Reason {
    /** No credentials, or a scheme other than Bearer: RFC 6750 §3.1 wants no error code. */
    MISSING(
        "Credentials are required: send them in the Authorization header as a Bearer token.",
        CHALLENGE),
    /** Credentials in two places at once (RFC 6750 §2: one method per request). */
    AMBIGUOUS(
        "Send the credentials in one header only: Authorization or X-Api-Key.",
        CHALLENGE + ", error=\"invalid_request\""),
    /** Unknown key, bad signature, wrong issuer or audience, not yet valid, malformed. */
    INVALID("The credentials are not valid.", CHALLENGE + ", error=\"invalid_token\""),
    /** A genuine token whose {@code exp} has passed (the signature was checked first). */
    EXPIRED(
        "The token has expired: get a new one and try again.",
        CHALLENGE + ", error=\"invalid_token\", error_description=\"The access token expired\""),
    /**
     * The issuer's keys could not be fetched: the token may well be good, so no {@code
     * invalid_token} that would make a client throw it away.
     */
    KEYS_UNAVAILABLE(
        "The credentials cannot be checked right now: try again in a moment.", CHALLENGE);

    private final String message;
    private final String challenge;

    Reason(String message, String challenge) {
      this.message = message;
      this.challenge = challenge;
    }
  }

  private final Reason reason;

  AuthFailure(Reason reason) {
    super(
        reason == Reason.KEYS_UNAVAILABLE ? ErrorCode.AUTH_UNAVAILABLE : ErrorCode.UNAUTHENTICATED,
        reason.message,
        reason == Reason.KEYS_UNAVAILABLE ? KEYS_RETRY_AFTER : null,
        java.util.Map.of(),
        null);
    this.reason = reason;
  }

  /**
   * When to try again while the issuer's keys cannot be fetched: a few seconds, the order of one
   * JWKS refetch interval's rate-limited attempts.
   */
  static final java.time.Duration KEYS_RETRY_AFTER = java.time.Duration.ofSeconds(5);

  /** The reason. */
  Reason reason() {
    return reason;
  }

  /** The {@code WWW-Authenticate} value for this failure. */
  String challenge() {
    return reason.challenge;
  }

  /** The challenge for a 401 whose reason is unknown. */
  static String plainChallenge() {
    return CHALLENGE;
  }

  /**
   * No stack trace: the place of a refusal is always the authenticator, and an attacker sending bad
   * credentials in a loop should not make every refusal walk the stack.
   */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
