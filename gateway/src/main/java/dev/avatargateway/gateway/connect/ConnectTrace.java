package dev.avatargateway.gateway.connect;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What happened during one connect, filled in by the flow as it goes, for the summary log line and
 * metrics (issue 3 §3.4: requestId, principal, avatar, upstream session id, outcome, code, time to
 * ready, total time, upstream request count). Used by one request's thread, plus the client's
 * request observer on the same thread; not shared between requests.
 */
public final class ConnectTrace {
  private static final ThreadLocal<ConnectTrace> CURRENT = new ThreadLocal<>();

  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private volatile String avatarId;
  private volatile String avatarType;
  private volatile String sessionId;
  private volatile Duration timeToReady;
  private volatile boolean queued;
  private volatile String failureCode;
  private volatile String cancelReason;

  /** Counts an upstream HTTP attempt against the connect running on this thread, if any. */
  public static void countUpstreamRequest() {
    ConnectTrace trace = CURRENT.get();
    if (trace != null) {
      trace.upstreamRequests.incrementAndGet();
    }
  }

  /** Makes this the current thread's trace until the returned scope closes. */
  Scope bind() {
    CURRENT.set(this);
    return CURRENT::remove;
  }

  /** Ends {@link #bind()}. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  void avatar(String id, String type) {
    this.avatarId = id;
    this.avatarType = type;
  }

  void sessionId(String id) {
    this.sessionId = id;
  }

  void timeToReady(Duration duration) {
    this.timeToReady = duration;
  }

  void queued() {
    this.queued = true;
  }

  void failureCode(String code) {
    this.failureCode = code;
  }

  void cancelled(String reason) {
    this.cancelReason = reason;
  }

  /** The avatar id asked for, once resolved. */
  public Optional<String> avatarId() {
    return Optional.ofNullable(avatarId);
  }

  /** {@code runway-preset} or {@code custom}, once resolved. */
  public Optional<String> avatarType() {
    return Optional.ofNullable(avatarType);
  }

  /** The upstream session id, once created. */
  public Optional<String> sessionId() {
    return Optional.ofNullable(sessionId);
  }

  /** From create to READY, once ready. */
  public Optional<Duration> timeToReady() {
    return Optional.ofNullable(timeToReady);
  }

  /** Whether the upstream ever said the session was queued for capacity. */
  public boolean wasQueued() {
    return queued;
  }

  /** The upstream failure code, if the session FAILED. */
  public Optional<String> failureCode() {
    return Optional.ofNullable(failureCode);
  }

  /** Why the gateway cancelled the upstream session, if it did. */
  public Optional<String> cancelReason() {
    return Optional.ofNullable(cancelReason);
  }

  /** How many HTTP attempts this connect sent upstream, retries included. */
  public int upstreamRequests() {
    return upstreamRequests.get();
  }
}
