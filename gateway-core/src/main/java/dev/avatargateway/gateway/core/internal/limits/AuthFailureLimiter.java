package dev.avatargateway.gateway.core.internal.limits;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import io.github.bucket4j.EstimationProbe;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Throttles credential guessing: one token bucket per client address that only failed
 * authentications take from. Before a connect's credentials are checked, {@link #check} refuses it
 * when its address's bucket is empty; after a 401, {@link #failed} takes a token. Successful
 * authentications cost nothing, so a busy address of genuine users is never slowed by this limit,
 * and a guesser cannot learn anything from its refusals (they come before any check).
 *
 * <p>The check looks at the bucket without taking from it and the failure takes afterwards, so
 * connects from one address that are between the two at the same moment can all fail once the
 * bucket is already empty: at most that many failures beyond the capacity, once. Checking an API
 * key or a cached JWT key takes microseconds, so that is a handful; taking a token up front and
 * giving it back on success would bound it exactly, but would let a burst of genuine users behind
 * one address use up the bucket for each other.
 *
 * <p>The buckets live in a {@link BucketStore}: in this JVM ({@link #inMemory}), or in a Redis that
 * several instances share ({@link #shared}).
 */
public final class AuthFailureLimiter {
  private final BucketStore buckets; // null: limit switched off
  private final int ipv6PrefixLength;
  private final Consumer<Limit> onRejection;

  AuthFailureLimiter(BucketStore buckets, int ipv6PrefixLength, Consumer<Limit> onRejection) {
    this.buckets = buckets;
    this.ipv6PrefixLength = ipv6PrefixLength;
    this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
  }

  /**
   * A limiter whose buckets live in this JVM (one gateway instance).
   *
   * @param config {@link RateLimitConfig#authFailuresPerClientAddress()}, {@link
   *     RateLimitConfig#ipv6PrefixLength()} and {@link RateLimitConfig#maxTrackedKeys()}; validated
   *     here
   * @param nanoTime a monotonic clock in nanoseconds: {@code System::nanoTime}, or a test's
   * @param onRejection told {@link Limit#AUTH_FAILURES} for each refused connect (for metrics);
   *     must be fast and must not throw
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public static AuthFailureLimiter inMemory(
      RateLimitConfig config, LongSupplier nanoTime, Consumer<Limit> onRejection) {
    config.validate();
    return new AuthFailureLimiter(
        ConnectLimiter.localStore(
            config.authFailuresPerClientAddress(),
            new ConnectLimiter.SuppliedTimeMeter(nanoTime),
            config.maxTrackedKeys()),
        config.ipv6PrefixLength(),
        onRejection);
  }

  /**
   * A limiter whose buckets live in a Redis that several instances share.
   *
   * @param config as for {@link #inMemory}; validated here
   * @param redis where the buckets live
   * @param nanoTime a monotonic clock in nanoseconds, for the fallback buckets
   * @param onRejection as for {@link #inMemory}
   */
  public static AuthFailureLimiter shared(
      RateLimitConfig config,
      RedisBuckets redis,
      LongSupplier nanoTime,
      Consumer<Limit> onRejection) {
    config.validate();
    return new AuthFailureLimiter(
        ConnectLimiter.sharedStore(
            redis,
            "auth-failures",
            config.authFailuresPerClientAddress(),
            new ConnectLimiter.SuppliedTimeMeter(nanoTime),
            config.maxTrackedKeys()),
        config.ipv6PrefixLength(),
        onRejection);
  }

  /**
   * Refuses a connect whose address has used up its failures; takes nothing.
   *
   * @param clientAddress the client's address, from {@link ClientAddressResolver#resolve}
   * @throws GatewayException {@link ErrorCode#TOO_MANY_AUTH_FAILURES}, with {@code retryAfter} when
   *     the next token arrives (whole seconds, at least 1), or {@link ErrorCode#LIMITS_UNAVAILABLE}
   *     when shared buckets cannot be checked ({@code redis.onFailure: refuse})
   */
  public void check(String clientAddress) {
    if (buckets == null) {
      return;
    }
    EstimationProbe probe = buckets.use(key(clientAddress), b -> b.estimateAbilityToConsume(1));
    if (!probe.canBeConsumed()) {
      onRejection.accept(Limit.AUTH_FAILURES);
      throw new GatewayException(
          ErrorCode.TOO_MANY_AUTH_FAILURES,
          "Too many failed sign-in attempts from your network address. Please wait and try again.",
          ConnectLimiter.retryAfter(probe.getNanosToWaitForRefill()),
          Map.of(),
          null);
    }
  }

  /**
   * Counts a failed authentication against its address; an empty bucket stays empty.
   *
   * @param clientAddress the client's address, from {@link ClientAddressResolver#resolve}
   */
  public void failed(String clientAddress) {
    if (buckets == null) {
      return;
    }
    try {
      buckets.use(key(clientAddress), b -> b.tryConsume(1));
    } catch (GatewayException e) {
      // A shared store that cannot be used (logged by it, once per outage): the caller's 401
      // stands, and the next check answers the outage.
    }
  }

  private String key(String clientAddress) {
    Objects.requireNonNull(clientAddress, "clientAddress");
    return ConnectLimiter.addressKey(clientAddress, ipv6PrefixLength);
  }
}
