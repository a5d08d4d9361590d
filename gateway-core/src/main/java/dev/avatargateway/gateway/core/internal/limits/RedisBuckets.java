package dev.avatargateway.gateway.core.internal.limits;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RedisConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one Redis client and the token buckets kept there, shared by every instance that
 * uses the same Redis and key prefix ({@code redis.*}); {@link RedisLeases} keeps the slot leases
 * (concurrency caps, the create gate, the waiting line) over the same client and connection.
 * Connects lazily, so that a gateway starts while Redis is down; Lettuce reconnects by itself once
 * connected. A failure is logged once per outage, and once when Redis answers again, and each
 * failed command is counted (for {@code avatar_gateway_redis_failures_total}). Thread-safe; close
 * it on shutdown.
 *
 * <p>Bucket4j's compare-and-swap proxy manager keeps each bucket's state in one key and computes
 * refills on the client from the wall clock: the instances' clocks must agree (NTP), as a monotonic
 * clock of one JVM means nothing to another.
 */
public final class RedisBuckets implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBuckets.class);

  /**
   * Answered as {@code Retry-After} with {@link ErrorCode#LIMITS_UNAVAILABLE}: a Redis failing over
   * or restarting is usually back within seconds.
   */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * After a failed connection attempt, how long requests fail at once instead of trying again: a
   * Redis whose host does not answer would otherwise hold every connect for the whole time-out.
   */
  static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);

  /**
   * How long a full bucket's key outlives its refill in Redis: a key is only needed while its
   * bucket is not full, and the margin keeps it over clock skew between instances.
   */
  private static final Duration KEY_EXPIRY_MARGIN = Duration.ofSeconds(10);

  /** The failure tag of a token bucket's command. */
  public static final String BUCKET = "bucket";

  /** The failure tag of a slot lease's command (acquire, renew, release). */
  public static final String LEASE = "lease";

  /** The failure tag of a waiting line's command. */
  public static final String LINE = "line";

  /** The failure tag of a readiness {@code PING}. */
  public static final String PING = "ping";

  private final RedisConfig config;
  private final RedisClient client;
  private final LongSupplier nanoTime;
  private final Consumer<String> onFailure;
  private final AtomicBoolean down = new AtomicBoolean();
  private final Object connecting = new Object();
  private StatefulRedisConnection<String, byte[]> connection; // guarded by connecting
  private ProxyManager<String> proxies; // guarded by connecting
  private long nextAttemptNanos; // guarded by connecting
  private boolean attempted; // guarded by connecting
  private boolean closed; // guarded by connecting

  private RedisBuckets(RedisConfig config, LongSupplier nanoTime, Consumer<String> onFailure) {
    this.config = config;
    this.nanoTime = nanoTime;
    this.onFailure = onFailure;
    this.client = RedisClient.create(config.redisUri());
    client.setOptions(
        ClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(config.timeout()).build())
            .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
            // While disconnected, a command fails at once instead of waiting out its time-out.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
  }

  /**
   * The buckets of {@code config}'s Redis; nothing is connected yet.
   *
   * @param config enabled and valid
   * @param nanoTime a monotonic clock, for the pause between connection attempts only
   */
  public static RedisBuckets create(RedisConfig config, LongSupplier nanoTime) {
    return create(config, nanoTime, operation -> {});
  }

  /**
   * As {@link #create(RedisConfig, LongSupplier)}, telling {@code onFailure} the operation ({@link
   * #BUCKET}, {@link #LEASE}, {@link #LINE}, {@link #PING}) of each failed command, for metrics.
   *
   * @param onFailure must be fast and must not throw
   */
  public static RedisBuckets create(
      RedisConfig config, LongSupplier nanoTime, Consumer<String> onFailure) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(onFailure, "onFailure");
    config.validate();
    if (!config.enabled()) {
      throw new IllegalArgumentException("redis.url is not set");
    }
    return new RedisBuckets(config, nanoTime, onFailure);
  }

  /** The settings. */
  public RedisConfig config() {
    return config;
  }

  /** Whether the last command (or connection attempt) failed. */
  public boolean down() {
    return down.get();
  }

  /**
   * A store of {@code bandwidth}'s buckets under {@code name} (e.g. {@code connect-address}), in
   * Redis; {@code fallback} is used while Redis fails when {@code redis.onFailure} is {@code
   * local}.
   *
   * <p>Each key's bucket is one proxy per instance, kept for its next use (at most {@code maxKeys},
   * the least recently used forgotten first), with Bucket4j's batching: while one operation on a
   * key is on its way to Redis, the operations of this instance that come meanwhile wait and go
   * together in one command. A bucket is a compare-and-swap on one Redis key, so a burst of one
   * principal's connects would otherwise race each other and retry, and run past {@code
   * redis.timeout} (answered {@code limits_unavailable} though Redis is fine); batched, only the
   * instances race, one command each at a time. Forgetting a proxy loses nothing: the bucket is in
   * Redis.
   */
  BucketStore store(String name, Bandwidth bandwidth, BucketStore fallback, int maxKeys) {
    String prefix = config.keyPrefix() + name + ":";
    BucketConfiguration configuration = BucketConfiguration.builder().addLimit(bandwidth).build();
    boolean local = fallsBackToLocal();
    EvictingMap<String, Bucket> buckets = new EvictingMap<>(maxKeys);
    return new BucketStore() {
      @Override
      public <T> T use(String key, Function<Bucket, T> operation) {
        T result;
        try {
          ProxyManager<String> manager = proxies();
          Bucket bucket =
              buckets.computeIfAbsent(
                  prefix + key,
                  redisKey ->
                      manager
                          .builder()
                          .withOptimization(Optimizations.batching())
                          .build(redisKey, () -> configuration));
          result = operation.apply(bucket);
        } catch (RuntimeException e) {
          failed(BUCKET, e);
          if (local) {
            return fallback.use(key, operation);
          }
          throw unavailable(e);
        }
        recovered();
        return result;
      }
    };
  }

  /**
   * Whether Redis answers a {@code PING} now, connecting first if need be (within the pause between
   * connection attempts): what readiness reports. A failure is an outage, as a failed bucket
   * command is.
   */
  public boolean answers() {
    try {
      proxies();
      StatefulRedisConnection<String, byte[]> current;
      synchronized (connecting) {
        current = connection;
      }
      current.sync().ping();
    } catch (RuntimeException e) {
      failed(PING, e);
      return false;
    }
    recovered();
    return true;
  }

  /** Whether connects are refused while Redis fails ({@code redis.onFailure: refuse}). */
  public boolean refusesWhenDown() {
    return config.failureMode() == RedisConfig.OnFailure.REFUSE;
  }

  /** Whether a caller falls back to per-instance state while Redis fails. */
  public boolean fallsBackToLocal() {
    return config.failureMode() == RedisConfig.OnFailure.LOCAL;
  }

  /** A command succeeded: ends an outage (logged once). */
  void recovered() {
    if (down.compareAndSet(true, false)) {
      LOG.warn("Redis answers again: limits are shared again");
    }
  }

  /** A command of {@code operation} failed: counted, and logged once per outage. */
  void failed(String operation, RuntimeException e) {
    onFailure.accept(operation);
    if (down.compareAndSet(false, true)) {
      LOG.warn(
          "Redis at {} cannot be used ({}): {}",
          config.masked(),
          e.toString(),
          fallsBackToLocal()
              ? "limits are per instance until it is back"
              : "connects are refused (limits_unavailable) until it is back");
    }
  }

  /** The 503 a connect meets while the shared limits cannot be checked. */
  public static GatewayException unavailable(RuntimeException cause) {
    return new GatewayException(
        ErrorCode.LIMITS_UNAVAILABLE,
        "The gateway cannot check its limits right now. Please try again in a few seconds.",
        RETRY_AFTER,
        Map.of(),
        cause);
  }

  /**
   * The connection, connecting first if need be (within the pause between connection attempts).
   *
   * @throws RuntimeException when Redis cannot be reached (not reported: the caller does)
   */
  StatefulRedisConnection<String, byte[]> connection() {
    proxies();
    synchronized (connecting) {
      return connection;
    }
  }

  /** A new publish/subscribe connection of the same client (the caller closes it). */
  StatefulRedisPubSubConnection<String, String> connectPubSub() {
    synchronized (connecting) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
    }
    return client.connectPubSub(StringCodec.UTF8);
  }

  private ProxyManager<String> proxies() {
    synchronized (connecting) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (proxies != null) {
        return proxies;
      }
      long now = nanoTime.getAsLong();
      if (attempted && now - nextAttemptNanos < 0) {
        throw new IllegalStateException("Redis unreachable; next attempt after a pause");
      }
      attempted = true;
      nextAttemptNanos = now + RECONNECT_PAUSE.toNanos();
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      proxies =
          Bucket4jLettuce.casBasedBuilder(connection)
              .requestTimeout(config.timeout())
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                      KEY_EXPIRY_MARGIN))
              .build();
      return proxies;
    }
  }

  /** Closes the connection and the client. Idempotent. */
  @Override
  public void close() {
    synchronized (connecting) {
      if (closed) {
        return;
      }
      closed = true;
      if (connection != null) {
        connection.close();
      }
    }
    client.shutdown();
  }
}
