package dev.avatargateway.gateway.core;

/**
 * Admission control (YAML section {@code admission}): how much the gateway takes on before it
 * refuses new connects with 503 {@code overloaded} and {@code Retry-After}, at once and before any
 * work (no body read, no credential check, no upstream call, no ledger write), so that the connects
 * it did admit can finish. Every absent value takes its default, so an absent section gives {@link
 * #defaults()}.
 *
 * @param maxConnectsInFlight the most connects the gateway works on at once, counted from the
 *     moment one is admitted to its answer; {@code 0} means no cap (not recommended: the heap check
 *     alone reacts only after the heap has filled). Default: derived from the JVM's maximum heap
 *     ({@code -Xmx}) by {@link #derivedMaxConnectsInFlight(long)}: (max heap - {@value
 *     #RESERVED_HEAP_MIB} MiB) * {@value #HEAP_SHARE_PERCENT}% / {@value #HEAP_PER_CONNECT_KIB}
 *     KiB, at least {@value #MIN_DERIVED_CONNECTS} and at most {@value #MAX_DERIVED_CONNECTS}; 819
 *     for a 128 MiB heap, 4,095 for 256 MiB, 10,649 for 512 MiB. A value set here is used as it is,
 *     whatever the heap; env {@code GATEWAY_MAX_CONNECTS_IN_FLIGHT}
 * @param maxHeapUsedAfterGc refuse new connects while the heap still in use just after the latest
 *     garbage collection is above this fraction of the maximum heap, 0.0 to 1.0; default {@value
 *     #DEFAULT_MAX_HEAP_USED_AFTER_GC} (see {@link #DEFAULT_MAX_HEAP_USED_AFTER_GC} for why).
 *     {@code 1.0} switches the check off; {@code 0.0} refuses every connect shortly after any
 *     collection (for tests of the refusal)
 */
public record AdmissionConfig(Integer maxConnectsInFlight, Double maxHeapUsedAfterGc) {
  private static final String SECTION = "admission";

  /**
   * Live heap one waiting connect holds, rounded up. Measured on Temurin 25 with {@code jcmd
   * GC.class_histogram} (a full collection, then the live objects) on a gateway with 0, 5,000 and
   * 10,000 connects waiting for their sessions ({@code HeapPerConnectBenchmark} in the gateway
   * module's benchmarks, {@code -Xmx512m}): 25.8 KiB each for the first 5,000, 24.3 KiB for the
   * next, 25.1 KiB on average. About 13 KiB of it is the stack of the connect's one virtual thread
   * (the server's request thread returns while the connect waits, and one shared thread watches
   * every client's connection); the rest is the connection's HTTP state and the connect's own (its
   * ledger row, its place in the readiness poller). Before those two changes it was 33 KiB (two
   * virtual threads per connect, 20 KiB of stacks).
   */
  static final int HEAP_PER_CONNECT_KIB = 26;

  /**
   * What the gateway holds besides its waiting connects: its own live heap when idle (18 MiB
   * measured after a warm-up of 200 connects, about 40 MiB once its buffer pools and the ledger's
   * cache have filled after a burst), and the connections that arrive beyond the cap while they are
   * being refused: up to {@code server.maxConnections} (15,000) at once, a few KiB each. A reserve
   * of 64 MiB with a 60% share (1,512 connects at 128 MiB) ran a 128 MiB gateway out of heap under
   * 12,000 arrivals at once (admitted connects that are still creating, queued for the ledger or
   * for an upstream connection hold more than a waiting one); 96 MiB gives 819 at 128 MiB, the cap
   * that carried that burst before, and still more than 10,000 at 512 MiB. It matters most for
   * small heaps.
   */
  static final int RESERVED_HEAP_MIB = 96;

  /**
   * Waiting connects may fill this share of what is left after the reserve; a generational
   * collector needs the rest for its young generation and its reserve, or it collects back to back.
   * Measured at {@code -Xmx512m}: with 10,000 connects waiting (245 MiB of live heap) the heap
   * still in use right after any collection, young ones included, peaked at 80% of the maximum,
   * under the {@link #DEFAULT_MAX_HEAP_USED_AFTER_GC} check; 65% of what is left after the reserve
   * is 270 MiB at 512 MiB, room for 10,650 such connects, and the heap check refuses beyond if a
   * run holds more.
   */
  static final int HEAP_SHARE_PERCENT = 65;

