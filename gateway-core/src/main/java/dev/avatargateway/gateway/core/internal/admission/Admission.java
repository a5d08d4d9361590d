package dev.avatargateway.gateway.core.internal.admission;

import dev.avatargateway.gateway.core.AdmissionConfig;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, first thing, whether the gateway takes a connect on: not when it already works on its
 * cap of connects, and not while the heap is nearly full after the latest collection. A refusal
 * costs a volatile read, at most an atomic add and an exception without a stack trace; the
 * connect's thread then answers 503 {@code overloaded} with {@code Retry-After}. Thread-safe; one
 * per core.
 */
public final class Admission implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /**
   * Retry-After of a refusal. A connect holds its place while its session is prepared, which takes
   * a few seconds (the upstream readies a session in a few; the simulator in 1.5 s, the benchmarks'
   * in 5 s), so places come free within about this long: asking the crowd back sooner only returns
   * it to a gateway that is still full, and later leaves freed places idle. A collector that ran
   * short of heap has also had several collections by then.
   */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * A heap reading older than this does not refuse. A heap that is really short is collected every
   * few hundred milliseconds under any load, so its reading stays fresh; a high reading with no
   * collection since means nothing is being allocated (the gateway went idle after a burst, its old
   * generation full of garbage not yet collected), and refusing on it could last until enough
   * refused requests had filled the young generation. The connect admitted then allocates, and a
   * heap still short is measured again within moments.
   */
  static final Duration HEAP_READING_MAX_AGE = Duration.ofSeconds(10);

  /** The plain sentence of a refusal; the code and Retry-After say the rest. */
  static final String MESSAGE = "The server is busy right now; try again in a few seconds.";

  private final int maxConnectsInFlight;
  private final double maxHeapUsedAfterGc;
  private final HeapReading heap;
  private final LongSupplier nanoTime;
  private final Consumer<Reason> onRefused;
  private final OverloadLog log;
  private final AtomicInteger inFlight = new AtomicInteger();

  Admission(
      int maxConnectsInFlight,
      double maxHeapUsedAfterGc,
      HeapReading heap,
      LongSupplier nanoTime,
      Consumer<Reason> onRefused) {
    this.maxConnectsInFlight = maxConnectsInFlight;
    this.maxHeapUsedAfterGc = maxHeapUsedAfterGc;
    this.heap = Objects.requireNonNull(heap, "heap");
    this.nanoTime = nanoTime;
    this.onRefused = onRefused;
    this.log = new OverloadLog(nanoTime, maxConnectsInFlight, maxHeapUsedAfterGc);
  }

  /**
   * Admission for this JVM: the cap from the configuration (derived from the maximum heap when
   * unset) and the heap read from the collectors' notifications; logs the limits once, at INFO.
   *
   * @param config the settings, already validated
   * @param onRefused told of every refusal (for the metrics); must be cheap and not throw
   */
  public static Admission start(AdmissionConfig config, Consumer<Reason> onRefused) {
    long maxHeap = Runtime.getRuntime().maxMemory();
    int cap = config.connectsInFlightCap(maxHeap);
    boolean checkHeap = config.maxHeapUsedAfterGc() < 1.0;
    HeapReading heap = checkHeap ? GcHeapReading.start() : HeapReading.NONE;
    LOG.info(
        "Admission: {} connects in flight at most ({}); new connects are refused while the heap is"
            + " more than {}% full after a collection{}",
        cap == 0 ? "no cap on" : Integer.toString(cap),
        config.maxConnectsInFlight() != null
            ? "admission.maxConnectsInFlight"
            : "derived from the maximum heap of " + maxHeap / (1024 * 1024) + " MiB",
        Math.round(config.maxHeapUsedAfterGc() * 100),
        checkHeap ? "" : " (switched off)");
    return new Admission(cap, config.maxHeapUsedAfterGc(), heap, System::nanoTime, onRefused);
  }

  /**
   * Takes the connect on, or refuses it.
   *
   * @return the connect's place, to close when it has answered
   * @throws GatewayException {@link ErrorCode#OVERLOADED} with {@link #RETRY_AFTER}
   */
  public Ticket admit() {
    HeapReading.Reading reading = heap.latest();
    if (reading != null
        && reading.usedFraction() > maxHeapUsedAfterGc
        && nanoTime.getAsLong() - reading.atNanos() < HEAP_READING_MAX_AGE.toNanos()) {
      throw refuse(Reason.HEAP, inFlight.get(), reading);
    }
    int now = inFlight.incrementAndGet();
    if (maxConnectsInFlight > 0 && now > maxConnectsInFlight) {
      inFlight.decrementAndGet();
      throw refuse(Reason.CONNECTS_IN_FLIGHT, now - 1, reading);
    }
    log.admitted(now, reading == null ? Double.NaN : reading.usedFraction());
    return new Ticket();
  }

  /** Connects admitted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The cap on connects in flight; 0 for none. */
  public int maxConnectsInFlight() {
    return maxConnectsInFlight;
  }

  private GatewayException refuse(Reason reason, int inFlightNow, HeapReading.Reading reading) {
    try {
      onRefused.accept(reason);
    } catch (RuntimeException e) {
      LOG.warn("Counting a refused connect failed", e);
    }
    log.refused(reason, inFlightNow, reading == null ? Double.NaN : reading.usedFraction());
    return new Overloaded();
  }

  /** Stops reading the heap. Idempotent. */
  @Override
  public void close() {
    heap.close();
  }

  /** Why a connect was refused; {@link #tag()} labels the metric. */
  public enum Reason {
    /** The cap on connects in flight was reached. */
    CONNECTS_IN_FLIGHT("connects_in_flight"),
    /** The heap was too full after the latest collection. */
    HEAP("heap");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    /** The metric's label value. */
    public String tag() {
      return tag;
    }
  }

  /** An admitted connect's place; closing it (once is enough, twice is harmless) frees it. */
  public final class Ticket implements AutoCloseable {
    private boolean closed;

    private Ticket() {}

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        inFlight.decrementAndGet();
      }
    }
  }

  /**
   * The refusal. No stack trace: it is an answer, not a fault, it is made thousands of times a
   * second under overload, and walking a deep server stack for each would cost more than the rest
   * of the refusal.
   */
  private static final class Overloaded extends GatewayException {
    private static final long serialVersionUID = 1L;

    Overloaded() {
      super(ErrorCode.OVERLOADED, MESSAGE, RETRY_AFTER, Map.of(), null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
