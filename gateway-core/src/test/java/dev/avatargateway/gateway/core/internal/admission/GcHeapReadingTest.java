package dev.avatargateway.gateway.core.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The heap reading from this JVM's own collection notifications. */
class GcHeapReadingTest {
  @Test
  void aCollectionIsReadAsTheShareOfTheMaximumHeapStillInUse() {
    try (HeapReading reading = GcHeapReading.start()) {
      assertThat(reading).isInstanceOf(GcHeapReading.class);
      long before = System.nanoTime();

      // A test may ask for a collection; the gateway itself never does.
      System.gc();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> reading.latest() != null && reading.latest().atNanos() >= before);
      HeapReading.Reading latest = reading.latest();
      assertThat(latest.usedFraction()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
      long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      // Right after a full collection, what is in use is about what survived it.
      assertThat(latest.usedFraction() * Runtime.getRuntime().maxMemory())
          .isLessThanOrEqualTo(used + 64.0 * 1024 * 1024);
    }
  }
}
