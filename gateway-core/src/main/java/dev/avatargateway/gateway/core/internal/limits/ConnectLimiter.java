package dev.avatargateway.gateway.core.internal.limits;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RateLimitConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Decides whether a connect may start: the client address's token bucket, then the principal's,
 * then the principal's cap on connects in flight. A connect that is turned away costs nothing:
 * tokens taken by an earlier check are given back, so hammering a closed door never drains a bucket
 * that neighbours share (an office behind one address). Anonymous principals are limited by client
 * address only: one "anonymous" bucket would let a single caller lock everybody out. Thread-safe;
 * never blocks.
 */
public final class ConnectLimiter {
  /**
   * When a concurrency slot frees is unknown (the running connect waits for READY, seconds to the
   * deadline); a rejection costs nothing, so asking again after a second is cheap and prompt.
   */
  private static final Duration CONCURRENCY_RETRY_AFTER = Duration.ofSeconds(1);

  /** Retry-After is whole seconds; 0 would invite an immediate, certain second rejection. */
  private static final long MIN_RETRY_AFTER_SECONDS = 1;

  private final BucketStore addressBuckets; // null: limit switched off
  private final BucketStore principalBuckets; // null: limit switched off
  private final ConcurrencySlots slots; // null: limit switched off
  private final int ipv6PrefixLength;
  private final Consumer<Limit> onRejection;

  ConnectLimiter(
      BucketStore addressBuckets,
      BucketStore principalBuckets,
      ConcurrencySlots slots,
      int ipv6PrefixLength,
      Consumer<Limit> onRejection) {
    this.addressBuckets = addressBuckets;
    this.principalBuckets = principalBuckets;
    this.slots = slots;
    this.ipv6PrefixLength = ipv6PrefixLength;
    this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
  }

  /**
   * A limiter whose state lives in this JVM (one gateway instance).
   *
   * @param config the limits; validated here
   * @param nanoTime a monotonic clock in nanoseconds: {@code System::nanoTime}, or a test's
   * @param onRejection told which limit turned each rejected connect away (for metrics); must be
   *     fast and must not throw
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public static ConnectLimiter inMemory(
      RateLimitConfig config, LongSupplier nanoTime, Consumer<Limit> onRejection) {
    config.validate();
    TimeMeter time = new SuppliedTimeMeter(nanoTime);
    int maxKeys = config.maxTrackedKeys();
    return create(
        config,
        localStore(config.perClientAddress(), time, maxKeys),
        localStore(config.perPrincipal(), time, maxKeys),
        onRejection);
  }

  /**
   * A limiter whose token buckets live in a Redis that several instances share; the concurrency
   * slots stay per instance.
   *
   * @param config the limits; validated here
   * @param redis where the buckets live
   * @param nanoTime a monotonic clock in nanoseconds, for the fallback buckets
   * @param onRejection as for {@link #inMemory}
   */
  public static ConnectLimiter shared(
      RateLimitConfig config,
      RedisBuckets redis,
      LongSupplier nanoTime,
      Consumer<Limit> onRejection) {
    return shared(config, redis, null, nanoTime, onRejection);
  }

  /**
   * A limiter whose token buckets and per-principal concurrency slots ({@code
   * rateLimit.maxConcurrentConnectsPerPrincipal}, as leases) live in a Redis that several instances
   * share.
   *
   * @param leases where the concurrency slots live; null keeps them per instance
   */
  public static ConnectLimiter shared(
      RateLimitConfig config,
      RedisBuckets redis,
      RedisLeases leases,
      LongSupplier nanoTime,
      Consumer<Limit> onRejection) {
    config.validate();
    TimeMeter time = new SuppliedTimeMeter(nanoTime);
    int maxKeys = config.maxTrackedKeys();
    ConcurrencySlots local = localSlots(config);
    return create(
        config,
        sharedStore(redis, "connect-address", config.perClientAddress(), time, maxKeys),
        sharedStore(redis, "connect-principal", config.perPrincipal(), time, maxKeys),
        leases == null || local == null
            ? local
            : new RedisSlots(leases, config.maxConcurrentConnectsPerPrincipal(), local),
        onRejection);
  }

