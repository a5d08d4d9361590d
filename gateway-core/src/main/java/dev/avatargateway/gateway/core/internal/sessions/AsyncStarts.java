package dev.avatargateway.gateway.core.internal.sessions;

import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.ConnectListener;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.SessionsConfig;
import dev.avatargateway.gateway.core.StopReason;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The asynchronous starts of this process: each runs the connect flow on a virtual thread of its
 * own, detached from the request that asked for it, and its events are kept per start ({@link
 * Start}, bounded) for its readers. As a {@link ConnectListener} it turns the flow's events into
 * the stream's; the start's id is the connect's id (the ledger's {@code gateway_id}), chosen before
 * the flow runs so that events find their start.
 *
 * <p>Memory is bounded: starts in flight are bounded by admission (each holds a connect's ticket),
 * and finished ones are kept for {@code sessions.retention}, at most {@link #MAX_RETAINED} of them.
 */
public final class AsyncStarts implements ConnectListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncStarts.class);

  /**
   * The most finished starts kept for late readers: a few hundred bytes each, so this is a few MiB
   * at most; beyond it the oldest go first (their readers are answered from the ledger).
   */
  static final int MAX_RETAINED = 10_000;

  private final Map<String, Start> starts = new ConcurrentHashMap<>();
  private final Queue<Start> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger retained = new AtomicInteger();
  private final Function<ConnectRequest, ConnectResult> flow;
  private final SessionsConfig config;
  private final BiConsumer<String, StopReason> ender;
  private final ScheduledExecutorService timers;

  /**
   * @param flow runs one connect on the calling thread (the connect use case)
   * @param config the grace and the retention
   * @param ender ends a session upstream and in the ledger; called on a virtual thread
   */
  public AsyncStarts(
      Function<ConnectRequest, ConnectResult> flow,
      SessionsConfig config,
      BiConsumer<String, StopReason> ender) {
    this.flow = flow;
    this.config = config;
    this.ender = ender;
    // One platform thread for every start's timers; what a timer does runs on a virtual thread.
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("avatar-gateway-sessions").daemon().factory());
  }

  /**
   * Runs {@code request}'s flow as a start of its own and returns once it was accepted.
   *
   * @return the start's id
   * @throws RuntimeException the refusal, when the flow stopped before it was accepted
   */
  public String start(ConnectRequest request) {
    String id = UUID.randomUUID().toString();
    Start start = new Start(id, config.readerGrace(), hooks());
    starts.put(id, start);
    ConnectRequest detached =
        new ConnectRequest(
            request.requestId(),
            request.headers(),
            request.peerAddress(),
            request.forwardedFor(),
            request.body(),
            start.presence(),
            id,
            request.responseMode());
    Thread.ofVirtual().name("avatar-gateway-start").start(() -> run(start, detached));
    try {
      start.awaitAccepted();
    } catch (RuntimeException e) {
      starts.remove(id, start);
      throw e;
    }
    return id;
  }

  private void run(Start start, ConnectRequest request) {
    MDC.put(LogFields.REQUEST_ID, request.requestId());
    try {
      ConnectResult result = flow.apply(request);
      start.succeeded(result);
    } catch (RuntimeException e) {
      if (start.isAccepted()) {
        start.failed(e);
      } else {
        start.refused(e);
      }
    } finally {
      MDC.remove(LogFields.REQUEST_ID);
      if (start.isAccepted()) {
        retain(start);
      }
    }
  }

  /** The start of this id, while this process keeps it. */
  public Optional<Start> find(String id) {
    return Optional.ofNullable(starts.get(id));
  }

  /** How many starts are kept (running and finished). */
  public int size() {
    return starts.size();
  }

  @Override
  public void on(ConnectEvent event) {
    Start start = starts.get(event.connectId());
    if (start == null) {
      return;
    }
    switch (event) {
      case ConnectEvent.Accepted a -> start.accepted(a.principal());
      case ConnectEvent.Created c -> start.created(c.sessionId());
      case ConnectEvent.Waiting w -> {
        // A start that waits in the line is answered before its wait, so that its caller can
        // read its position and leave the line by not reading.
        start.accepted(w.principal());
        start.queued(w.position(), w.eta().map(Duration::toSeconds).orElse(null));
      }
      case ConnectEvent.Queued q -> start.queued(null, null);
      case ConnectEvent.Ready r -> start.ready();
      case ConnectEvent.Cancelled c -> start.cancelling(c.reason());
      case ConnectEvent.CancelFailed c -> start.cancelling(c.reason());
      default -> {}
    }
  }

  /** Keeps a finished start for late readers, for the retention, within {@link #MAX_RETAINED}. */
  private void retain(Start start) {
    finished.add(start);
    if (retained.incrementAndGet() > MAX_RETAINED) {
      Start oldest = finished.poll();
      if (oldest != null) {
        forget(oldest);
      }
    }
    schedule(() -> expire(start), config.retention());
  }

  private void expire(Start start) {
    if (!start.settled()) {
      // Credentials still wait for their grace: look again later.
      schedule(() -> expire(start), config.retention().plus(config.readerGrace()));
      return;
    }
    if (finished.remove(start)) {
      forget(start);
    }
  }

  private void forget(Start start) {
    retained.decrementAndGet();
    starts.remove(start.id(), start);
  }

  private Start.Hooks hooks() {
    return new Start.Hooks() {
      @Override
      public Start.Cancellable schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> future = AsyncStarts.this.schedule(task, delay);
        return () -> future.cancel(false);
      }

      @Override
      public void end(String id, StopReason reason) {
        Thread.ofVirtual().name("avatar-gateway-end").start(() -> ender.accept(id, reason));
      }
    };
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return timers.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("A session timer failed", e);
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: nothing is scheduled any more.
      return new CancelledTimer();
    }
  }

  /**
   * Ends every start: credentials nobody took are dropped and their sessions ended (the flows
   * themselves were stopped by the drain before), and every reader's stream ends. Idempotent.
   */
  @Override
  public void close() {
    timers.shutdownNow();
    for (Start start : starts.values()) {
      if (start.shutDown()) {
        // On this thread: the ledger closes right after.
        ender.accept(start.id(), StopReason.SHUTDOWN);
      }
    }
  }

  /** A timer that never runs, for the time after {@link #close()}. */
  private static final class CancelledTimer implements ScheduledFuture<Object> {
    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(java.util.concurrent.Delayed other) {
      return 0;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return true;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
