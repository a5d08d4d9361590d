package dev.avatargateway.gateway.core.internal.line;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.internal.limits.Permit;
import dev.avatargateway.gateway.core.internal.limits.RedisBuckets;
import dev.avatargateway.gateway.core.internal.limits.RedisLeases;
import dev.avatargateway.gateway.core.internal.limits.UpstreamCreateGate;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waiting line shared through Redis (with {@code redis.url} and a create-gate cap): one
 * first-in first-out line across every instance on the same Redis and key prefix. A start takes a
 * global ticket ({@code INCR}); waiters sit in a sorted set by ticket, each also a lease its
 * instance renews (a dead instance's waiters vanish after {@code redis.leaseDuration}). The heads
 * get create-gate slots in ticket order through one script that purges expired waiters, slots and
 * queued places and moves the waiters with rank below the free slots into the gate's slot set,
 * atomically; every script of the line runs that step first, so whichever instance runs one moves
 * the line on. Wake-ups: a released slot is published, and one poller per instance (not per waiter)
 * runs the step every {@link #POLL_INTERVAL} and on each publication, and tells its own waiters
 * their global positions. The "closed while Runway reports a session queued" state is shared too: a
 * lease set of the places whose session is queued, the line open while it is empty.
 *
 * <p>Redis failing is reported to the caller as {@link Unavailable} on joining (the line then
 * refuses or falls back to itself per instance); a waiter whose place expired while Redis did not
 * answer is refused with {@code limits_unavailable}.
 */
final class SharedLine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedLine.class);

  /**
   * How often the poller runs the grant step and reads positions. A freed slot is announced at once
   * (publish/subscribe), so this is the bound on a missed announcement and on how stale a position
   * is: a quarter of a second is below what a person notices in a position display, at four small
   * scripts a second per instance.
   */
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  /** Key names under {@code redis.keyPrefix}. */
  static final String WAITERS = "line:waiters";

  static final String WAITER_LEASES = "line:waiter-leases";
  static final String WAITER_KEYS = "line:waiter-keys";
  static final String KEY_COUNTS = "line:key-counts";
  static final String QUEUED = "line:queued";
  static final String TICKET = "line:ticket";

  /**
   * KEYS: waiters, waiter leases, waiter keys, key counts, gate, queued, ticket. ARGV: gate cap,
   * lease ms, margin ms, wake channel, then each script's own.
   */
  private static final String HEAD =
      RedisLeases.NOW
          + RedisLeases.KEEP
          + "local W, WL, WK, KC, G, Q, T = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6],"
          + " KEYS[7]\n"
          + "local maxGate, lease, margin = tonumber(ARGV[1]), tonumber(ARGV[2]),"
          + " tonumber(ARGV[3])\n"
          + "local wake = ARGV[4]\n"
          + "local function drop(id)\n"
          + "  redis.call('ZREM', W, id)\n"
          + "  redis.call('ZREM', WL, id)\n"
          + "  local k = redis.call('HGET', WK, id)\n"
          + "  if k then\n"
          + "    redis.call('HDEL', WK, id)\n"
          + "    if redis.call('HINCRBY', KC, k, -1) <= 0 then redis.call('HDEL', KC, k) end\n"
          + "  end\n"
          + "end\n"
          + "local function admit(id)\n"
          + "  redis.call('ZADD', G, now + lease, id)\n"
          + "end\n"
          + "local function step()\n"
          + "  for _, id in ipairs(redis.call('ZRANGEBYSCORE', WL, '-inf', now)) do drop(id) end\n"
          + "  redis.call('ZREMRANGEBYSCORE', G, '-inf', now)\n"
          + "  redis.call('ZREMRANGEBYSCORE', Q, '-inf', now)\n"
          + "  if redis.call('ZCARD', Q) > 0 then return end\n"
          + "  local free = maxGate - redis.call('ZCARD', G)\n"
          + "  if free <= 0 then return end\n"
          + "  local heads = redis.call('ZRANGE', W, 0, free - 1)\n"
          + "  for _, id in ipairs(heads) do drop(id); admit(id) end\n"
          + "  if #heads > 0 then redis.call('PUBLISH', wake, 'granted') end\n"
          + "end\n"
          + "local function touch()\n"
          + "  for _, k in ipairs({W, WK, KC, T}) do\n"
          + "    if redis.call('EXISTS', k) == 1 then redis.call('PEXPIRE', k, lease + margin) end\n"
          + "  end\n"
          + "  keep(WL, margin)\n"
          + "  keep(G, margin)\n"
          + "  keep(Q, margin)\n"
          + "end\n"
          + "local function passes()\n"
          + "  return redis.call('ZCARD', W) == 0 and redis.call('ZCARD', Q) == 0\n"
          + "    and redis.call('ZCARD', G) < maxGate\n"
          + "end\n"
          + "step()\n";

  /** ARGV[5]: id. A slot at once when nobody waits and the line is open: 1, else 0. */
  private static final String PASS =
      HEAD
          + "if passes() then admit(ARGV[5]); touch(); return 1 end\n"
          + "touch()\n"
          + "return 0\n";

  /**
   * ARGV[5..8]: id, key, max waiting, max per key. Returns {1, 0} passed at once, {2, length} line
   * full, {3, length} the key holds its places, {0, position} waiting.
   */
  private static final String JOIN =
      HEAD
          + "local id, key = ARGV[5], ARGV[6]\n"
          + "if passes() then admit(id); touch(); return {1, 0} end\n"
          + "local n = redis.call('ZCARD', W)\n"
          + "if n >= tonumber(ARGV[7]) then return {2, n} end\n"
          + "local held = tonumber(redis.call('HGET', KC, key) or '0')\n"
          + "if tonumber(ARGV[8]) > 0 and held >= tonumber(ARGV[8]) then return {3, n} end\n"
          + "redis.call('ZADD', W, redis.call('INCR', T), id)\n"
          + "redis.call('ZADD', WL, now + lease, id)\n"
          + "redis.call('HSET', WK, id, key)\n"
          + "redis.call('HINCRBY', KC, key, 1)\n"
          + "touch()\n"
          + "return {0, redis.call('ZRANK', W, id) + 1}\n";

  /**
   * ARGV[5..]: this instance's waiter ids. Returns {length, queued places, then per id: its
   * position, -1 granted (it holds a gate slot), 0 gone}.
   */
  private static final String POLL =
      HEAD
          + "touch()\n"
          + "local out = {redis.call('ZCARD', W), redis.call('ZCARD', Q)}\n"
          + "for i = 5, #ARGV do\n"
          + "  local rank = redis.call('ZRANK', W, ARGV[i])\n"
          + "  if rank then out[#out + 1] = rank + 1\n"
          + "  elseif redis.call('ZSCORE', G, ARGV[i]) then out[#out + 1] = -1\n"
          + "  else out[#out + 1] = 0 end\n"
          + "end\n"
          + "return out\n";

  /** ARGV[5]: id. Leaves the line, or gives back the slot it was just granted. */
  private static final String LEAVE =
      "local id = ARGV[5]\n"
          + "local was = redis.call('ZSCORE', KEYS[5], id)\n"
          + HEAD
          + "drop(id)\n"
          + "redis.call('ZREM', G, id)\n"
          + "step()\n"
          + "touch()\n"
          + "redis.call('PUBLISH', wake, 'left')\n"
          + "return was and 1 or 0\n";

  /** ARGV[5]: id. A place whose session Runway reports queued: closes the line. */
  private static final String QUEUE =
      HEAD + "redis.call('ZADD', Q, now + lease, ARGV[5])\n" + "touch()\n" + "return 1\n";

  /** Redis could not be used to join the line. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(RuntimeException cause) {
      super(cause);
    }

    RuntimeException redisFailure() {
      return (RuntimeException) getCause();
    }
  }

  private final WaitingLine line;
  private final RedisLeases leases;
  private final UpstreamCreateGate gate;
  private final LineConfig config;
  private final Clock clock;
  private final List<String> keys;
  private final String waiterLeases;
  private final String queuedKey;
  private final String channel;

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Waiter> waiting = new LinkedHashMap<>(); // this instance's, by id
  private final Map<String, Integer> placesByPrincipal = new HashMap<>();
  private final Map<Object, RedisLeases.Lease> queuedPlaces = new HashMap<>();
  private final Semaphore nudges = new Semaphore(0);
  private final Thread poller;
  private volatile boolean stopped;
  private volatile int length;
  private volatile boolean closedByUpstream;

  SharedLine(
      WaitingLine line,
      UpstreamCreateGate gate,
      RedisLeases leases,
      LineConfig config,
      Clock clock) {
    this.line = line;
    this.gate = gate;
    this.leases = leases;
    this.config = config;
    this.clock = clock;
    this.waiterLeases = leases.key(WAITER_LEASES);
    this.queuedKey = leases.key(QUEUED);
    this.channel = gate.releasedChannel();
    this.keys =
        List.of(
            leases.key(WAITERS),
            waiterLeases,
            leases.key(WAITER_KEYS),
            leases.key(KEY_COUNTS),
            gate.setKey(),
            queuedKey,
            leases.key(TICKET));
    this.poller = Thread.ofPlatform().daemon().name("line-poller").start(this::pollLoop);
  }

  /** Starts waiting across the line's instances; see {@link WaitingLine#enter}. */
  WaitingLine.Place enter(
      String key, Optional<String> principal, WaitingLine.Observer observer, Instant deadline)
      throws InterruptedException {
    String id = UUID.randomUUID().toString();
    if (Long.valueOf(1).equals(run(PASS, List.of(id), ScriptOutputType.INTEGER))) {
      return place(id);
    }
    WaitingLine.PlaceBudget.Allowance allowance = line.allowance(principal);
    Optional<GatewayException> overBudget;
    lock.lock();
    try {
      overBudget =
          allowance.refusal(principal.map(p -> placesByPrincipal.getOrDefault(p, 0)).orElse(0));
    } finally {
      lock.unlock();
    }
    if (overBudget.isPresent()) {
      line.rejected(WaitingLine.REJECTED_BUDGET);
      throw overBudget.get();
    }
    List<?> joined =
        (List<?>)
            run(
                JOIN,
                List.of(
                    id,
                    key,
                    Integer.toString(config.maxWaiting()),
                    Integer.toString(config.maxWaitingPerPrincipal())),
                ScriptOutputType.MULTI);
    long status = (Long) joined.get(0);
    int n = ((Long) joined.get(1)).intValue();
    if (status == 1) {
      return place(id);
    }
    if (status == 2) {
      throw line.full(n + 1);
    }
    if (status == 3) {
      throw line.perPrincipal(n);
    }
    Waiter me =
        new Waiter(id, principal.orElse(null), leases.adopt(waiterLeases, id, null), n, lock);
    lock.lock();
    try {
      waiting.put(id, me);
      principal.ifPresent(p -> placesByPrincipal.merge(p, 1, Integer::sum));
      length = Math.max(length, n);
    } finally {
      lock.unlock();
    }
    return await(me, deadline, observer);
  }

  private WaitingLine.Place place(String id) {
    return line.sharedPlace(gate.adopted(leases.adopt(gate.setKey(), id, channel)));
  }

  private WaitingLine.Place await(Waiter me, Instant deadline, WaitingLine.Observer observer)
      throws InterruptedException {
    int told = 0;
    boolean leave = false;
    lock.lock();
    try {
      while (true) {
        if (me.slot != null) {
          return line.sharedPlace(me.slot);
        }
        if (me.gone) {
          throw new GatewayException(
              ErrorCode.LIMITS_UNAVAILABLE,
              "The gateway lost your place in the waiting line while it could not reach its"
                  + " shared limits. Please try again in a few seconds.",
              Duration.ofSeconds(5),
              Map.of(),
              null);
        }
        if (me.position != told) {
          told = me.position;
          boolean closed = closedByUpstream;
          lock.unlock();
          try {
            observer.waiting(told, line.eta(told, closed));
          } finally {
            lock.lock();
          }
          continue;
        }
        long nanos = Duration.between(clock.instant(), deadline).toNanos();
        if (nanos <= 0) {
          leave = forget(me);
          throw line.expired();
        }
        me.turn.awaitNanos(nanos);
      }
    } catch (InterruptedException | RuntimeException e) {
      if (me.slot != null) {
        // Granted and interrupted at once: the slot goes on to the next in line.
        me.slot.close();
        me.slot = null;
      } else {
        leave |= forget(me);
      }
      throw e;
    } finally {
      lock.unlock();
      if (leave) {
        leave(me);
      }
    }
  }

  /** Under the lock: this instance stops tracking {@code me}; whether Redis must be told. */
  private boolean forget(Waiter me) {
    if (waiting.remove(me.id) == null) {
      return false;
    }
    me.lease.forget();
    if (me.principal != null) {
      placesByPrincipal.computeIfPresent(me.principal, (k, n) -> n == 1 ? null : n - 1);
    }
    return !me.gone;
  }

  /** Outside the lock: takes {@code me} out of the shared line (or the slot it was just given). */
  private void leave(Waiter me) {
    try {
      run(LEAVE, List.of(me.id), ScriptOutputType.INTEGER);
    } catch (Unavailable e) {
      // Counted and logged by the Redis client: the place expires after its lease by itself.
    }
  }

  /** What Runway said of a shared place's session; see {@link WaitingLine.Place#upstreamQueued}. */
  void upstreamQueued(Object place, boolean queued) {
    RedisLeases.Lease lease;
    lock.lock();
    try {
      lease = queued ? null : queuedPlaces.remove(place);
      if (queued && queuedPlaces.containsKey(place)) {
        return;
      }
    } finally {
      lock.unlock();
    }
    if (!queued) {
      if (lease != null) {
        lease.release(); // publishes: the pollers grant the heads
      }
      return;
    }
    String id = UUID.randomUUID().toString();
    try {
      run(QUEUE, List.of(id), ScriptOutputType.INTEGER);
    } catch (Unavailable e) {
      LOG.warn("Could not mark the line closed in Redis; it closes on this instance only");
      return;
    }
    RedisLeases.Lease taken = leases.adopt(queuedKey, id, channel);
    lock.lock();
    try {
      queuedPlaces.put(place, taken);
    } finally {
      lock.unlock();
    }
    closedByUpstream = true;
  }

  /** How many wait across every instance, as of the last poll (a gauge). */
  int length() {
    return length;
  }

  /** Whether any instance's place has its session queued, as of the last poll. */
  boolean closedByUpstream() {
    return closedByUpstream;
  }

  /** Wakes every local waiter to look at the clock again (tests whose clock moves by hand). */
  void recheckDeadlines() {
    lock.lock();
    try {
      waiting.values().forEach(w -> w.turn.signal());
    } finally {
      lock.unlock();
    }
  }

  private void pollLoop() {
    while (!stopped) {
      try {
        nudges.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        nudges.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
      if (stopped) {
        return;
      }
      leases.subscribe(channel, nudges::release);
      poll();
    }
  }

  /** One round: the grant step in Redis, then this instance's waiters told what became of them. */
  void poll() {
    List<String> ids;
    lock.lock();
    try {
      ids = new ArrayList<>(waiting.keySet());
    } finally {
      lock.unlock();
    }
    List<?> result;
    try {
      result = (List<?>) run(POLL, ids, ScriptOutputType.MULTI);
    } catch (Unavailable e) {
      return; // counted and logged once per outage; the waiters keep waiting
    } catch (RuntimeException e) {
      LOG.warn("The waiting line's poll failed", e);
      return;
    }
    lock.lock();
    try {
      length = ((Long) result.get(0)).intValue();
      closedByUpstream = (Long) result.get(1) > 0;
      for (int i = 0; i < ids.size(); i++) {
        Waiter w = waiting.get(ids.get(i));
        if (w == null) {
          continue; // left meanwhile; its own leave script took care of Redis
        }
        int state = ((Long) result.get(i + 2)).intValue();
        if (state == -1) {
          forget(w);
          w.slot = gate.adopted(leases.adopt(gate.setKey(), w.id, channel));
          w.turn.signal();
        } else if (state == 0) {
          w.gone = true;
          forget(w);
          w.turn.signal();
        } else if (state != w.position) {
          w.position = state;
          w.turn.signal();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private Object run(String script, List<String> args, ScriptOutputType type) {
    List<String> all = new ArrayList<>(4 + args.size());
    all.add(Integer.toString(gate.maxInFlight()));
    all.add(Long.toString(leases.leaseDuration().toMillis()));
    all.add(Long.toString(RedisLeases.KEY_EXPIRY_MARGIN.toMillis()));
    all.add(channel);
    all.addAll(args);
    try {
      return leases.eval(RedisBuckets.LINE, script, keys, all, type);
    } catch (RuntimeException e) {
      throw new Unavailable(e);
    }
  }

  /** Stops the poller; this instance's places expire after their lease. Idempotent. */
  @Override
  public void close() {
    stopped = true;
    poller.interrupt();
  }

  /** One start of this instance waiting in the shared line; fields guarded by the lock. */
  private static final class Waiter {
    private final String id;
    private final String principal;
    private final RedisLeases.Lease lease;
    private final Condition turn;
    private int position;
    private Permit slot;
    private boolean gone;

    Waiter(String id, String principal, RedisLeases.Lease lease, int position, ReentrantLock lock) {
      this.id = id;
      this.principal = principal;
      this.lease = lease;
      this.position = position;
      this.turn = lock.newCondition();
    }
  }
}