  private static ConnectLimiter create(
      RateLimitConfig config,
      BucketStore addressBuckets,
      BucketStore principalBuckets,
      Consumer<Limit> onRejection) {
    return create(config, addressBuckets, principalBuckets, localSlots(config), onRejection);
  }

  private static ConnectLimiter create(
      RateLimitConfig config,
      BucketStore addressBuckets,
      BucketStore principalBuckets,
      ConcurrencySlots slots,
      Consumer<Limit> onRejection) {
    return new ConnectLimiter(
        addressBuckets, principalBuckets, slots, config.ipv6PrefixLength(), onRejection);
  }

  /** The in-memory concurrency slots, or null when the cap is off. */
  private static ConcurrencySlots localSlots(RateLimitConfig config) {
    return config.maxConcurrentConnectsPerPrincipal() > 0
        ? new InFlightCounters(config.maxConcurrentConnectsPerPrincipal(), config.maxTrackedKeys())
        : null;
  }

  /**
   * Admits a connect or turns it away. Close the returned permit when the connect is over (in
   * {@code finally} or try-with-resources): it holds the principal's concurrency slot.
   *
   * @param principal who asks
   * @param clientAddress the client's address, from {@link ClientAddressResolver#resolve}
   * @throws GatewayException {@link ErrorCode#RATE_LIMITED} (a token bucket is empty; {@code
   *     retryAfter} is when the next token arrives, whole seconds, at least 1), {@link
   *     ErrorCode#TOO_MANY_CONCURRENT_CONNECTS} (retry after 1 s), or {@link
   *     ErrorCode#UPSTREAM_BUSY} when the concurrency table is full of busy keys, or {@link
   *     ErrorCode#LIMITS_UNAVAILABLE} when shared buckets or slots cannot be checked ({@code
   *     redis.onFailure: refuse})
   */
  public Permit admit(Principal principal, String clientAddress) {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(clientAddress, "clientAddress");
    String addressKey = addressKey(clientAddress);

    boolean addressTaken = false;
    if (addressBuckets != null) {
      ConsumptionProbe probe = addressBuckets.use(addressKey, TAKE_ONE);
      addressTaken = probe.isConsumed();
      if (!probe.isConsumed()) {
        throw rateLimited(
            Limit.CLIENT_ADDRESS,
            "Too many connection attempts from your network address. Please wait and try again.",
            probe);
      }
    }

    boolean principalTaken = false;
    if (principalBuckets != null && !principal.isAnonymous()) {
      ConsumptionProbe probe;
      try {
        probe = principalBuckets.use(principal.name(), TAKE_ONE);
      } catch (GatewayException e) {
        refund(addressBuckets, addressTaken, addressKey);
        throw e;
      }
      principalTaken = probe.isConsumed();
      if (!probe.isConsumed()) {
        refund(addressBuckets, addressTaken, addressKey);
        throw rateLimited(
            Limit.PRINCIPAL,
            "Too many connection attempts for your account. Please wait and try again.",
            probe);
      }
    }

    if (slots == null) {
      return Permit.unlimited();
    }
    // Disjoint prefixes: a principal named like an address never shares a counter with it.
    String slotKey =
        principal.isAnonymous() ? "address:" + addressKey : "principal:" + principal.name();
    ConcurrencySlots.Attempt attempt;
    try {
      attempt = slots.tryAcquire(slotKey);
    } catch (GatewayException e) {
      refund(addressBuckets, addressTaken, addressKey);
      refund(principalBuckets, principalTaken, principal.name());
      throw e;
    }
    ConcurrencySlots.Outcome outcome = attempt.outcome();
    if (outcome == ConcurrencySlots.Outcome.ACQUIRED) {
      return new Permit(attempt.release());
    }
    refund(addressBuckets, addressTaken, addressKey);
    refund(principalBuckets, principalTaken, principal.name());
    onRejection.accept(Limit.CONCURRENCY);
    if (outcome == ConcurrencySlots.Outcome.FULL) {
      // Not this caller's fault: the gateway tracks as many busy keys as it may.
      throw new GatewayException(
          ErrorCode.UPSTREAM_BUSY,
          "The service is busy. Please try again in a moment.",
          CONCURRENCY_RETRY_AFTER,
          Map.of(),
          null);
    }
    throw new GatewayException(
        ErrorCode.TOO_MANY_CONCURRENT_CONNECTS,
        "A connection you started is still being set up. Wait for it to finish and try again.",
        CONCURRENCY_RETRY_AFTER,
        Map.of(),
        null);
  }

