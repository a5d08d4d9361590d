package dev.avatargateway.gateway.core.internal.admission;

/**
 * How full the heap was just after the latest garbage collection: cheap to read (no collection, no
 * JMX call per read), updated by the collector's own notifications.
 */
interface HeapReading extends AutoCloseable {
  /** No reading: the heap is never considered full. */
  HeapReading NONE = () -> null;

  /**
   * The latest reading, or null when there is none yet (no collection since start, or a JVM that
   * does not report collections).
   */
  Reading latest();

  /** Stops listening; idempotent. */
  @Override
  default void close() {}

  /**
   * One reading.
   *
   * @param usedFraction heap in use just after the collection, as a fraction of the maximum heap
   * @param atNanos when the collection ended, on the {@link System#nanoTime()} scale
   */
  record Reading(double usedFraction, long atNanos) {}
}
