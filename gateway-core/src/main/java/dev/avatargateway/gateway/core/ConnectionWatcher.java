package dev.avatargateway.gateway.core;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that clients closed their connections while their requests wait (a connect waiting for
 * its session, an event stream waiting for its next event), for servers that tell a handler nothing
 * of such a close (Jetty 12 and Tomcat 11 over HTTP/1.1: a connection has no read interest while
 * its request is handled, so a FIN stays unread).
 *
 * <p>One platform daemon thread ({@value #THREAD_NAME}) looks at every watched {@link
 * ClientConnection} in turn, every poll interval, with a non-blocking read: a waiting connect then
 * costs one small watch instead of a thread, its stack and its thread locals, and no thread is
 * started and interrupted per connect. A look costs a few microseconds, so a sweep over 10,000
 * waiting connects stays well inside the interval.
 *
 * <p>Per watch: the client's leaving is told once; a look that finds bytes ends the looking (the
 * next look would find the same bytes), and bytes that could not be given back to the server make
 * the watch ask, when it is closed, for the connection to be closed after the answer, so that the
 * client does not wait on a request that lost its first bytes. Watch only once the request's body
 * was read: a look would read body bytes.
 */
public final class ConnectionWatcher implements AutoCloseable {
  /**
   * The default poll interval, 100 ms: a browser that leaves has long closed its socket within 100
   * ms, a paid session is not worth much in that time, and a look costs microseconds, so even
   * 10,000 waiting connects cost little.
   */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /** The sweep thread's name; one such thread per watcher, so one per server. */
  public static final String THREAD_NAME = "avatar-gateway-disconnects";

  /** Room for one byte: a look only needs to learn whether anything arrived. */
  private static final int SCRATCH_BYTES = 1;

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatcher.class);

  /** A watch that watches nothing: for a watcher already closed. */
  private static final Watch NOTHING =
      new Watch() {
        @Override
        public void gone() {}

        @Override
        public void close() {}
      };

  private final Duration pollInterval;
  private final Set<Running> watched = ConcurrentHashMap.newKeySet();

  /** One buffer for every look: only the sweep thread looks, and what it reads is not kept. */
  private final ByteBuffer scratch = ByteBuffer.allocate(SCRATCH_BYTES);

  private final Thread sweeper;
  private volatile boolean closed;

  /**
   * Starts the sweep thread, which {@link #close()} stops.
   *
   * @param pollInterval how often each watched connection is looked at; positive; {@link
   *     #POLL_INTERVAL} (100 ms) unless a test wants it shorter
   */
  public ConnectionWatcher(Duration pollInterval) {
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
    }
    this.pollInterval = pollInterval;
    // A platform daemon thread: one for the whole server, and it must not keep the JVM alive.
    this.sweeper = Thread.ofPlatform().name(THREAD_NAME).daemon(true).start(this::sweepUntilClosed);
  }

  /**
   * Starts looking at {@code connection}, on the request's thread, once its body has been read.
   *
   * @param connection the request's connection
   * @param closeAfterAnswer run once, on the thread that closes the watch, when a look lost bytes
   *     of the client's next request and the client did not leave: mark the answer {@code
   *     Connection: close}
   * @param onGone run once, on the sweep thread (or the one calling {@link Watch#gone()}), when the
   *     client is gone and the watch is not closed yet
   * @return the running watch; a watch that does nothing once this watcher is closed
   */
  public Watch watch(ClientConnection connection, Runnable closeAfterAnswer, Runnable onGone) {
    Running running =
        new Running(
            Objects.requireNonNull(connection, "connection"),
            Objects.requireNonNull(closeAfterAnswer, "closeAfterAnswer"),
            Objects.requireNonNull(onGone, "onGone"));
    if (closed) {
      return NOTHING;
    }
    watched.add(running);
    return running;
  }

  /**
   * How many connections are looked at now: watches neither closed, told gone nor ended by bytes.
   */
  public int watchedCount() {
    return watched.size();
  }

  /** Stops the sweep thread; watches still open are no longer looked at. Idempotent. */
  @Override
  public void close() {
    closed = true;
    sweeper.interrupt();
  }

  private void sweepUntilClosed() {
    long intervalNanos = pollInterval.toNanos();
    while (!closed) {
      long started = System.nanoTime();
      for (Running running : watched) {
        running.look();
      }
      long rest = intervalNanos - (System.nanoTime() - started);
      if (rest > 0) {
        try {
          Thread.sleep(Duration.ofNanos(rest));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** A running watch; closing it twice is harmless. */
  public interface Watch extends ClientPresence.Watch {
    /**
     * Tells that the client is gone, for a server that also learns it another way (a failure its
     * own listener reports): runs {@code onGone} unless it ran already or the watch is closed.
     */
    void gone();

    /**
     * Ends the watch, on the request's thread: no look touches the connection once this returns,
     * and {@code onGone} no longer runs. Runs {@code closeAfterAnswer} if bytes were lost.
     */
    @Override
    void close();
  }

  private final class Running implements Watch {
    /** Held while looking: once {@link #close()} returns, no look touches the connection. */
    private final ReentrantLock lock = new ReentrantLock();

    private final ClientConnection connection;
    private final Runnable closeAfterAnswer;
    private final Runnable onGone;
    private boolean done;
    private boolean lostBytes;

    Running(ClientConnection connection, Runnable closeAfterAnswer, Runnable onGone) {
      this.connection = connection;
      this.closeAfterAnswer = closeAfterAnswer;
      this.onGone = onGone;
    }

    /** One look at the connection, on the sweep thread. */
    void look() {
      ClientConnection.Look look;
      lock.lock();
      try {
        if (done) {
          return;
        }
        try {
          look = connection.look(scratch);
        } catch (RuntimeException e) {
          look = ClientConnection.Look.CANNOT_TELL;
        }
        if (look == ClientConnection.Look.LOST_BYTES) {
          lostBytes = true;
        }
      } finally {
        lock.unlock();
      }
      switch (look) {
        case WAITING -> {}
        case GONE -> gone();
        // The next look would find the same bytes: nothing more can be told until the answer.
        case SENT_BYTES, LOST_BYTES, CANNOT_TELL -> watched.remove(this);
      }
    }

    @Override
    public void gone() {
      lock.lock();
      try {
        if (done) {
          return;
        }
        done = true;
      } finally {
        lock.unlock();
      }
      watched.remove(this);
      try {
        onGone.run();
      } catch (RuntimeException e) {
        LOG.warn("Telling a request that its client left failed", e);
      }
    }

    @Override
    public void close() {
      boolean closeConnection;
      lock.lock();
      try {
        closeConnection = lostBytes && !done;
        done = true;
      } finally {
        lock.unlock();
      }
      watched.remove(this);
      if (closeConnection) {
        closeAfterAnswer.run();
      }
    }
  }
}