  /**
   * The bucket key of a client address: the address itself, except IPv6, which is cut to its
   * leading {@code ipv6PrefixLength} bits, since one subscriber gets a whole /64 (or more) and
   * could otherwise switch addresses to get fresh buckets.
   */
  private String addressKey(String clientAddress) {
    return addressKey(clientAddress, ipv6PrefixLength);
  }

  /** {@link #addressKey(String)} for a given IPv6 prefix length; shared with other limiters. */
  static String addressKey(String clientAddress, int ipv6PrefixLength) {
    byte[] address = IpAddresses.parseHost(clientAddress);
    if (address == null) {
      return clientAddress; // not an IP (e.g. a Unix socket peer): its text is the best key
    }
    if (address.length == 4 || ipv6PrefixLength == address.length * Byte.SIZE) {
      return IpAddresses.format(address);
    }
    return IpAddresses.format(IpAddresses.mask(address, ipv6PrefixLength)) + "/" + ipv6PrefixLength;
  }

  private GatewayException rateLimited(Limit limit, String message, ConsumptionProbe probe) {
    onRejection.accept(limit);
    return new GatewayException(
        ErrorCode.RATE_LIMITED,
        message,
        retryAfter(probe.getNanosToWaitForRefill()),
        Map.of(),
        null);
  }

  /** Whole seconds, rounded up so that a client that waits exactly this long finds a token. */
  static Duration retryAfter(long nanosToWait) {
    long seconds = Math.ceilDiv(nanosToWait, TimeUnit.SECONDS.toNanos(1));
    return Duration.ofSeconds(Math.max(MIN_RETRY_AFTER_SECONDS, seconds));
  }

  /**
   * Gives back a token taken by this check. Best effort: when a shared store fails now, the token
   * stays taken (the bucket refills anyway), and the caller's own answer stands.
   */
  private static void refund(BucketStore store, boolean taken, String key) {
    if (!taken) {
      return;
    }
    try {
      store.use(
          key,
          bucket -> {
            bucket.addTokens(1);
            return null;
          });
    } catch (GatewayException e) {
      // Already logged by the store, once per outage.
    }
  }

  private static final Function<Bucket, ConsumptionProbe> TAKE_ONE =
      bucket -> bucket.tryConsumeAndReturnRemaining(1);

  /** The bandwidth of {@code limit}, or null when it limits nothing. */
  static Bandwidth bandwidth(RateLimitConfig.TokenBucket limit) {
    if (!limit.limits()) {
      return null;
    }
    return Bandwidth.builder()
        .capacity(limit.capacity())
        .refillGreedy(limit.refillTokens(), limit.refillPeriod())
        .build();
  }

  /**
   * A store of {@code limit}'s buckets in {@code redis} under {@code name}, falling back to an
   * in-memory one; null when it limits nothing.
   */
  static BucketStore sharedStore(
      RedisBuckets redis,
      String name,
      RateLimitConfig.TokenBucket limit,
      TimeMeter time,
      int maxKeys) {
    Bandwidth bandwidth = bandwidth(limit);
    return bandwidth == null
        ? null
        : redis.store(name, bandwidth, new LocalBucketStore(bandwidth, time, maxKeys), maxKeys);
  }

  /** An in-memory store of {@code limit}'s buckets, or null when it limits nothing. */
  static BucketStore localStore(RateLimitConfig.TokenBucket limit, TimeMeter time, int maxKeys) {
    Bandwidth bandwidth = bandwidth(limit);
    return bandwidth == null ? null : new LocalBucketStore(bandwidth, time, maxKeys);
  }

  /** Bucket4j's clock, from any nanosecond source; monotonic, so not wall-clock based. */
  record SuppliedTimeMeter(LongSupplier nanoTime) implements TimeMeter {
    @Override
    public long currentTimeNanos() {
      return nanoTime.getAsLong();
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }
}
