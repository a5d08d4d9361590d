package dev.avatargateway.gateway.core.internal.limits;

/**
 * How a bounded table is split into independently locked stripes: a key's stripe comes from its
 * hash, and each stripe holds a fixed share of the table's capacity, so the shares add up to the
 * capacity exactly and no global counter is needed.
 */
final class Stripes {
  /**
   * Many times the cores of the machines this runs on (2 to a few dozen): two threads then rarely
   * want the same stripe, and every critical section is one hash-map operation.
   */
  private static final int MAX_STRIPES = 64;

  /**
   * Recency is tracked per stripe; with at least this many entries per stripe, evicting a stripe's
   * eldest is close to evicting the table's eldest.
   */
  private static final int MIN_ENTRIES_PER_STRIPE = 1024;

  private Stripes() {}

  /** A power of two between 1 and {@link #MAX_STRIPES}. */
  static int count(int capacity) {
    int wanted = Math.max(1, Math.min(MAX_STRIPES, capacity / MIN_ENTRIES_PER_STRIPE));
    return Integer.highestOneBit(wanted);
  }

  /** Stripe {@code index}'s share of {@code capacity}; the shares add up to {@code capacity}. */
  static int share(int index, int stripes, int capacity) {
    return capacity / stripes + (index < capacity % stripes ? 1 : 0);
  }

  /** The stripe of a key, for a power-of-two {@code stripes}. */
  static int of(Object key, int stripes) {
    int hash = key.hashCode();
    // Mix the high bits in: the low bits alone of similar strings (addresses) cluster.
    hash ^= hash >>> 16;
    hash *= 0x9E3779B9; // the golden-ratio multiplier of Fibonacci hashing
    return (hash >>> 16) & (stripes - 1);
  }
}
