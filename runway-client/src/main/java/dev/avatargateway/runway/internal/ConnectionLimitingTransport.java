package dev.avatargateway.runway.internal;

import java.time.Duration;

/**
 * Holds each attempt to a {@link ConnectionLimit}: an attempt waits for a free connection, then
 * sends, then gives the connection back, whatever the outcome.
 *
 * <p>It sits inside the retrying transport, so that every attempt takes and gives back its own
 * connection and a retry's back-off holds none. The attempt's time-out covers the wait and the
 * exchange together, as the JDK's request time-out covers connecting and exchanging: the exchange
 * gets what the wait left, so that an attempt cut to the caller's deadline still ends by it.
 */
public final class ConnectionLimitingTransport implements HttpTransport {
  private final HttpTransport delegate;
  private final ConnectionLimit limit;

  /**
   * @param delegate sends the attempt once it holds a connection
   * @param limit shared by every copy of the client
   */
  public ConnectionLimitingTransport(HttpTransport delegate, ConnectionLimit limit) {
    this.delegate = delegate;
    this.limit = limit;
  }

  @Override
  public HttpResult send(OutgoingRequest request) throws TransportException, InterruptedException {
    Duration waited = Duration.ZERO;
    if (!limit.acquireNow()) {
      long start = System.nanoTime();
      if (!limit.acquire(request.timeout())) {
        throw noFreeConnection(request);
      }
      waited = Duration.ofNanos(System.nanoTime() - start);
    }
    try {
      Duration left = request.timeout().minus(waited);
      if (left.isNegative() || left.isZero()) {
        throw noFreeConnection(request);
      }
      return delegate.send(request.withTimeout(left).withConnectionWait(waited));
    } finally {
      limit.release();
    }
  }

  private TransportException noFreeConnection(OutgoingRequest request) {
    limit.countTimedOut();
    return new TransportException(
        TransportException.Kind.NO_FREE_CONNECTION,
        "Timed out: waited for a free connection for "
            + request.timeout().toMillis()
            + " ms (all "
            + limit.max()
            + " in use); nothing was sent",
        null);
  }
}
