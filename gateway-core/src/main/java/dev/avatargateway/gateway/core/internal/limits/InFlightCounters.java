package dev.avatargateway.gateway.core.internal.limits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-memory {@link ConcurrencySlots}: a counter per key, held only while it is above zero (the last
 * release removes it). Nothing is ever evicted, so a count can never be lost and the cap never
 * under-counts; the table stays bounded because a new key is refused ({@link Outcome#FULL}) when
 * its stripe already tracks its share of {@code maxKeys} busy keys.
 */
final class InFlightCounters implements ConcurrencySlots {
  private final int maxPerKey;
  private final List<Stripe> stripes;

  /**
   * @param maxPerKey slots per key, at least 1
   * @param maxKeys keys tracked at once, at least 1
   */
  InFlightCounters(int maxPerKey, int maxKeys) {
    if (maxPerKey < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("maxPerKey and maxKeys must be at least 1");
    }
    this.maxPerKey = maxPerKey;
    int count = Stripes.count(maxKeys);
    List<Stripe> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(new Stripe(Stripes.share(i, count, maxKeys)));
    }
    this.stripes = List.copyOf(list);
  }

  @Override
  public Attempt tryAcquire(String key) {
    Stripe stripe = stripeOf(key);
    stripe.lock.lock();
    try {
      Counter counter = stripe.counters.get(key);
      if (counter == null) {
        if (stripe.counters.size() >= stripe.share) {
          return Attempt.FULL;
        }
        counter = new Counter();
        stripe.counters.put(key, counter);
      } else if (counter.inFlight >= maxPerKey) {
        return Attempt.AT_LIMIT;
      }
      counter.inFlight++;
      return new Attempt(Outcome.ACQUIRED, () -> release(key));
    } finally {
      stripe.lock.unlock();
    }
  }

  /** Gives back a slot taken by a successful {@link #tryAcquire}; exactly once per slot. */
  void release(String key) {
    Stripe stripe = stripeOf(key);
    stripe.lock.lock();
    try {
      Counter counter = stripe.counters.get(key);
      // Absent only if released more often than acquired, which Permit's idempotent close rules
      // out; ignoring it keeps a close() in a finally block from ever throwing.
      if (counter != null && --counter.inFlight == 0) {
        stripe.counters.remove(key);
      }
    } finally {
      stripe.lock.unlock();
    }
  }

  /** Keys with at least one slot in use. */
  int trackedKeys() {
    int size = 0;
    for (Stripe stripe : stripes) {
      stripe.lock.lock();
      try {
        size += stripe.counters.size();
      } finally {
        stripe.lock.unlock();
      }
    }
    return size;
  }

  private Stripe stripeOf(String key) {
    return stripes.get(Stripes.of(key, stripes.size()));
  }

  private static final class Counter {
    int inFlight;
  }

  private static final class Stripe {
    final ReentrantLock lock = new ReentrantLock();
    final HashMap<String, Counter> counters = new HashMap<>();
    final int share;

    Stripe(int share) {
      this.share = share;
    }
  }
}
