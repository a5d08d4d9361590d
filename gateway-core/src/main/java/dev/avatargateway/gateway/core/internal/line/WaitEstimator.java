package dev.avatargateway.gateway.core.internal.line;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * line.estimateRefresh}, one read at a time, on a thread of its own (the {@code refresher}): never
 * on a waiting connect's thread, which a client that leaves interrupts, and an interrupted JDBC
 * call may break its connection or an embedded database's file channel; and never under the line's
 * lock. Until a read has finished the previous history is used (none at first). Thread-safe; never
 * blocks.
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
  private final Executor refresher;
  private final AtomicBoolean reading = new AtomicBoolean();
  private volatile Snapshot snapshot;

  /**
   * @param source reads the history (the ledger); may throw, which keeps the previous history
   * @param capacity the gate's slots ({@code rateLimit.maxUpstreamCreatesInFlight}; 0 = no cap)
   * @param refresh the least time between two reads of {@code source}
   * @param clock when a read is due
   * @param refresher runs each read: {@link #ownThread()} in the gateway, the calling thread in
   *     tests
   */
  public WaitEstimator(
      Supplier<History> source, int capacity, Duration refresh, Clock clock, Executor refresher) {
    this.source = Objects.requireNonNull(source, "source");
    this.capacity = capacity;
    this.refresh = Objects.requireNonNull(refresh, "refresh");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refresher = Objects.requireNonNull(refresher, "refresher");
  }

  /** Runs each read on a new virtual thread that nothing interrupts. */
  public static Executor ownThread() {
    return read -> Thread.ofVirtual().name("avatar-gateway-line-estimate").start(read);
  }

  /** An estimator that never knows: for tests and for a core without books. */
  public static WaitEstimator none() {
    return new WaitEstimator(
        () -> History.NONE, 0, Duration.ofDays(1), Clock.systemUTC(), Runnable::run);
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
    boolean due = current == null || !clock.instant().isBefore(current.readAt().plus(refresh));
    if (due && reading.compareAndSet(false, true)) {
      try {
        refresher.execute(this::refresh);
      } catch (RuntimeException e) {
        reading.set(false);
        LOG.warn("Could not start reading recent session lengths for the waiting line", e);
      }
      current = snapshot; // fresh when the read ran on this thread
    }
    return current == null ? History.NONE : current.history();
  }

  private void refresh() {
    try {
      Instant at = clock.instant();
      snapshot = new Snapshot(read(snapshot), at);
    } finally {
      reading.set(false);
    }
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
