package dev.avatargateway.gateway.core.internal.connect;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.StopReason;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connects running right now, each on its own (virtual) thread. A connect can be stopped from
 * outside: when its browser disconnects, or when the gateway shuts down. Stopping interrupts the
 * connect's thread, which ends any wait at once; the flow then cancels its upstream session.
 */
public final class InFlightConnects {
  private final Set<Handle> running = ConcurrentHashMap.newKeySet();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition emptied = lock.newCondition();
  private volatile boolean refusing;

  /**
   * Registers the calling thread's connect.
   *
   * @throws GatewayException {@code SHUTTING_DOWN} once {@link #refuseNew()} was called
   */
  public Handle register() {
    if (refusing) {
      throw shuttingDown();
    }
    Handle handle = new Handle(Thread.currentThread());
    running.add(handle);
    if (refusing) {
      handle.close();
      throw shuttingDown();
    }
    return handle;
  }

  /** From now on, {@link #register()} refuses. */
  public void refuseNew() {
    refusing = true;
  }

  /** How many connects are running. */
  public int size() {
    return running.size();
  }

  /**
   * Waits until no connect is running.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!running.isEmpty()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = emptied.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops every running connect. */
  public void stopAll(StopReason reason) {
    running.forEach(handle -> handle.stop(reason));
  }

  private static GatewayException shuttingDown() {
    return new GatewayException(
        ErrorCode.SHUTTING_DOWN,
        "The server is restarting; try again in a moment.",
        Duration.ofSeconds(1),
        Map.of(),
        null);
  }

  /** One running connect. */
  public final class Handle implements AutoCloseable {
    private final Thread thread;
    private final ReentrantLock state = new ReentrantLock();
    private boolean done;
    private boolean interruptible = true;
    private volatile StopReason stopReason;

    private Handle(Thread thread) {
      this.thread = thread;
    }

    /** Stops the connect (interrupts its thread) unless it has already finished. */
    public void stop(StopReason reason) {
      state.lock();
      try {
        if (!done && stopReason == null) {
          stopReason = reason;
          if (interruptible) {
            thread.interrupt();
          }
        }
      } finally {
        state.unlock();
      }
    }

    /**
     * Until {@link #allowInterrupts()}, a stop is remembered but does not interrupt: for a call
     * that must not be cut off halfway, such as create (an interrupted create may have started a
     * paid session whose id we would never learn).
     */
    public void deferInterrupts() {
      state.lock();
      try {
        interruptible = false;
      } finally {
        state.unlock();
      }
    }

    /** Ends {@link #deferInterrupts()}; a stop that came meanwhile interrupts now. */
    public void allowInterrupts() {
      state.lock();
      try {
        interruptible = true;
        if (stopReason != null && !done) {
          thread.interrupt();
        }
      } finally {
        state.unlock();
      }
    }

    /** Why the connect was stopped from outside, if it was. */
    public Optional<StopReason> stopReason() {
      return Optional.ofNullable(stopReason);
    }

    /** Deregisters; called by the connect's own thread when it is done. */
    @Override
    public void close() {
      state.lock();
      try {
        done = true;
      } finally {
        state.unlock();
      }
      running.remove(this);
      lock.lock();
      try {
        if (running.isEmpty()) {
          emptied.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
