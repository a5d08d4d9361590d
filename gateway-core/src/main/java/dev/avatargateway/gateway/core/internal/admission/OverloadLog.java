package dev.avatargateway.gateway.core.internal.admission;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.LogFields;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator that connects are being refused, without a line per refusal: a WARN at the
 * first refusal, then at most one per {@link #INTERVAL} while refusals go on, each counting the
 * refusals since the previous line, and one more at the first admission once the line is due, with
 * what the overload's end left unreported (every connect's own summary line still carries its
 * code). Thread-safe; cheap on both paths (an add and a read; a read).
 */
final class OverloadLog {
  /**
   * At most six lines a minute during an overload: enough to see when it started, how it goes and
   * (by their stopping) when it ended; the counts add up to every refusal.
   */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(OverloadLog.class);
  private static final long NEVER = Long.MIN_VALUE;

  private final LongSupplier nanoTime;
  private final int maxConnectsInFlight;
  private final double maxHeapUsedAfterGc;
  private final LongAdder atCap = new LongAdder();
  private final LongAdder heapFull = new LongAdder();
  private final AtomicLong loggedAt = new AtomicLong(NEVER);

  /** Refusals were counted that no line has reported yet. */
  private volatile boolean pending;

  /**
   * @param nanoTime the clock that spaces the lines
   * @param maxConnectsInFlight the cap, for the message
   * @param maxHeapUsedAfterGc the threshold, for the message
   */
  OverloadLog(LongSupplier nanoTime, int maxConnectsInFlight, double maxHeapUsedAfterGc) {
    this.nanoTime = nanoTime;
    this.maxConnectsInFlight = maxConnectsInFlight;
    this.maxHeapUsedAfterGc = maxHeapUsedAfterGc;
  }

  /**
   * Counts a refusal and logs when the line is due.
   *
   * @param reason why it was refused
   * @param inFlight connects in flight at the refusal
   * @param heapUsed the latest heap reading (fraction after the latest collection), NaN for none
   * @return whether this call logged
   */
  boolean refused(Admission.Reason reason, int inFlight, double heapUsed) {
    (reason == Admission.Reason.HEAP ? heapFull : atCap).increment();
    pending = true;
    return logIfDue(inFlight, heapUsed, false);
  }

  /**
   * After an admission: reports the refusals not reported yet once the line is due, so that the end
   * of an overload is told too, not only with the next one. One volatile read when there is nothing
   * to report.
   *
   * @param inFlight connects in flight after the admission
   * @param heapUsed the latest heap reading, NaN for none
   * @return whether this call logged
   */
  boolean admitted(int inFlight, double heapUsed) {
    return pending && logIfDue(inFlight, heapUsed, true);
  }

  private boolean logIfDue(int inFlight, double heapUsed, boolean admitting) {
    long now = nanoTime.getAsLong();
    long last = loggedAt.get();
    if (last != NEVER && now - last < INTERVAL.toNanos()) {
      return false;
    }
    if (!loggedAt.compareAndSet(last, now)) {
      return false; // another thread is logging this interval's line
    }
    pending = false;
    long capped = atCap.sumThenReset();
    long heap = heapFull.sumThenReset();
    if (capped + heap == 0) {
      return false; // reported by the previous line already
    }
    LOG.warn(
        "Overloaded: refused {} new connects since the last such line: {} at the cap of {}"
            + " connects in flight, {} with the heap too full ({} in use after the latest"
            + " collection, the limit is {}); {} in flight now{}. Each was answered 503 overloaded"
            + " with Retry-After.",
        capped + heap,
        capped,
        maxConnectsInFlight == 0 ? "no" : Integer.toString(maxConnectsInFlight),
        heap,
        Double.isNaN(heapUsed) ? "unknown" : percent(heapUsed),
        percent(maxHeapUsedAfterGc),
        inFlight,
        admitting ? ", admitting again" : "",
        kv(LogFields.CODE, ErrorCode.OVERLOADED.code()));
    return true;
  }

  private static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }
}
