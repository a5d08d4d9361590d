package dev.avatargateway.gateway.core.internal.connect;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the upstream HTTP attempts of the connect running on the current thread: the Runway
 * client's request observer runs on the calling thread, so a thread-local ties each attempt to its
 * connect without passing anything through the client.
 */
public final class ConnectTrace {
  private static final ThreadLocal<ConnectTrace> CURRENT = new ThreadLocal<>();

  private final AtomicInteger upstreamRequests = new AtomicInteger();

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

  /** How many HTTP attempts this connect sent upstream, retries included. */
  int upstreamRequests() {
    return upstreamRequests.get();
  }

  /** Ends {@link #bind()}. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
