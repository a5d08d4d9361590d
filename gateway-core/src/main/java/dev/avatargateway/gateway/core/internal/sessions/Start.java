package dev.avatargateway.gateway.core.internal.sessions;

import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.SessionInfo;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One asynchronous start: its events for readers (bounded), its readers, the credentials until one
 * reader takes them, and the grace after which a start nobody reads is given up. Thread-safe: the
 * flow's thread, the poller's, readers' and the grace timer all call in.
 *
 * <p>Presence: the start counts as watched while a reader is open, or until {@code readerGrace}
 * after the {@code 202} and after the last reader left. When the grace passes unwatched, a flow
 * still running is stopped ({@link StopReason#CLIENT_GONE}: it cancels its session), and
 * credentials nobody took are dropped and the session ended through {@link Hooks#end}.
 *
 * <p>The credentials go to exactly one reader, once: taking them clears the only reference the
 * start holds. Every other reader (and every later one) gets a {@value SessionEvent#STATE} event in
 * their place, with the same id.
 */
final class Start {
  /**
   * The most events kept per start. A start has a handful (created, ready, an end); only {@code
   * queued} can repeat (a waiting line's position updates), so when full the oldest {@code queued}
   * goes first.
   */
  static final int MAX_EVENTS = 64;

  /** What the start needs from outside. */
  interface Hooks {
    /** Runs {@code task} once after {@code delay}; the returned handle cancels it. */
    Cancellable schedule(Runnable task, Duration delay);

    /** Ends the session upstream and in the ledger (off the caller's thread). */
    void end(String id, StopReason reason);
  }

  /** A scheduled task that can be called off. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /**
   * The state the session endpoints show for a start in the waiting line: not a ledger state, since
   * the ledger records a start only once it leaves the line to create its session.
   */
  static final String WAITING = "waiting";

  private final String id;
  private final Duration readerGrace;
  private final Hooks hooks;
  private final CompletableFuture<Void> accepted = new CompletableFuture<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // Guarded by lock.
  private final List<SessionEvent> events = new ArrayList<>();
  private long nextId = 1;
  private String principal;
  private String upstreamId;
  private StopReason cancelReason;
  private ConnectResult credentials;
  private boolean ended;
  private boolean flowDone;
  private boolean endRequested;
  private int readers;
  private Cancellable graceTimer;
  private Consumer<StopReason> stopFlow;
  private StopReason pendingStop;

  Start(String id, Duration readerGrace, Hooks hooks) {
    this.id = id;
    this.readerGrace = readerGrace;
    this.hooks = hooks;
  }

  String id() {
    return id;
  }

  /** Whose start it is, once accepted. */
  Optional<String> principal() {
    lock.lock();
    try {
      return Optional.ofNullable(principal);
    } finally {
      lock.unlock();
    }
  }

  // ----- The flow's side

  /** The presence the flow watches: stops come from the grace timer and from an end request. */
  ClientPresence presence() {
    return new ClientPresence() {
      @Override
      public Watch watch(Runnable onGone) {
        return watchStops(reason -> onGone.run());
      }

      @Override
      public Watch watchStops(Consumer<StopReason> stop) {
        StopReason already;
        lock.lock();
        try {
          stopFlow = stop;
          already = pendingStop;
        } finally {
          lock.unlock();
        }
        if (already != null) {
          stop.accept(already);
        }
        return () -> {
          lock.lock();
          try {
            stopFlow = null;
          } finally {
            lock.unlock();
          }
        };
      }
    };
  }

  /**
   * The flow passed its checks: the caller gets its {@code 202}, and the grace starts. Once only: a
   * start that waited in the line was accepted when it joined, before its {@code Accepted}.
   */
  void accepted(String principal) {
    lock.lock();
    try {
      if (accepted.isDone()) {
        return;
      }
      this.principal = principal;
      if (readers == 0) {
        startGrace();
      }
    } finally {
      lock.unlock();
    }
    accepted.complete(null);
  }

  /** The flow was refused before it was accepted: the caller gets the refusal. */
  void refused(RuntimeException e) {
    lock.lock();
    try {
      ended = true;
      flowDone = true;
    } finally {
      lock.unlock();
    }
    accepted.completeExceptionally(e);
  }

  /**
   * Waits until the flow was accepted or refused.
   *
   * @throws RuntimeException the refusal
   */
  void awaitAccepted() {
    try {
      accepted.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  boolean isAccepted() {
    return accepted.isDone() && !accepted.isCompletedExceptionally();
  }

  void created(String upstreamId) {
    lock.lock();
    try {
      this.upstreamId = upstreamId;
      add(SessionEvent.CREATED, Map.of("sessionId", upstreamId));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waiting for capacity. Position and wait are unknown while only Runway's {@code queued} flag
   * says so; they are JSON nulls then.
   */
  void queued(Integer position, Long etaSeconds) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("position", position);
    data.put("etaSeconds", etaSeconds);
    lock.lock();
    try {
      add(SessionEvent.QUEUED, data);
    } finally {
      lock.unlock();
    }
  }

  void ready() {
    lock.lock();
    try {
      add(SessionEvent.READY, Map.of());
    } finally {
      lock.unlock();
    }
  }

  /** The flow cancelled (or meant to cancel) its session, for this reason. */
  void cancelling(StopReason reason) {
    lock.lock();
    try {
      cancelReason = reason;
    } finally {
      lock.unlock();
    }
  }

  /** The flow handed the session over: the credentials wait for a reader. */
  void succeeded(ConnectResult result) {
    StopReason endNow;
    lock.lock();
    try {
      flowDone = true;
      // A stop that came too late for the flow (it had consumed already) still applies.
      endNow =
          endRequested
              ? StopReason.END_REQUESTED
              : ended
                  ? StopReason.SHUTDOWN
                  : pendingStop != null && readers == 0 ? pendingStop : null;
      if (endNow != null) {
        finish(SessionEvent.CANCELLED, reason(endNow));
      } else {
        credentials = result;
        if (readers == 0 && graceTimer == null) {
          startGrace();
        }
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (endNow != null) {
      hooks.end(id, endNow);
    }
  }

  /** The flow failed after it was accepted. */
  void failed(RuntimeException e) {
    lock.lock();
    try {
      flowDone = true;
      // A start stopped from outside before it created anything (in the line, say) was cancelled
      // too, though no session needed cancelling upstream.
      StopReason stopped =
          cancelReason != null
              ? cancelReason
              : e instanceof GatewayException g && g.code() == ErrorCode.CLIENT_GONE
                  ? pendingStop
                  : null;
      if (stopped != null) {
        finish(SessionEvent.CANCELLED, reason(stopped));
      } else {
        Map<String, Object> data = new LinkedHashMap<>();
        if (e instanceof GatewayException g) {
          data.put("code", g.code().code());
          data.put("error", g.getMessage());
          g.retryAfter().ifPresent(d -> data.put("retryAfterSeconds", d.toSeconds()));
          data.putAll(g.details());
        } else {
          data.put("code", ErrorCode.INTERNAL_ERROR.code());
          data.put("error", "Something went wrong on our side; try again.");
        }
        finish(SessionEvent.FAILED, data);
      }
    } finally {
      lock.unlock();
    }
  }

  // ----- Ending from outside

  /**
   * Its owner (or an admin) asked to end it: a running flow is stopped (and cancels its session),
   * credentials nobody took are dropped.
   *
   * @return whether the session must still be ended through the ledger (the flow is done: the
   *     session was handed over, or its credentials were dropped here)
   */
  boolean requestEnd() {
    Consumer<StopReason> stop = null;
    boolean endInLedger;
    lock.lock();
    try {
      endRequested = true;
      if (!flowDone) {
        stop = stopFlow;
        pendingStop = StopReason.END_REQUESTED;
        endInLedger = false;
      } else {
        endInLedger = true;
        if (credentials != null) {
          credentials = null;
          finish(SessionEvent.CANCELLED, reason(StopReason.END_REQUESTED));
        }
      }
    } finally {
      lock.unlock();
    }
    if (stop != null) {
      stop.accept(StopReason.END_REQUESTED);
    }
    return endInLedger;
  }

  /**
   * The gateway stops: credentials nobody took are dropped, and every reader's stream ends.
   *
   * @return whether credentials were dropped: the caller must end the session (at once, before the
   *     ledger closes)
   */
  boolean shutDown() {
    boolean endNow = false;
    lock.lock();
    try {
      if (credentials != null) {
        credentials = null;
        endNow = true;
      }
      if (!ended) {
        finish(SessionEvent.CANCELLED, reason(StopReason.SHUTDOWN));
      }
    } finally {
      lock.unlock();
    }
    return endNow;
  }

  /**
   * This start as the session endpoints show a session, for one that ended before the ledger had a
   * row of it, or that has none yet: no Runway id, no instants. {@value #WAITING} while it waits in
   * the line; once it left, the state and outcome of its stream's last event.
   */
  SessionInfo unrecorded() {
    lock.lock();
    try {
      SessionEvent last = ended ? events.getLast() : null;
      String state =
          last == null
              ? WAITING
              : SessionEvent.CANCELLED.equals(last.name())
                  ? SessionState.CANCELLED.code()
                  : SessionState.FAILED.code();
      Object outcome =
          last == null ? null : last.data().getOrDefault("reason", last.data().get("code"));
      return new SessionInfo(
          id,
          principal,
          null,
          state,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          false,
          outcome == null ? null : outcome.toString(),
          null);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the flow is done, at most {@code timeout}. */
  boolean awaitFlowDone(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!flowDone) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether nothing more will happen to it: the flow is done and its stream has ended. */
  boolean settled() {
    lock.lock();
    try {
      return flowDone && ended;
    } finally {
      lock.unlock();
    }
  }

  // ----- Readers

  /**
   * Opens a reader.
   *
   * @param lastEventId the last event the reader had (a reconnect): only later ones are sent
   */
  SessionEvents open(Optional<String> lastEventId) {
    long after = lastEventId.map(Start::parseId).orElse(0L);
    lock.lock();
    try {
      readers++;
      if (graceTimer != null) {
        graceTimer.cancel();
        graceTimer = null;
      }
    } finally {
      lock.unlock();
    }
    return new Reader(after);
  }

  /** An id of ours is a positive number; anything else counts as "from the start". */
  private static long parseId(String text) {
    try {
      return Math.max(0, Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private final class Reader implements SessionEvents {
    private long after;
    private boolean finished;
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean holdsCredentials;

    Reader(long after) {
      this.after = after;
    }

    @Override
    public List<SessionEvent> next(Duration timeout) throws InterruptedException {
      holdsCredentials = false;
      if (finished || closed.get()) {
        return List.of();
      }
      long nanos = timeout.toNanos();
      lock.lock();
      try {
        while (true) {
          if (closed.get()) {
            return List.of();
          }
          List<SessionEvent> fresh = new ArrayList<>();
          for (SessionEvent event : events) {
            if (Long.parseLong(event.id()) > after) {
              fresh.add(event);
            }
          }
          if (credentials != null && !ended) {
            // This reader takes them: the start keeps no reference from here on.
            SessionEvent handed = credentialsEvent(nextId, credentials);
            credentials = null;
            finish(SessionEvent.STATE, stateInPlaceOf(handed));
            fresh.add(handed);
            holdsCredentials = true;
          }
          if (!fresh.isEmpty()) {
            after = Long.parseLong(fresh.getLast().id());
            finished = fresh.getLast().terminal();
            return fresh;
          }
          if (ended) {
            finished = true;
            return List.of();
          }
          if (nanos <= 0) {
            return List.of();
          }
          nanos = changed.awaitNanos(nanos);
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean finished() {
      return finished;
    }

    @Override
    public void notSent() {
      if (holdsCredentials) {
        holdsCredentials = false;
        // A broken stream delivers no complete event (an EventSource dispatches an event only at
        // its closing blank line), so nobody will join this session.
        hooks.end(id, StopReason.CLIENT_GONE);
      }
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      lock.lock();
      try {
        readers--;
        if (readers == 0 && !ended) {
          startGrace();
        }
        // Wakes this reader's own wait, if another thread closed it (a disconnect).
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  // ----- Inside, under the lock

  private void startGrace() {
    if (graceTimer != null) {
      graceTimer.cancel();
    }
    graceTimer = hooks.schedule(this::graceOver, readerGrace);
  }

  /** Nobody came (back) within the grace. */
  private void graceOver() {
    Consumer<StopReason> stop = null;
    boolean endNow = false;
    lock.lock();
    try {
      graceTimer = null;
      if (readers > 0 || ended) {
        return;
      }
      if (credentials != null) {
        credentials = null;
        endNow = true;
        finish(SessionEvent.CANCELLED, reason(StopReason.CLIENT_GONE));
      } else if (!flowDone) {
        stop = stopFlow;
        pendingStop = StopReason.CLIENT_GONE;
      }
    } finally {
      lock.unlock();
    }
    if (stop != null) {
      stop.accept(StopReason.CLIENT_GONE);
    }
    if (endNow) {
      hooks.end(id, StopReason.CLIENT_GONE);
    }
  }

  private void add(String name, Map<String, Object> data) {
    if (ended) {
      return;
    }
    if (events.size() >= MAX_EVENTS) {
      Iterator<SessionEvent> it = events.iterator();
      boolean dropped = false;
      while (it.hasNext() && !dropped) {
        if (SessionEvent.QUEUED.equals(it.next().name())) {
          it.remove();
          dropped = true;
        }
      }
      if (!dropped) {
        events.removeFirst();
      }
    }
    events.add(new SessionEvent(Long.toString(nextId++), name, data));
    changed.signalAll();
  }

  /** Adds the stream's last event; nothing is added after it. */
  private void finish(String name, Map<String, Object> data) {
    if (ended) {
      return;
    }
    add(name, data);
    ended = true;
    if (graceTimer != null) {
      graceTimer.cancel();
      graceTimer = null;
    }
    changed.signalAll();
  }

  private static Map<String, Object> reason(StopReason reason) {
    return Map.of("reason", reason.code());
  }

  /** The connect answer, in the shape {@code POST /api/avatar/connect} gives (never kept). */
  private static SessionEvent credentialsEvent(long id, ConnectResult result) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("sessionId", result.sessionId());
    switch (result) {
      case ConnectResult.Credentials c -> {
        data.put("serverUrl", c.serverUrl());
        data.put("token", c.token());
        data.put("roomName", c.roomName());
      }
      case ConnectResult.SessionKey k -> {
        data.put("sessionKey", k.sessionKey());
        k.baseUrl().ifPresent(url -> data.put("baseUrl", url));
      }
    }
    return new SessionEvent(Long.toString(id), SessionEvent.CREDENTIALS, data);
  }

  /** What every other reader gets in the credentials' place. */
  private Map<String, Object> stateInPlaceOf(SessionEvent handed) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("sessionId", handed.data().get("sessionId"));
    data.put("state", handed.data().containsKey("token") ? "consumed" : "handed_out");
    return data;
  }

  /** For tests: how many readers are open. */
  int readers() {
    lock.lock();
    try {
      return readers;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: whether the grace timer runs. */
  boolean graceRunning() {
    lock.lock();
    try {
      return graceTimer != null;
    } finally {
      lock.unlock();
    }
  }
}
