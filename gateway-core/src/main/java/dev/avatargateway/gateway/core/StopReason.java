package dev.avatargateway.gateway.core;

import java.util.Locale;

/**
 * Why the gateway cancelled an upstream session it had started: every path that ends a paid session
 * the browser will not use names one of these.
 */
public enum StopReason {
  /** The session was not READY before the connect's deadline. */
  TIMEOUT,
  /** The browser went away while its session was being prepared. */
  CLIENT_GONE,
  /** The gateway was stopping and the connect did not finish within the grace period. */
  SHUTDOWN,
  /** Consuming the READY session failed, so nobody can use it. */
  CONSUME_FAILED,
  /** The ledger could not record a step; a session the books do not know about must not run. */
  LEDGER_FAILED,
  /** Anything else that ended the flow after create. */
  ERROR,
  /** Found after a crash (or on an instance whose lease expired) before it was handed over. */
  RECOVERED,
  /** Handed to a browser as a session key that it did not use in time. */
  HAND_OUT_EXPIRED,
  /** Its owner (or an admin) asked the gateway to end it ({@code DELETE} of the session). */
  END_REQUESTED;

  /** The lower-case spelling used in logs, metrics and the ledger, e.g. {@code client_gone}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
