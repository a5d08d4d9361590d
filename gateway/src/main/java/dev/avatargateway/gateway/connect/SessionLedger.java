package dev.avatargateway.gateway.connect;

import dev.avatargateway.gateway.auth.Principal;
import java.time.Instant;

/**
 * Where the connect flow records each step of an upstream session, before it takes the next one, so
 * that a durable implementation (a later issue: a database row per session) can recover after a
 * crash: a session recorded {@code created} but never {@code consumed}, {@code handedOut}, {@code
 * cancelled} or {@code failed} is one somebody must cancel. Implementations must be thread-safe; a
 * step that cannot be recorded should throw, which stops the flow (and cancels the session) rather
 * than run a paid session the ledger does not know about.
 */
public interface SessionLedger {
  /** The upstream accepted the create; the session now costs money until it ends. */
  void created(
      String sessionId, String requestId, Principal principal, String avatarId, Instant at);

  /** The session became READY. */
  void ready(String sessionId, Instant at);

  /** The gateway consumed the session and is handing the credentials to the browser. */
  void consumed(String sessionId, Instant at);

  /** The gateway handed the session key to the browser, which consumes it itself. */
  void handedOut(String sessionId, Instant at);

  /** The gateway cancelled the session; {@code reason} is a metric-safe word. */
  void cancelled(String sessionId, String reason, Instant at);

  /** The session failed upstream. */
  void failed(String sessionId, String failureCode, Instant at);

  /** Records nothing. */
  SessionLedger NONE =
      new SessionLedger() {
        @Override
        public void created(
            String sessionId, String requestId, Principal principal, String avatarId, Instant at) {}

        @Override
        public void ready(String sessionId, Instant at) {}

        @Override
        public void consumed(String sessionId, Instant at) {}

        @Override
        public void handedOut(String sessionId, Instant at) {}

        @Override
        public void cancelled(String sessionId, String reason, Instant at) {}

        @Override
        public void failed(String sessionId, String failureCode, Instant at) {}
      };
}
