package dev.avatargateway.gateway.core.internal.line;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The estimated wait of a place in the {@link WaitingLine}, from the recent sessions the ledger
 * knows (docs/line.md, "Estimated wait"):
 *
 * <ul>
 *   <li>while the gate is full: {@code position × hold ÷ capacity}, where {@code hold} is the mean
 *       time recent sessions held a creation slot (accepted to handed over) and {@code capacity} is
 *       {@code rateLimit.maxUpstreamCreatesInFlight}: slots free, on average, one every {@code hold
 *       ÷ capacity};
 *   <li>while Runway reports our sessions queued (the organisation is at its concurrency): {@code
 *       position × call ÷ live}, where {@code call} is the mean length of recent calls ({@code
 *       duration_seconds} of ended sessions) and {@code live} the calls of ours running now (at
 *       least 1): one of them ends, on average, every {@code call ÷ live}. ASSUMPTION: the
 *       organisation's capacity is taken by this gateway's calls; other users of the organisation
 *       make the real wait longer.
 * </ul>
 *
 * Rounded up to whole seconds. Without history (a new ledger, or no call ended yet) there is no
 * estimate: the position alone is told. The history is read at most once per {@code
 * line.estimateRefresh}, by one caller while the others use the previous one. Thread-safe.
 */
public final class WaitEstimator {
  private static final Logger LOG = LoggerFactory.getLogger(WaitEstimator.class);

  /**
   * What the estimate is computed from.
   *
   * @param meanHold the mean time recent sessions held a creation slot; empty without any
   * @param meanCall the mean length of recent calls; empty without any
   * @param liveCalls calls of ours running now
   */
  public record History(Optional<Duration> meanHold, Optional<Duration> meanCall, int liveCalls) {
    /** No history at all. */
    public static final History NONE = new History(Optional.empty(), Optional.empty(), 0);

    /** Rejects nulls and a negative count. */
    public History {
      Objects.requireNonNull(meanHold, "meanHold");
      Objects.requireNonNull(meanCall, "meanCall");
      if (liveCalls < 0) {
        throw new IllegalArgumentException("liveCalls must not be negative, was " + liveCalls);
      }
    }
  }

  private record Snapshot(History history, Instant readAt) {}

  private final Supplier<History> source;
  private final int capacity;
  private final Duration refresh;
  private final Clock clock;
  private final ReentrantLock reading = new ReentrantLock();
  private volatile Snapshot snapshot;

  /**
   * @param source reads the history (the ledger); may throw, which keeps the previous history
   * @param capacity the gate's slots ({@code rateLimit.maxUpstreamCreatesInFlight}; 0 = no cap)
   * @param refresh the least time between two reads of {@code source}
   * @param clock when a read is due
   */
  public WaitEstimator(Supplier<History> source, int capacity, Duration refresh, Clock clock) {
    this.source = Objects.requireNonNull(source, "source");
    this.capacity = capacity;
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** An estimator that never knows: for tests and for a core without books. */
  public static WaitEstimator none() {
    return new WaitEstimator(() -> History.NONE, 0, Duration.ofDays(1), Clock.systemUTC());
  }

  /**
   * The estimated wait at this position.
   *
   * @param position 1 for the head of the line
   * @param upstreamClosed whether the line waits for Runway's capacity rather than for the gate
   * @return whole seconds, at least 1; empty without history to go by
   */
  public Optional<Duration> eta(int position, boolean upstreamClosed) {
    History history = history();
    Optional<Duration> perPlace;
    if (upstreamClosed) {
      int live = Math.max(1, history.liveCalls());
      perPlace = history.meanCall().map(call -> call.dividedBy(live));
    } else if (capacity > 0) {
      perPlace = history.meanHold().map(hold -> hold.dividedBy(capacity));
    } else {
      perPlace = Optional.empty();
    }
    return perPlace.map(each -> wholeSeconds(each.multipliedBy(position)));
  }

  private static Duration wholeSeconds(Duration d) {
    long seconds = Math.ceilDiv(d.toMillis(), 1000);
    return Duration.ofSeconds(Math.max(1, seconds));
  }

  private History history() {
    Snapshot current = snapshot;
    Instant now = clock.instant();
    boolean due = current == null || !now.isBefore(current.readAt().plus(refresh));
    if (due && reading.tryLock()) {
      try {
        current = snapshot;
        if (current == null || !now.isBefore(current.readAt().plus(refresh))) {
          current = new Snapshot(read(current), now);
          snapshot = current;
        }
      } finally {
        reading.unlock();
      }
    }
    return current == null ? History.NONE : current.history();
  }

  private History read(Snapshot previous) {
    try {
      return Objects.requireNonNull(source.get(), "history");
    } catch (RuntimeException e) {
      // An estimate is a courtesy: the line works without it, and a failing ledger is reported by
      // the flow's own writes. The previous history stays until the next refresh.
      LOG.warn("Could not read recent session lengths for the waiting line's estimates", e);
      return previous == null ? History.NONE : previous.history();
    }
  }
}
