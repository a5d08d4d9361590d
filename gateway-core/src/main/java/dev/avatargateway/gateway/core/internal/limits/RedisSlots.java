package dev.avatargateway.gateway.core.internal.limits;

/**
 * {@link ConcurrencySlots} shared through Redis: one slot set of leases per key ({@code
 * <prefix>concurrency:<key>}), so that every instance together holds at most {@code maxPerKey}
 * slots of a key. While Redis fails: {@code redis.onFailure: refuse} throws {@code
 * limits_unavailable}; {@code local} takes an in-memory slot instead (N instances may then admit up
 * to N times the cap). A slot is given back where it was taken. Never {@link Outcome#FULL}: Redis
 * keeps only the keys in use, and each expires with its last lease.
 */
final class RedisSlots implements ConcurrencySlots {
  /** The key prefix of a slot set, beside the buckets' {@code connect-principal:}. */
  static final String SET_PREFIX = "concurrency:";

  private final RedisLeases leases;
  private final int maxPerKey;
  private final ConcurrencySlots fallback;

  /**
   * @param maxPerKey slots per key, at least 1
   * @param fallback the per-instance slots used while Redis fails with {@code onFailure: local}
   */
  RedisSlots(RedisLeases leases, int maxPerKey, ConcurrencySlots fallback) {
    if (maxPerKey < 1) {
      throw new IllegalArgumentException("maxPerKey must be at least 1, was " + maxPerKey);
    }
    this.leases = leases;
    this.maxPerKey = maxPerKey;
    this.fallback = fallback;
  }

  @Override
  public Attempt tryAcquire(String key) {
    try {
      return leases
          .tryAcquire(leases.key(SET_PREFIX + key), maxPerKey, null)
          .map(lease -> new Attempt(Outcome.ACQUIRED, lease::release))
          .orElse(Attempt.AT_LIMIT);
    } catch (RuntimeException e) {
      if (leases.redis().fallsBackToLocal()) {
        return fallback.tryAcquire(key);
      }
      throw RedisBuckets.unavailable(e);
    }
  }
}
