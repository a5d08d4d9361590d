package dev.avatargateway.gateway.core.internal.limits;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A global cap on upstream session creations in flight, protecting the organisation's concurrency
 * (runway-api.md §6). It never waits: {@link #acquire()} refuses at once when the cap is reached;
 * the connect flow takes its slots through the waiting line ({@code internal.line}), which uses
 * {@link #tryAcquire()} and decides itself who waits. Thread-safe.
 *
 * <p>{@link #shared} keeps the slots as leases in one Redis slot set ({@code <prefix>create-gate}),
 * so that the cap holds across every instance; while Redis fails, {@code redis.onFailure: refuse}
 * throws {@code limits_unavailable} and {@code local} takes a per-instance slot instead.
 */
public final class UpstreamCreateGate {
  /**
   * A slot frees when some creation ends, usually within seconds; a rejection costs nothing, so a
   * retry after one second is prompt without hammering.
   */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** The name of the shared slot set, under {@code redis.keyPrefix}. */
  public static final String SET_NAME = "create-gate";

  /** The name of the channel a released shared slot is announced on (the line listens). */
  public static final String RELEASED_CHANNEL = "create-gate:released";

  private final int maxInFlight; // 0: no cap, still counted for metrics
  private final AtomicInteger inFlight = new AtomicInteger(); // per-instance slots
  private final AtomicInteger leased = new AtomicInteger(); // shared slots this instance holds
  private final Consumer<Limit> onRejection;
  private final RedisLeases leases; // null: per instance only

  UpstreamCreateGate(int maxInFlight, Consumer<Limit> onRejection) {
    this(maxInFlight, onRejection, null);
  }

  private UpstreamCreateGate(int maxInFlight, Consumer<Limit> onRejection, RedisLeases leases) {
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight must be at least 0, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
    this.leases = leases;
  }

  /**
   * A gate for this JVM (one gateway instance), with {@link
   * RateLimitConfig#maxUpstreamCreatesInFlight()} slots (0 = no cap).
   *
   * @param onRejection told {@link Limit#UPSTREAM} for each rejection (for metrics); must be fast
   *     and must not throw
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public static UpstreamCreateGate inMemory(RateLimitConfig config, Consumer<Limit> onRejection) {
    config.validate();
    return new UpstreamCreateGate(config.maxUpstreamCreatesInFlight(), onRejection);
  }

  /**
   * A gate whose slots are leases in Redis, shared by every instance with the same Redis and key
   * prefix. Without a cap ({@code maxUpstreamCreatesInFlight: 0}) nothing goes to Redis.
   *
   * @param onRejection as for {@link #inMemory}
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public static UpstreamCreateGate shared(
      RateLimitConfig config, RedisLeases leases, Consumer<Limit> onRejection) {
    config.validate();
    Objects.requireNonNull(leases, "leases");
    return new UpstreamCreateGate(
        config.maxUpstreamCreatesInFlight(),
        onRejection,
        config.maxUpstreamCreatesInFlight() > 0 ? leases : null);
  }

  /** The leases of a shared gate; empty for a per-instance one (or one without a cap). */
  public Optional<RedisLeases> leases() {
    return Optional.ofNullable(leases);
  }

  /** The cap; 0 for none. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** The shared slot set's key; null for a per-instance gate. */
  public String setKey() {
    return leases == null ? null : leases.key(SET_NAME);
  }

  /** The channel a released shared slot is announced on; null for a per-instance gate. */
  public String releasedChannel() {
    return leases == null ? null : leases.key(RELEASED_CHANNEL);
  }

  /**
   * Takes a slot for one creation; close the permit when the creation is no longer in flight.
   *
   * @throws GatewayException {@link ErrorCode#UPSTREAM_BUSY}, retry after 1 s, when every slot is
   *     taken; {@link ErrorCode#LIMITS_UNAVAILABLE} when shared slots cannot be checked ({@code
   *     redis.onFailure: refuse})
   */
  public Permit acquire() {
    return tryAcquire()
        .orElseThrow(
            () -> {
              onRejection.accept(Limit.UPSTREAM);
              return new GatewayException(
                  ErrorCode.UPSTREAM_BUSY,
                  "The service is busy starting other sessions. Please try again in a moment.",
                  RETRY_AFTER,
                  Map.of(),
                  null);
            });
  }

  /**
   * Takes a slot if one is free, without counting a rejection when none is: for the waiting line,
   * which decides itself whether a start waits or is refused.
   *
   * @return the slot, or empty when every slot is taken
   * @throws GatewayException {@link ErrorCode#LIMITS_UNAVAILABLE} when shared slots cannot be
   *     checked ({@code redis.onFailure: refuse})
   */
  public Optional<Permit> tryAcquire() {
    if (leases != null) {
      try {
        return leases
            .tryAcquire(setKey(), maxInFlight, releasedChannel())
            .map(lease -> adopted(lease));
      } catch (RuntimeException e) {
        if (!leases.redis().fallsBackToLocal()) {
          throw RedisBuckets.unavailable(e);
        }
      }
    }
    return tryAcquireLocal();
  }

  /**
   * A permit for a lease of this gate's set that a script of the caller's took (the shared line
   * moves its head into the set); closing it releases the lease.
   */
  public Permit adopted(RedisLeases.Lease lease) {
    leased.incrementAndGet();
    return new Permit(
        () -> {
          leased.decrementAndGet();
          lease.release();
        });
  }

  /** A per-instance slot: the whole gate without Redis, the fallback while Redis fails. */
  public Optional<Permit> tryAcquireLocal() {
    while (true) {
      int current = inFlight.get();
      if (maxInFlight > 0 && current >= maxInFlight) {
        return Optional.empty();
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return Optional.of(new Permit(inFlight::decrementAndGet));
      }
    }
  }

  /**
   * Creations in flight now that this instance holds (a gauge): with a shared gate, its own leases
   * plus any per-instance slots taken while Redis failed, not the other instances' (each instance
   * reports its own, so the sum over instances is the shared count, without a Redis call per
   * scrape).
   */
  public int inFlight() {
    return inFlight.get() + leased.get();
  }
}
