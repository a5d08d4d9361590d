package dev.avatargateway.gateway.core.internal.admission;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap in use after each garbage collection, as the JVM reports it in its collection
 * notifications (HotSpot and OpenJ9 send one per collection, on a JVM thread of their own): the sum
 * over the heap's memory pools after the collection, over the maximum heap. Reading it is one
 * volatile read; nothing is asked of the JVM per request.
 */
final class GcHeapReading implements HeapReading {
  private static final Logger LOG = LoggerFactory.getLogger(GcHeapReading.class);

  /**
   * A pause inside a concurrent collector's cycle (ZGC, Shenandoah) reclaims nothing and reports no
   * usage (ZGC reports 0); the cycle's own notification ("end of GC cycle") carries the reading.
   * G1's concurrent pauses ("end of concurrent GC pause") do free memory and count.
   */
  private static final String PAUSE_OF_A_CONCURRENT_CYCLE = "end of GC pause";

  private final long maxHeapBytes;
  private final Set<String> heapPools;
  private final LongSupplier nanoTime;
  private final List<NotificationEmitter> emitters = new CopyOnWriteArrayList<>();
  private final NotificationListener listener = this::onNotification;
  private volatile Reading latest;

  private GcHeapReading(long maxHeapBytes, Set<String> heapPools, LongSupplier nanoTime) {
    this.maxHeapBytes = maxHeapBytes;
    this.heapPools = heapPools;
    this.nanoTime = nanoTime;
  }

  /**
   * Starts listening to this JVM's collectors; {@link HeapReading#NONE} where the JVM has no heap
   * limit or sends no notifications (the heap check is then off, and a WARN says so).
   */
  static HeapReading start() {
    long max = Runtime.getRuntime().maxMemory();
    if (max <= 0 || max == Long.MAX_VALUE) {
      LOG.warn("The JVM reports no maximum heap: admission does not check the heap");
      return NONE;
    }
    Set<String> pools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toUnmodifiableSet());
    GcHeapReading reading = new GcHeapReading(max, pools, System::nanoTime);
    try {
      // Loads the notification's reader now: a runtime without the jdk.management module fails
      // here, once, rather than in every collection's notification.
      LOG.debug("Reading collections with {}", GarbageCollectionNotificationInfo.class.getName());
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (collector instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(reading.listener, null, null);
          reading.emitters.add(emitter);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      reading.close();
      LOG.warn("The JVM's collectors cannot be listened to: admission does not check the heap", e);
      return NONE;
    }
    if (reading.emitters.isEmpty()) {
      LOG.warn("The JVM's collectors send no notifications: admission does not check the heap");
      return NONE;
    }
    return reading;
  }

  @Override
  public Reading latest() {
    return latest;
  }

  private void onNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
            notification.getType())
        || !(notification.getUserData() instanceof CompositeData data)) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(data);
    if (PAUSE_OF_A_CONCURRENT_CYCLE.equals(info.getGcAction())) {
      return;
    }
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool :
        info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    latest = new Reading((double) used / maxHeapBytes, nanoTime.getAsLong());
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      emitters.remove(emitter);
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // Removed by a concurrent close: nothing left to undo.
      }
    }
  }
}
