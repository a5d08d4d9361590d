package dev.avatargateway.gateway.core.internal.limits;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slots held as leases in Redis, so that a crashed instance's slots free themselves. A slot set is
 * a sorted set: member = a fresh lease id (a UUID) per acquisition, score = when the lease expires,
 * in milliseconds of the <b>Redis server's</b> clock ({@code TIME} inside each script, so the
 * instances' clocks do not matter). One renewal task per instance (a single daemon thread) renews
 * every lease the instance holds every {@code redis.leaseDuration / 3}, in one pipelined round of
 * one script per slot set. A renewal never brings back a lease that expired or was purged: its
 * holder has lost it, and it counts as held by nobody. A release removes the holder's own member
 * only, so an instance never frees a slot it no longer holds. Each slot set's key expires a margin
 * after its latest lease, so an abandoned set disappears.
 *
 * <p>A failed acquisition throws (the caller decides: refuse, or fall back to per-instance slots);
 * a failed release or renewal is only counted and logged once per outage: the lease expires by
 * itself within the lease time. Thread-safe; {@link #close()} stops renewing (the leases still held
 * then expire by themselves).
 */
public final class RedisLeases implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLeases.class);

  /**
   * Renewals per lease time: with three, a lease survives two renewals in a row that fail or come
   * late (a Redis hiccup, a long GC pause) before it expires.
   */
  static final int RENEWALS_PER_LEASE = 3;

  /**
   * How long a slot set's key outlives its latest lease: long enough that a set in use never
   * disappears between a renewal and the next (their spacing is a third of the lease), short enough
   * that an abandoned set is gone within a minute.
   */
  public static final Duration KEY_EXPIRY_MARGIN = Duration.ofSeconds(30);

  /**
   * Lua: {@code now} in milliseconds of Redis's clock. {@code TIME} before writes is allowed since
   * Redis 5 (scripts replicate their effects).
   */
  public static final String NOW =
      "local t = redis.call('TIME')\n"
          + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

  /** Lua: {@code keep(key, margin)} sets a slot set's expiry a margin after its latest lease. */
  public static final String KEEP =
      "local function keep(key, margin)\n"
          + "  local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')\n"
          + "  if top[2] then\n"
          + "    redis.call('PEXPIRE', key, math.max(1, tonumber(top[2]) - now + margin))\n"
          + "  end\n"
          + "end\n";

  /**
   * KEYS[1] the slot set; ARGV: max (0: no cap), lease ms, margin ms, member. Purges expired
   * leases, then adds the member if the set holds fewer than max. Returns 1 when acquired.
   */
  private static final String ACQUIRE =
      NOW
          + KEEP
          + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
          + "local max = tonumber(ARGV[1])\n"
          + "if max > 0 and redis.call('ZCARD', KEYS[1]) >= max then return 0 end\n"
          + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])\n"
          + "keep(KEYS[1], tonumber(ARGV[3]))\n"
          + "return 1\n";

  /**
   * KEYS[1] the slot set; ARGV: lease ms, margin ms, members... Extends each member's lease that
   * has not expired ({@code ZADD XX}); an expired one is removed instead. Returns the members that
   * were lost (expired or gone).
   */
  private static final String RENEW =
      NOW
          + KEEP
          + "local lost = {}\n"
          + "for i = 3, #ARGV do\n"
          + "  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])\n"
          + "  if score and tonumber(score) > now then\n"
          + "    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])\n"
          + "  else\n"
          + "    if score then redis.call('ZREM', KEYS[1], ARGV[i]) end\n"
          + "    lost[#lost + 1] = ARGV[i]\n"
          + "  end\n"
          + "end\n"
          + "keep(KEYS[1], tonumber(ARGV[2]))\n"
          + "return lost\n";

  /**
   * KEYS[1] the slot set; ARGV: member, a channel to wake (may be empty). Removes the member only,
   * and publishes when it was there.
   */
  private static final String RELEASE =
      "local removed = redis.call('ZREM', KEYS[1], ARGV[1])\n"
          + "if removed == 1 and ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], 'free') end\n"
          + "return removed\n";

  private final RedisBuckets redis;
  private final Duration lease;
  private final Set<Lease> held = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService renewer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object subscribing = new Object();
  private StatefulRedisPubSubConnection<String, String> pubSub; // guarded by subscribing

  private RedisLeases(RedisBuckets redis) {
    this.redis = redis;
    this.lease = redis.config().leaseDuration();
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "redis-lease-renewer");
              thread.setDaemon(true);
              return thread;
            });
    long every = lease.toMillis() / RENEWALS_PER_LEASE;
    renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * The leases of {@code redis}, lasting {@code redis.leaseDuration}; starts the renewal thread.
   * Close it before {@code redis}.
   */
  public static RedisLeases start(RedisBuckets redis) {
    return new RedisLeases(Objects.requireNonNull(redis, "redis"));
  }

  /** The Redis these leases live in. */
  public RedisBuckets redis() {
    return redis;
  }

  /** How long a lease lasts unless renewed. */
  public Duration leaseDuration() {
    return lease;
  }

  /** {@code redis.keyPrefix} followed by {@code name}: the key of a slot set. */
  public String key(String name) {
    return redis.config().keyPrefix() + name;
  }

  /**
   * Takes a slot in {@code set} if it holds fewer than {@code max} leases that have not expired.
   *
   * @param set the slot set's key (see {@link #key})
   * @param max the cap, at least 1
   * @param wake a channel to publish to when the lease is released; null for none
   * @return the lease, renewed until released; empty at the cap
   * @throws RuntimeException when Redis fails (counted and logged by {@link RedisBuckets})
   */
  public Optional<Lease> tryAcquire(String set, int max, String wake) {
    String member = UUID.randomUUID().toString();
    Object acquired =
        eval(
            RedisBuckets.LEASE,
            ACQUIRE,
            List.of(set),
            List.of(
                Integer.toString(max),
                Long.toString(lease.toMillis()),
                Long.toString(KEY_EXPIRY_MARGIN.toMillis()),
                member),
            ScriptOutputType.INTEGER);
    if (!Long.valueOf(1).equals(acquired)) {
      return Optional.empty();
    }
    return Optional.of(adopt(set, member, wake));
  }

  /**
   * Holds (renews) a lease that a script of the caller's created, e.g. a waiter moved into the
   * create gate's set.
   */
  public Lease adopt(String set, String member, String wake) {
    Lease taken = new Lease(set, member, wake == null ? "" : wake);
    held.add(taken);
    return taken;
  }

  /** Leases this instance holds now, in every set. */
  public int held() {
    return held.size();
  }

  /** Leases this instance holds now in {@code set}. */
  public int held(String set) {
    int count = 0;
    for (Lease l : held) {
      if (l.set.equals(set)) {
        count++;
      }
    }
    return count;
  }

  /**
   * Runs a script on the shared connection, converting bulk strings to text.
   *
   * @param operation the failure tag ({@link RedisBuckets#LEASE}, {@link RedisBuckets#LINE})
   * @throws RuntimeException when Redis fails, after counting and reporting it
   */
  public Object eval(
      String operation,
      String script,
      List<String> keys,
      List<String> args,
      ScriptOutputType type) {
    try {
      StatefulRedisConnection<String, byte[]> connection = redis.connection();
      byte[][] values = new byte[args.size()][];
      for (int i = 0; i < values.length; i++) {
        values[i] = args.get(i).getBytes(StandardCharsets.UTF_8);
      }
      Object result = connection.sync().eval(script, type, keys.toArray(String[]::new), values);
      redis.recovered();
      return text(result);
    } catch (RuntimeException e) {
      redis.failed(operation, e);
      throw e;
    }
  }

  /**
   * Subscribes {@code listener} to {@code channel} on this instance's one publish/subscribe
   * connection, connecting it first if need be; Lettuce resubscribes by itself after a reconnect.
   *
   * @return whether the subscription stands (false: try again later)
   */
  public boolean subscribe(String channel, Runnable listener) {
    synchronized (subscribing) {
      if (closed.get()) {
        return false;
      }
      if (pubSub != null) {
        return true;
      }
      try {
        StatefulRedisPubSubConnection<String, String> connection = redis.connectPubSub();
        connection.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String from, String message) {
                if (channel.equals(from)) {
                  listener.run();
                }
              }
            });
        connection.sync().subscribe(channel);
        pubSub = connection;
        return true;
      } catch (RuntimeException e) {
        redis.failed(RedisBuckets.LINE, e);
        return false;
      }
    }
  }

  /** Renews every lease held, one script per slot set, all sent before any answer is awaited. */
  void renewAll() {
    if (held.isEmpty()) {
      return;
    }
    Map<String, List<Lease>> bySet = new HashMap<>();
    for (Lease l : held) {
      bySet.computeIfAbsent(l.set, k -> new ArrayList<>()).add(l);
    }
    try {
      StatefulRedisConnection<String, byte[]> connection = redis.connection();
      Map<String, RedisFuture<List<Object>>> sent = new HashMap<>();
      for (Map.Entry<String, List<Lease>> entry : bySet.entrySet()) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(Long.toString(lease.toMillis())));
        args.add(bytes(Long.toString(KEY_EXPIRY_MARGIN.toMillis())));
        entry.getValue().forEach(l -> args.add(bytes(l.member)));
        sent.put(
            entry.getKey(),
            connection
                .async()
                .eval(
                    RENEW,
                    ScriptOutputType.MULTI,
                    new String[] {entry.getKey()},
                    args.toArray(byte[][]::new)));
      }
      long timeoutMillis = redis.config().timeout().toMillis();
      for (Map.Entry<String, RedisFuture<List<Object>>> entry : sent.entrySet()) {
        List<Object> lost = entry.getValue().get(timeoutMillis, TimeUnit.MILLISECONDS);
        if (lost.isEmpty()) {
          continue;
        }
        Set<String> lostMembers = ConcurrentHashMap.newKeySet();
        lost.forEach(m -> lostMembers.add((String) text(m)));
        for (Lease l : bySet.get(entry.getKey())) {
          if (lostMembers.contains(l.member) && held.remove(l)) {
            l.lost = true;
            LOG.warn(
                "A slot lease in {} expired before it could be renewed (Redis did not answer in"
                    + " time): this instance no longer counts as holding it",
                entry.getKey());
          }
        }
      }
      redis.recovered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // Not the holders' problem: each lease expires by itself if Redis stays away.
      redis.failed(
          RedisBuckets.LEASE, e instanceof RuntimeException r ? r : new IllegalStateException(e));
    }
  }

  /** Stops renewing (leases still held expire by themselves) and closes the subscription. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    renewer.shutdownNow();
    synchronized (subscribing) {
      if (pubSub != null) {
        pubSub.close();
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Bulk strings (byte arrays, the connection's value codec) as text, in lists too. */
  private static Object text(Object value) {
    if (value instanceof byte[] raw) {
      return new String(raw, StandardCharsets.UTF_8);
    }
    if (value instanceof List<?> list) {
      List<Object> converted = new ArrayList<>(list.size());
      list.forEach(v -> converted.add(text(v)));
      return converted;
    }
    return value;
  }

  /** One slot held by this instance, renewed until released. */
  public final class Lease {
    private final String set;
    private final String member;
    private final String wake;
    private volatile boolean lost;

    private Lease(String set, String member, String wake) {
      this.set = set;
      this.member = member;
      this.wake = wake;
    }

    /** The lease id: this acquisition's member of the slot set. */
    public String member() {
      return member;
    }

    /** Whether it expired before a renewal reached Redis: nobody holds it any more. */
    public boolean lost() {
      return lost;
    }

    /** Stops renewing without touching Redis: a script of the caller's removed or moved it. */
    public void forget() {
      held.remove(this);
    }

    /**
     * Gives the slot back: removes this lease's own member (never another holder's) and wakes
     * {@code wake}'s subscribers. A failure is counted, not thrown: the lease expires by itself.
     */
    public void release() {
      if (!held.remove(this)) {
        return; // lost, forgotten or released already: nothing of ours is left there
      }
      try {
        eval(
            RedisBuckets.LEASE,
            RELEASE,
            List.of(set),
            List.of(member, wake),
            ScriptOutputType.INTEGER);
      } catch (RuntimeException e) {
        // Counted and logged once per outage; the lease frees within its lease time.
      }
    }
  }
}
