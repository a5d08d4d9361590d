package dev.avatargateway.gateway.core.internal.readiness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The gateway-wide budget of status reads: at most {@code rate} reads start in any window of one
 * second. A token bucket of {@code burst = max(1, rate / 10)} tokens refilled continuously at
 * {@code rate − burst} a second lets at most {@code burst + (rate − burst) × w} reads through in
 * any window of {@code w} seconds: {@code rate} in any one second, and up to {@code burst} at once
 * when reads of sessions created together fall due together. Every session needs at least one read,
 * so the sustained {@code rate − burst} (45 a second at the default 50) is also the most sessions a
 * second the gateway can see READY, however soon Runway makes them so. Thread-safe: the poller's
 * thread takes reads, a gauge may read {@link #rate()} from any.
 *
 * <h2>The rate adapts to Runway's 429s</h2>
 *
 * <p>ASSUMPTION: Runway documents no rate limit for status reads (runway-api.md, "Realtime-specific
 * concurrency/rate limits are not documented"), so the configured {@code readiness.readsPerSecond}
 * may be more than Runway accepts; a 429 is the only sign. The rate starts at the configured one
 * and follows AIMD (additive increase, multiplicative decrease, as TCP's congestion control):
 *
 * <ul>
 *   <li>a status read answered 429 halves the rate ({@link #DECREASE_FACTOR}), at most once per
 *       {@link #DECREASE_HOLD} (the reads in flight when Runway started refusing all come back 429
 *       together: one refusal, not sixteen), never below {@link #MIN_RATE}, and empties the bucket;
 *   <li>a {@code Retry-After} (or {@code retry-after-ms}) on the 429 stops every read until it has
 *       passed, up to {@link #MAX_PAUSE}: Runway's limits are per organisation, not per session;
 *   <li>then, each {@link #INCREASE_PERIOD} without a 429, the rate climbs by {@link
 *       #INCREASE_FRACTION} of the rate Runway refused (at least {@link #MIN_INCREASE} read a
 *       second): back from half to that rate in ten seconds, so that against a standing limit it
 *       saws between half the limit and a little above it, one 429 every ten seconds or so. The
 *       step doubles after each {@link #INCREASE_DOUBLING} without a 429, so that after a passing
 *       storm of 429s that cut it to the floor the rate is back at the configured one within about
 *       a minute and a half whatever was configured (from 2 to 5,000 a second: about 90 s);
 *   <li>it never exceeds the configured rate.
 * </ul>
 */
final class ReadBudget {
  /**
   * A tenth of the budget may go at once: sessions created together (a page of users arriving) fall
   * due together, and spacing their reads out at the sustained rate would make the last of them
   * late. The price is that the sustained rate is 90% of the budget.
   */
  static final int BURST_DIVISOR = 10;

  /** A 429 halves the rate: the classic AIMD decrease, quick to get under an unknown limit. */
  static final double DECREASE_FACTOR = 0.5;

  /**
   * At most one decrease per second: the rate is defined over one second, and the answers of reads
   * sent before the first 429 (up to {@code readiness.maxReadsInFlight} in flight) say nothing new.
   */
  static final Duration DECREASE_HOLD = Duration.ofSeconds(1);

  /**
   * The lowest rate, in reads a second: the lowest {@code readiness.readsPerSecond} accepts (a
   * burst of one and one a second), so that a Runway refusing everything still gets probed about
   * once a second and the waits end at their deadlines rather than with no read at all.
   */
  static final double MIN_RATE = 2;

  /** The rate climbs every second without a 429. */
  static final Duration INCREASE_PERIOD = Duration.ofSeconds(1);

  /**
   * Each increase adds 5% of the rate the last 429 came at: from half of it back to it in ten
   * seconds, slow enough that Runway refuses about one second in ten at a standing limit.
   */
  static final double INCREASE_FRACTION = 0.05;

  /** The smallest increase, in reads a second: a low rate still climbs visibly. */
  static final double MIN_INCREASE = 1;

  /**
   * The increase doubles after this long without a 429: a limit that was only passing (a storm of
   * 429s) does not hold the rate down for long, while at a standing limit, reached ten seconds
   * after the cut, the step has doubled once at most when the next 429 comes.
   */
  static final Duration INCREASE_DOUBLING = Duration.ofSeconds(10);

  /**
   * The longest {@code Retry-After} obeyed: as runway-client's {@code maxRetryAfter} default. A
   * longer ask would let every waiting connect pass its deadline unread; after 30 s the poller
   * probes again at the lowest rate.
   */
  static final Duration MAX_PAUSE = Duration.ofSeconds(30);

  private static final double NANOS_PER_SECOND = 1e9;

  private final Clock clock;
  private final double configured;
  private double rate;
  private double tokens;
  private long refilledAt;
  private long pausedUntil;
  private boolean everCut;
  private long cutAt;
  private double increase;
  private long nextIncreaseAt;
  private long increaseSince;

  /**
   * @param perSecond the configured rate, in reads a second, at least 2: the most the budget ever
   *     lets through
   * @param clock the time
   */
  ReadBudget(int perSecond, Clock clock) {
    if (perSecond < MIN_RATE) {
      throw new IllegalArgumentException("perSecond must be at least 2, was " + perSecond);
    }
    this.clock = clock;
    this.configured = perSecond;
    this.rate = perSecond;
    this.tokens = burst(perSecond);
    this.refilledAt = nanos();
  }

  /** Takes one read from the budget, if it has one now. */
  synchronized boolean tryTake() {
    long now = nanos();
    refresh(now);
    if (now < pausedUntil || tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** How many reads the budget has now. */
  synchronized long available() {
    long now = nanos();
    refresh(now);
    return now < pausedUntil ? 0 : (long) Math.floor(tokens);
  }

  /** How long until the budget has a read again (zero when it has one now). */
  synchronized Duration untilNext() {
    long now = nanos();
    refresh(now);
    long paused = Math.max(0, pausedUntil - now);
    double missing = 1 - tokens;
    if (missing <= 0) {
      return Duration.ofNanos(paused);
    }
    // While paused the bucket does not fill: the pause, then the time to refill what is missing.
    return Duration.ofNanos(paused + (long) Math.ceil(missing / refill(rate) * NANOS_PER_SECOND));
  }

  /**
   * Runway answered a status read with 429: the rate halves (once per {@link #DECREASE_HOLD}) and,
   * when Runway said how long to wait, every read waits that long (up to {@link #MAX_PAUSE}).
   *
   * @param retryAfter the delay Runway asked for, if it asked
   */
  synchronized void rateLimited(Optional<Duration> retryAfter) {
    long now = nanos();
    refresh(now);
    if (!everCut || now - cutAt >= DECREASE_HOLD.toNanos()) {
      double refused = rate;
      setRate(Math.max(MIN_RATE, refused * DECREASE_FACTOR));
      increase = Math.max(MIN_INCREASE, refused * INCREASE_FRACTION);
      everCut = true;
      cutAt = now;
    }
    tokens = 0;
    retryAfter
        .filter(d -> !d.isNegative())
        .ifPresent(
            d ->
                pausedUntil =
                    Math.max(pausedUntil, now + Math.min(d.toNanos(), MAX_PAUSE.toNanos())));
    long resume = Math.max(now, pausedUntil);
    refilledAt = resume;
    nextIncreaseAt = resume + INCREASE_PERIOD.toNanos();
    increaseSince = resume;
  }

  /**
   * The rate in force, in reads a second: the configured one until Runway answers 429, then lower
   * for a while (see the class Javadoc).
   */
  synchronized double rate() {
    refresh(nanos());
    return rate;
  }

  /** The additive increases due by {@code now}, then the tokens refilled since the last refresh. */
  private void refresh(long now) {
    while (everCut && rate < configured && now >= nextIncreaseAt) {
      settle(nextIncreaseAt);
      setRate(Math.min(configured, rate + increase));
      nextIncreaseAt += INCREASE_PERIOD.toNanos();
      if (nextIncreaseAt - increaseSince > INCREASE_DOUBLING.toNanos()) {
        increase *= 2;
        increaseSince = nextIncreaseAt - INCREASE_PERIOD.toNanos();
      }
    }
    settle(now);
  }

  /** Refills the bucket up to {@code now} at the rate in force (nothing while paused). */
  private void settle(long now) {
    long from = Math.max(refilledAt, pausedUntil);
    if (now > from) {
      tokens = Math.min(burst(rate), tokens + (now - from) / NANOS_PER_SECOND * refill(rate));
      refilledAt = now;
    }
  }

  private void setRate(double value) {
    rate = value;
    tokens = Math.min(tokens, burst(value));
  }

  private static double burst(double rate) {
    return Math.max(1, Math.floor(rate / BURST_DIVISOR));
  }

  private static double refill(double rate) {
    return rate - burst(rate);
  }

  private long nanos() {
    Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }
}
