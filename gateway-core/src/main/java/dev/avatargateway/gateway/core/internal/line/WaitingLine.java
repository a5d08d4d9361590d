package dev.avatargateway.gateway.core.internal.line;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.internal.limits.Permit;
import dev.avatargateway.gateway.core.internal.limits.RedisBuckets;
import dev.avatargateway.gateway.core.internal.limits.UpstreamCreateGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A first-in first-out line in front of upstream creation. A start passes at once while the line is
 * empty, the line is open and the {@link UpstreamCreateGate} has a free slot; otherwise it waits
 * for its turn (at most {@code line.maxWait}), is told its position whenever it changes, and gets a
 * slot strictly in order of arrival: a slot that frees goes to the head of the line, never to a
 * start that arrives meanwhile.
 *
 * <p>The line is <b>closed</b> while Runway reports any session of ours {@code queued} for capacity
 * (runway-api.md §6, runway-api-additions.md "Price and limits": over the organisation's
 * concurrency a new session waits upstream with {@code queued: true}, and it is paid from
 * creation). Creating more then only adds paid sessions to Runway's queue, so nobody passes,
 * whatever the gate's free slots, until no session of ours is reported queued any more (its next
 * status is not queued, or its connect ends: READY, cancelled, failed). ASSUMPTION (Runway
 * documents no more than the flag): a session leaves Runway's queue when the organisation has
 * capacity again, so that moment is when the head of our line may try; if the organisation is still
 * full, the head's own session is reported queued and the line closes again. At most the gate's
 * free slots are created into a full organisation per reopening.
 *
 * <p>With a gate shared through Redis ({@link UpstreamCreateGate#shared}) the line is shared too:
 * one line across every instance, in global arrival order, with its bounds and its closed state
 * held across instances ({@code SharedLine}, docs/line.md "Shared through Redis"); that needs one
 * poller thread per instance, stopped by {@link #close()}.
 *
 * <p>Thread-safe. Waiting parks the caller (a virtual thread in the gateway) on a condition of its
 * own; without Redis nothing polls and no thread is started. Memory is bounded: at most {@code
 * line.maxWaiting} waiters and as many principal counts, and one entry per slot holder whose
 * session is queued.
 */
public final class WaitingLine {
  /** The metrics tag of a start refused because the line was full (the gate's own tag). */
  public static final String REJECTED_FULL = "upstream";

  /** The metrics tag of a start refused because its principal held all its places. */
  public static final String REJECTED_PRINCIPAL = "line_principal";

  /**
   * The metrics tag of a start refused because its principal's concurrent-session budget allows it
   * no more places (the budget's own refusals count under their budget as well).
   */
  public static final String REJECTED_BUDGET = "line_budget";

  /**
   * Retry-After when no estimate exists: a slot frees when some creation ends, which takes seconds
   * (time to READY), so asking again after five is neither hammering nor sleeping through it.
   */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  /** Retry-After is whole seconds; 0 would invite an immediate, certain second refusal. */
  private static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);

  /**
   * What a principal's budget allows it in the line ({@code
   * budgets.perPrincipal.concurrentSessions} less its live sessions, docs/line.md): asked once per
   * start that must wait, outside the line's lock (it may read the ledger), never for a start that
   * passes at once.
   */
  @FunctionalInterface
  public interface PlaceBudget {
    /** No budget: only {@code line.maxWaitingPerPrincipal} bounds a principal's places. */
    PlaceBudget NONE = principal -> held -> Optional.empty();

    /** The principal's allowance now. */
    Allowance of(String principal);

    /** One reading of a principal's allowance. */
    @FunctionalInterface
    interface Allowance {
      /**
       * The refusal when one more place, beside the {@code held} ones the principal waits in
       * already, is more than its budget allows; empty when it fits.
       */
      Optional<GatewayException> refusal(int held);
    }
  }

  /** Told each position of one waiting start, on its own thread, outside the line's lock. */
  @FunctionalInterface
  public interface Observer {
    /**
     * The start's position changed (or it just joined).
     *
     * @param position 1 for the head of the line
     * @param eta the estimated wait from now, whole seconds; empty without history to go by
     */
    void waiting(int position, Optional<Duration> eta);
  }

  private final UpstreamCreateGate gate;
  private final LineConfig config;
  private final WaitEstimator estimator;
  private final Clock clock;
  private final Consumer<String> onRejection;
  private final PlaceBudget budget;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final Map<String, Integer> placesByKey = new HashMap<>();
  private final Map<String, Integer> placesByPrincipal = new HashMap<>();
  private final Set<Place> upstreamQueued = new HashSet<>();
  private volatile int length;
  private final SharedLine shared; // null: the line is this instance's only

  /**
   * @param gate the slots for creations in flight ({@code rateLimit.maxUpstreamCreatesInFlight})
   * @param config the line's bounds; validated here
   * @param estimator the estimated waits
   * @param clock when a wait expires
   * @param onRejection told {@link #REJECTED_FULL} or {@link #REJECTED_PRINCIPAL} for each start
   *     refused on arrival (for metrics); must be fast and must not throw
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public WaitingLine(
      UpstreamCreateGate gate,
      LineConfig config,
      WaitEstimator estimator,
      Clock clock,
      Consumer<String> onRejection) {
    this(gate, config, estimator, clock, onRejection, PlaceBudget.NONE);
  }

  /**
   * A line whose places a principal's budget bounds too.
   *
   * @param budget what a principal's budget allows it in the line; {@link #REJECTED_BUDGET} is told
   *     to {@code onRejection} for each start it refuses
   */
  public WaitingLine(
      UpstreamCreateGate gate,
      LineConfig config,
      WaitEstimator estimator,
      Clock clock,
      Consumer<String> onRejection,
      PlaceBudget budget) {
    config.validate();
    this.budget = Objects.requireNonNull(budget, "budget");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.config = config;
    this.estimator = Objects.requireNonNull(estimator, "estimator");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
    // Last: the shared line's poller may call back into this line at once.
    this.shared = gate.leases().map(l -> new SharedLine(this, gate, l, config, clock)).orElse(null);
  }

  /**
   * Takes a creation slot, waiting in line for it when needed. Close the place when the creation is
   * no longer in flight (it holds the gate's slot).
   *
   * @param key whose place this is, for {@code line.maxWaitingPerPrincipal}: the principal's name,
   *     or an anonymous caller's address key
   * @param observer told the position on joining and whenever it changes; not called when the start
   *     passes at once
   * @throws InterruptedException when the caller's thread is interrupted while it waits (the client
   *     left, the gateway stops): its place is given up at once and those behind move up
   * @throws GatewayException 503 {@link ErrorCode#UPSTREAM_BUSY} when the line is full (or off) or
   *     the wait reached {@code line.maxWait}; 429 {@link ErrorCode#TOO_MANY_WAITING} when {@code
   *     key} holds {@code line.maxWaitingPerPrincipal} places already
   */
  public Place enter(String key, Observer observer) throws InterruptedException {
    return enter(key, Optional.empty(), observer);
  }

  /**
   * As {@link #enter(String, Observer)}, for a principal whose budget bounds its places too.
   *
   * @param principal whose budget applies ({@link PlaceBudget}); empty for none
   * @throws GatewayException as {@link #enter(String, Observer)}, and the budget's refusal (429
   *     {@code quota_exceeded}) when the principal's budget allows it no more places
   */
  public Place enter(String key, Optional<String> principal, Observer observer)
      throws InterruptedException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(observer, "observer");
    Instant deadline = clock.instant().plus(config.maxWait());
    if (shared != null) {
      try {
        return shared.enter(key, principal, observer, deadline);
      } catch (SharedLine.Unavailable e) {
        if (!gate.leases().orElseThrow().redis().fallsBackToLocal()) {
          throw RedisBuckets.unavailable(e.redisFailure());
        }
        // redis.onFailure: local: this instance's own line until Redis is back (logged once).
      }
    }
    Optional<Place> passed = passAtOnce();
    if (passed.isPresent()) {
      return passed.get();
    }
    // Only a start that must wait reads its budget: once, outside the lock (it may read the
    // ledger). A slot that frees meanwhile is taken below as if no time had passed.
    PlaceBudget.Allowance allowance = allowance(principal);
    Waiter me;
    lock.lock();
    try {
      if (waiting.isEmpty() && open()) {
        Optional<Permit> slot = localSlot();
        if (slot.isPresent()) {
          return new Place(slot.get(), false);
        }
      }
      if (waiting.size() >= config.maxWaiting()) {
        throw full(waiting.size() + 1);
      }
      int places = placesByKey.getOrDefault(key, 0);
      if (config.maxWaitingPerPrincipal() > 0 && places >= config.maxWaitingPerPrincipal()) {
        throw perPrincipal(waiting.size());
      }
      Optional<GatewayException> overBudget =
          allowance.refusal(principal.map(p -> placesByPrincipal.getOrDefault(p, 0)).orElse(0));
      if (overBudget.isPresent()) {
        onRejection.accept(REJECTED_BUDGET);
        throw overBudget.get();
      }
      me = new Waiter(key, principal.orElse(null), lock.newCondition());
      waiting.addLast(me);
      placesByKey.merge(key, 1, Integer::sum);
      principal.ifPresent(p -> placesByPrincipal.merge(p, 1, Integer::sum));
      me.position = waiting.size();
      length = waiting.size();
    } finally {
      lock.unlock();
    }
    return await(me, deadline, observer);
  }

  /** What {@code principal}'s budget allows it in the line; read outside any lock. */
  PlaceBudget.Allowance allowance(Optional<String> principal) {
    return principal.isPresent() ? budget.of(principal.get()) : PlaceBudget.NONE.of("");
  }

  /** Counts a start refused on arrival under {@code tag}. */
  void rejected(String tag) {
    onRejection.accept(tag);
  }

  /** Counted: the refusal of a start that would be at {@code position} in a full line. */
  GatewayException full(int position) {
    onRejection.accept(REJECTED_FULL);
    return busy(
        config.enabled()
            ? "The service is busy and its waiting line is full. Please try again later."
            : "The service is busy starting other sessions. Please try again in a moment.",
        retryAfter(position));
  }

  /** Counted: the refusal of a start whose key holds all its places, the line being this long. */
  GatewayException perPrincipal(int length) {
    onRejection.accept(REJECTED_PRINCIPAL);
    return new GatewayException(
        ErrorCode.TOO_MANY_WAITING,
        "You are already waiting for a session. Wait for it to start and try again.",
        retryAfter(length),
        Map.of(),
        null);
  }

  /** The answer of a start that waited {@code line.maxWait}. */
  GatewayException expired() {
    return busy(
        "No session could be started within "
            + config.maxWait().toSeconds()
            + " s of waiting. Please try again later.",
        retryAfter(1));
  }

  /** The estimated wait at {@code position}. */
  Optional<Duration> eta(int position, boolean closed) {
    return estimator.eta(position, closed);
  }

  /** A place holding a slot of the shared gate (its queued state is shared too). */
  Place sharedPlace(Permit slot) {
    return new Place(slot, true);
  }

  /**
   * A per-instance slot: the gate's own, or with a shared gate its per-instance fallback (the
   * shared slots go through the shared line, in order).
   */
  private Optional<Permit> localSlot() {
    return shared != null ? gate.tryAcquireLocal() : gate.tryAcquire();
  }

  /** A slot without waiting, when nobody waits and the line is open. */
  private Optional<Place> passAtOnce() {
    lock.lock();
    try {
      if (waiting.isEmpty() && open()) {
        return localSlot().map(slot -> new Place(slot, false));
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  private Place await(Waiter me, Instant deadline, Observer observer) throws InterruptedException {
    int told = 0;
    lock.lock();
    try {
      while (true) {
        if (me.slot != null) {
          return new Place(me.slot, false);
        }
        if (me.position != told) {
          told = me.position;
          boolean closed = !open();
          // The observer writes events (the ledger, metrics): never under the line's lock.
          lock.unlock();
          try {
            observer.waiting(told, estimator.eta(told, closed));
          } finally {
            lock.lock();
          }
          continue;
        }
        long nanos = Duration.between(clock.instant(), deadline).toNanos();
        if (nanos <= 0) {
          leave(me);
          throw expired();
        }
        me.turn.awaitNanos(nanos);
      }
    } catch (InterruptedException | RuntimeException e) {
      // Gone (interrupted), expired (already out of the line) or an observer that threw: in each
      // case this start waits no more, and its place must not hold anyone back.
      if (me.slot != null) {
        // Granted and interrupted at once: the slot goes on to the next in line.
        me.slot.close();
        me.slot = null;
        grant();
      } else {
        leave(me);
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the shared line's poller (with a shared gate); this instance's places in Redis then
   * expire after their lease. The in-memory line needs nothing. Idempotent.
   */
  public void close() {
    if (shared != null) {
      shared.close();
    }
  }

  /**
   * How many starts are waiting now (a gauge): with a shared gate, across every instance as of the
   * shared line's last poll (no Redis call per scrape), plus this instance's own line while Redis
   * fails.
   */
  public int length() {
    return shared != null ? shared.length() + length : length;
  }

  /** Whether Runway reports a session of ours queued (on any instance, when shared). */
  public boolean closedByUpstream() {
    if (shared != null && shared.closedByUpstream()) {
      return true;
    }
    lock.lock();
    try {
      return !open();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter to look at the clock again: for tests whose clock moves by hand. */
  void recheckDeadlines() {
    if (shared != null) {
      shared.recheckDeadlines();
    }
    lock.lock();
    try {
      waiting.forEach(w -> w.turn.signal());
    } finally {
      lock.unlock();
    }
  }

  /** The shared line's one poll round, for tests that drive it by hand; false when not shared. */
  boolean pollShared() {
    if (shared == null) {
      return false;
    }
    shared.poll();
    return true;
  }

  private boolean open() {
    return upstreamQueued.isEmpty();
  }

  /** Under the lock: a waiter leaves without a slot (gave up, expired). */
  private void leave(Waiter me) {
    if (waiting.remove(me)) {
      forget(me);
      renumber();
    }
  }

  /** Under the lock: hands free slots to the head of the line, in order, while the line is open. */
  private void grant() {
    boolean moved = false;
    while (!waiting.isEmpty() && open()) {
      Optional<Permit> slot = localSlot();
      if (slot.isEmpty()) {
        break;
      }
      Waiter head = waiting.pollFirst();
      forget(head);
      head.slot = slot.get();
      head.turn.signal();
      moved = true;
    }
    if (moved) {
      renumber();
    }
  }

  /** Under the lock: sets each waiter's position, waking those whose position changed. */
  private void renumber() {
    int position = 0;
    for (Waiter w : waiting) {
      position++;
      if (w.position != position) {
        w.position = position;
        w.turn.signal();
      }
    }
    length = waiting.size();
  }

  private void forget(Waiter w) {
    placesByKey.computeIfPresent(w.key, (k, n) -> n == 1 ? null : n - 1);
    if (w.principal != null) {
      placesByPrincipal.computeIfPresent(w.principal, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  private Duration retryAfter(int position) {
    return estimator
        .eta(position, !open())
        .map(eta -> eta.compareTo(MIN_RETRY_AFTER) < 0 ? MIN_RETRY_AFTER : eta)
        .map(eta -> eta.compareTo(config.maxWait()) > 0 ? config.maxWait() : eta)
        .orElse(DEFAULT_RETRY_AFTER);
  }

  private static GatewayException busy(String message, Duration retryAfter) {
    return new GatewayException(ErrorCode.UPSTREAM_BUSY, message, retryAfter, Map.of(), null);
  }

  /** One waiting start; its fields are guarded by the line's lock. */
  private static final class Waiter {
    private final String key;
    private final String principal; // null: no budget applies
    private final Condition turn;
    private int position;
    private Permit slot;

    Waiter(String key, String principal, Condition turn) {
      this.key = key;
      this.principal = principal;
      this.turn = turn;
    }
  }

  /**
   * A creation slot taken through the line. Close it when the creation is no longer in flight
   * (idempotent); tell it what Runway reports of the session meanwhile.
   */
  public final class Place implements AutoCloseable {
    private final Permit slot;
    private final boolean sharedPlace; // its slot and queued state are in Redis
    private boolean closed; // guarded by the line's lock

    private Place(Permit slot, boolean sharedPlace) {
      this.slot = slot;
      this.sharedPlace = sharedPlace;
    }

    /**
     * What Runway said of this place's session: {@code true} while it is queued for capacity (which
     * closes the line), {@code false} once it is not.
     */
    public void upstreamQueued(boolean queued) {
      if (sharedPlace) {
        // The place's own monitor orders this against close(): a queued mark added after the
        // close took its own away would keep every instance's line closed for good.
        synchronized (this) {
          lock.lock();
          try {
            if (closed) {
              return;
            }
          } finally {
            lock.unlock();
          }
          shared.upstreamQueued(this, queued);
        }
        return;
      }
      lock.lock();
      try {
        if (closed) {
          return;
        }
        if (queued) {
          upstreamQueued.add(this);
        } else if (upstreamQueued.remove(this)) {
          grant();
        }
      } finally {
        lock.unlock();
      }
    }

    /** Gives the slot back (to the head of the line, if one waits); later calls do nothing. */
    @Override
    public void close() {
      if (sharedPlace) {
        closeShared();
        return;
      }
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        upstreamQueued.remove(this);
        slot.close();
        grant();
      } finally {
        lock.unlock();
      }
    }

    /** Redis calls outside the line's lock; the release is announced to every instance's poller. */
    private synchronized void closeShared() {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
      } finally {
        lock.unlock();
      }
      shared.upstreamQueued(this, false);
      slot.close();
    }
  }
}
