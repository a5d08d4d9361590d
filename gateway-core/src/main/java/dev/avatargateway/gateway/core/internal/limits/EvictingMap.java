package dev.avatargateway.gateway.core.internal.limits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A thread-safe map that never holds more than its capacity: adding a key to a full stripe evicts
 * that stripe's least recently used key. Every operation is O(1) under one stripe's lock. Recency
 * is per stripe (see {@link Stripes}), so the evicted key is among the least recently used, not
 * necessarily the very least.
 */
final class EvictingMap<K, V> {
  private final List<Stripe<K, V>> stripes;
  private final int capacity;

  /**
   * @param capacity the most keys ever held, at least 1
   */
  EvictingMap(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    int count = Stripes.count(capacity);
    List<Stripe<K, V>> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(new Stripe<>(Stripes.share(i, count, capacity)));
    }
    this.stripes = List.copyOf(list);
  }

  /**
   * The value for {@code key}, created by {@code factory} (under the stripe's lock, so keep it
   * cheap) when absent; either way the key becomes its stripe's most recently used.
   */
  V computeIfAbsent(K key, Function<? super K, ? extends V> factory) {
    Stripe<K, V> stripe = stripes.get(Stripes.of(key, stripes.size()));
    stripe.lock.lock();
    try {
      return stripe.entries.computeIfAbsent(key, factory);
    } finally {
      stripe.lock.unlock();
    }
  }

  /** The number of keys held now; at most {@link #capacity()}. */
  int size() {
    int size = 0;
    for (Stripe<K, V> stripe : stripes) {
      stripe.lock.lock();
      try {
        size += stripe.entries.size();
      } finally {
        stripe.lock.unlock();
      }
    }
    return size;
  }

  int capacity() {
    return capacity;
  }

  private static final class Stripe<K, V> {
    /** Not synchronized: virtual threads block on it without pinning their carrier on Java 21. */
    final ReentrantLock lock = new ReentrantLock();

    final LinkedHashMap<K, V> entries;

    Stripe(int share) {
      // Access order: get and computeIfAbsent move the key to the end; the eldest is evicted.
      this.entries =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
              return size() > share;
            }
          };
    }
  }
}
