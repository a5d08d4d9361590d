package dev.avatargateway.runway.internal;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * At most {@link #max()} attempts hold a connection at once; the others queue for one, first come
 * first served. One instance is shared by a client and all its copies, so that they hold one bound
 * over their one JDK connection pool.
 *
 * <p>The JDK's HTTP/1.1 client opens a connection for every request sent while all of its pooled
 * connections are busy, with no limit of its own; holding the number of requests in flight is what
 * holds the number of connections. An HTTP/1.1 connection goes back to the JDK's pool before {@code
 * send} returns, so a permit handed on finds it there and no extra connection is opened.
 */
public final class ConnectionLimit {
  private final int max;

  // Fair: a caller queued for a long time must not be overtaken again and again by new arrivals,
  // or it would time out while later callers get through.
  private final Semaphore permits;

  private final LongAdder timedOut = new LongAdder();

  /**
   * @param max how many attempts may hold a connection at once, at least 1
   */
  public ConnectionLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1");
    }
    this.max = max;
    this.permits = new Semaphore(max, true);
  }

  /**
   * Takes a connection if one is free and nobody is queued for one.
   *
   * @return true when a connection was taken: {@link #release()} it
   * @throws InterruptedException when the thread is interrupted
   */
  boolean acquireNow() throws InterruptedException {
    // A zero time-out keeps the queue order; the untimed tryAcquire() would barge ahead of
    // callers already waiting.
    return permits.tryAcquire(0, TimeUnit.NANOSECONDS);
  }

  /**
   * Queues for a connection, at most {@code timeout}.
   *
   * @return true when a connection was taken: {@link #release()} it; false when none came free
   * @throws InterruptedException when the thread is interrupted, before or while waiting
   */
  boolean acquire(Duration timeout) throws InterruptedException {
    return permits.tryAcquire(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
  }

  /** Counts a wait that ended without a connection in time. */
  void countTimedOut() {
    timedOut.increment();
  }

  /** Gives back a connection taken with {@link #acquire(Duration)}. */
  void release() {
    permits.release();
  }

  /** How many attempts may hold a connection at once. */
  public int max() {
    return max;
  }

  /** How many attempts hold a connection right now. */
  public int inFlight() {
    return max - permits.availablePermits();
  }

  /** How many callers are queued for a connection right now (an estimate while it changes). */
  public int waiting() {
    return permits.getQueueLength();
  }

  /** How many waits for a connection ended without one, since this limit was made. */
  public long timedOut() {
    return timedOut.sum();
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      // Longer than 292 years: as good as no time-out.
      return Long.MAX_VALUE;
    }
  }
}