  private static final int PERCENT = 100;

  /** A tiny heap still serves a few connects; the heap check guards the rest. */
  static final int MIN_DERIVED_CONNECTS = 16;

  /**
   * Each connect in flight holds one socket, the browser's: the connections to Runway are bounded
   * however many connects wait (runway-client's {@code maxConnections}, 64 by default; twice that
   * with the embedded simulator, which holds the other ends). 15,000 sockets leave a quarter of the
   * 20,000 open files a process is typically allowed for the connections that arrive beyond the cap
   * while they are refused, the upstream connections, the ledger, the logs and the jar. Beyond it
   * files run out before heap (from about a 700 MiB heap on); set {@link #maxConnectsInFlight()} to
   * go higher. The server's own {@code server.maxConnections} (10,000 by default) caps the client
   * connections too.
   */
  static final int MAX_DERIVED_CONNECTS = 15_000;

  /**
   * G1, the collector a server JVM picks, keeps 10% of the heap in reserve for copying ({@code
   * G1ReservePercent}) and needs room for a young generation besides. When more than 85% is still
   * in use right after a collection, the next collections reclaim little and follow each other ever
   * faster: the spiral that ends in back-to-back full collections at 100% CPU and an {@code
   * OutOfMemoryError}. An old generation that holds only garbage does not trip it: G1 starts
   * collecting the old generation concurrently at 45% occupancy ({@code
   * InitiatingHeapOccupancyPercent}), well below.
   */
  public static final double DEFAULT_MAX_HEAP_USED_AFTER_GC = 0.85;

  private static final long BYTES_PER_KIB = 1024;
  private static final long BYTES_PER_MIB = 1024 * BYTES_PER_KIB;

  /** Fills absent values with their defaults ({@code maxConnectsInFlight} stays null: derived). */
  public AdmissionConfig {
    if (maxHeapUsedAfterGc == null) {
      maxHeapUsedAfterGc = DEFAULT_MAX_HEAP_USED_AFTER_GC;
    }
  }

  /** Every setting at its default. */
  public static AdmissionConfig defaults() {
    return new AdmissionConfig(null, null);
  }

  /**
   * The cap on connects in flight for a JVM with this maximum heap: {@link #maxConnectsInFlight()}
   * when set, else {@link #derivedMaxConnectsInFlight(long)}; 0 means no cap.
   *
   * @param maxHeapBytes the JVM's maximum heap, {@code Runtime.getRuntime().maxMemory()}
   */
  public int connectsInFlightCap(long maxHeapBytes) {
    return maxConnectsInFlight != null
        ? maxConnectsInFlight
        : derivedMaxConnectsInFlight(maxHeapBytes);
  }

  /**
   * The default cap for a JVM with this maximum heap (see {@link #maxConnectsInFlight()}).
   *
   * @param maxHeapBytes the JVM's maximum heap in bytes; {@code Long.MAX_VALUE} (no limit) gives
   *     the most
   */
  public static int derivedMaxConnectsInFlight(long maxHeapBytes) {
    long forConnects =
        (maxHeapBytes - RESERVED_HEAP_MIB * BYTES_PER_MIB) / PERCENT * HEAP_SHARE_PERCENT;
    long connects = forConnects / (HEAP_PER_CONNECT_KIB * BYTES_PER_KIB);
    return Math.clamp(connects, MIN_DERIVED_CONNECTS, MAX_DERIVED_CONNECTS);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code
   *     admission.maxConnectsInFlight}
   */
  public void validate() {
    if (maxConnectsInFlight != null && maxConnectsInFlight < 0) {
      throw new ConfigException(
          SECTION + ".maxConnectsInFlight (GATEWAY_MAX_CONNECTS_IN_FLIGHT)",
          "must be a whole number of at least 0 (0 = no cap), was " + maxConnectsInFlight);
    }
    if (maxHeapUsedAfterGc.isNaN() || maxHeapUsedAfterGc < 0 || maxHeapUsedAfterGc > 1) {
      throw new ConfigException(
          SECTION + ".maxHeapUsedAfterGc",
          "must be a fraction from 0.0 to 1.0 (1.0 = no check), was " + maxHeapUsedAfterGc);
    }
  }
}
