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
 *     #RESERVED_HEAP_MIB} MiB) / 2 / {@value #HEAP_PER_CONNECT_KIB} KiB, at least {@value
 *     #MIN_DERIVED_CONNECTS} and at most {@value #MAX_DERIVED_CONNECTS}; 819 for a 128 MiB heap,
 *     2,457 for 256 MiB. A value set here is used as it is, whatever the heap; env {@code
 *     GATEWAY_MAX_CONNECTS_IN_FLIGHT}
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
   * GC.class_histogram} (a full collection, then the live objects) on a gateway with 0, 1,000,
   * 2,000 and 3,000 connects waiting for their sessions: 55, 34 and 42 MiB more per thousand, 35 to
   * 55 KiB each, about 17 KiB of it the stacks of the connect's two virtual threads (the handler
   * and the disconnect watcher). The first thousand cost the most because pools grow with them; the
   * reserve below absorbs that.
   */
  static final int HEAP_PER_CONNECT_KIB = 40;

  /**
   * What the gateway holds besides its waiting connects: its own live heap when idle (14 MiB
   * measured on a fresh gateway, about 40 MiB once its buffer pools and the ledger's cache have
   * filled after a burst), and the connections that arrive beyond the cap while they are being
   * refused (6,000 arriving at once at a 128 MiB gateway kept the live heap 30 to 50 MiB above what
   * its waiting connects account for).
   */
  static final int RESERVED_HEAP_MIB = 64;

  /**
   * Waiting connects may fill half of what is left: a generational collector needs the other half
   * for its young generation and its reserve, or it collects back to back.
   */
  private static final int HEAP_SHARE_DIVISOR = 2;

  /** A tiny heap still serves a few connects; the heap check guards the rest. */
  static final int MIN_DERIVED_CONNECTS = 16;

  /**
   * Each connect in flight holds two sockets (the browser's and one to Runway): 5,000 is 10,000
   * open files, half of the 20,000 a process is typically allowed, the rest for the connections
   * waiting to be answered, the ledger and the jar. Beyond it files run out before heap; set {@link
   * #maxConnectsInFlight()} to go higher.
   */
  static final int MAX_DERIVED_CONNECTS = 5_000;

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
    long forConnects = (maxHeapBytes - RESERVED_HEAP_MIB * BYTES_PER_MIB) / HEAP_SHARE_DIVISOR;
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
