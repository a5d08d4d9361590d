package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.PollSchedule;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns each avatar's time from create to READY and proposes when to read a waiting session's
 * status: sparse while READY is unlikely, tens of milliseconds apart around the instants it is
 * likely, wider again (by 1.5x a read, up to {@code readiness.maxInterval}) when the session is
 * later than the samples say. Thread-safe.
 *
 * <h2>What it learns</h2>
 *
 * The last {@code readiness.window} (64) times to READY of each avatar, from the sessions the
 * poller saw become READY and, at start-up, from the session ledger. A status read only tells
 * whether READY came before it, so a live sample is only known to lie between the last read that
 * saw the session not ready and the first that saw it READY. The sample taken is drawn at random
 * from the fit's own distribution within that interval (uniformly while no fit exists): the
 * imputation step of stochastic EM for interval-censored data. Taking the interval's mean instead
 * shrinks the spread, because every session caught in the same wide gap (such as those ready before
 * the first read) gets the same sample, and a narrower fit places its reads so that still more
 * sessions share a gap: in the simulation the spread then settled at 0.20 for a true 0.25 and the
 * lateness at p90 rose by 60%. Where reads are tens of milliseconds apart, the draw is within a few
 * milliseconds of the truth either way. Ledger samples are {@code ready_at − created_at}: the
 * instant READY was noticed, a little late by construction (by the lateness below), which the live
 * samples that replace them do not share. Sessions that were seen queued for capacity give no
 * sample: their time is mostly the queue's.
 *
 * <h2>The fit and the plan</h2>
 *
 * See {@link TimeToReady} (a smoothed empirical distribution in {@code ln t}, robust to outliers)
 * and {@link ReadPlan} (the reads that minimise {@code E[reads] + μ E[lateness]}, by dynamic
 * programming, with μ chosen so that an average session costs {@code readiness.readsPerSession}
 * reads; see below for an avatar READY within milliseconds). Below {@code readiness.minSamples}
 * samples an avatar is cold and its sessions are read as before: at once, then 250 ms growing by
 * 1.5x to 1 s ({@link PollSchedule#defaults()}).
 *
 * <h2>An avatar READY within milliseconds</h2>
 *
 * When READY comes within a read's round trip or two of create (an upstream READY at once), no
 * second read could follow a first that missed before {@link #MIN_GAP} has passed, so the plan
 * makes one read where the fit ends and expects it to find nearly every session READY. Those
 * sessions say only "READY by the first read", and drawn from the fit below that read their samples
 * give back the fit they came from: a first read placed too late (after reads came late for a
 * while: a budget that bound, slow answers, the cold schedule's second read 250 ms after the first)
 * stayed there for good, every session READY by it and none telling that READY came sooner. So
 * while the plan expects its first read to find at least {@value #BETTING_SHARE} of the sessions
 * READY, every {@value #PROBE_EVERY}th session is read at {@value #PROBE_FRACTION} of that instant
 * instead (a probe). A probe that finds READY caps the samples of the sessions READY at their first
 * read at the probe's instant, until any session is seen not ready (a probe that misses, or a later
 * session), and the plan moves down with them, halving until a probe misses. In {@code
 * FastUpstreamTest} (reads of 1 ms, one session after another): READY 3 ms after create is noticed
 * 1.8 ms after READY at the median with 1.07 reads per session once warm (9.6 ms before the
 * probes), and READY at once, after 400 sessions read 178 ms late, 2.8 ms after it with 1.00 reads
 * (26.5 ms before). A probe that misses costs its session one read more and {@link #MIN_GAP} of
 * lateness: one session in {@value #PROBE_EVERY}. The plans of the avatars in the tables below
 * never bet (their first read finds a few percent of the sessions READY), so no probe changes their
 * figures.
 *
 * <p>CPU: an avatar is refitted after {@value #REFIT_EVERY} new samples, and at most once per
 * {@link #MIN_REFIT_INTERVAL} (a fit and its plan take about 2 ms), so at any connect rate fitting
 * costs at most about 2 ms a second per avatar; between fits every question ({@link
 * #nextReadAfter}, {@link #chanceReadyBetween}, {@link #probabilityReadyBy}) is a look-up in the
 * plan (see {@link ReadPlan}). {@code ReadinessCpuBenchmark} in the tests measures about 3 µs of
 * CPU per session at 1,000 sessions a second of one avatar, fits included (550 µs when every fourth
 * sample refitted).
 *
 * <h2>The trade-off, in figures</h2>
 *
 * {@code readiness.readsPerSession} is the one dial. From the deterministic simulation in this
 * package's tests ({@code ReadinessSimulationTest}: 40 warm-up sessions, then 400 measured; reads
 * take no time; lateness = the instant of the read that sees READY − the instant READY came):
 *
 * <table>
 *   <caption>READY log-normal, median 1.5 s, σ 0.25</caption>
 *   <tr><th>reads per session</th><th>lateness p50</th><th>p90</th><th>reads</th></tr>
 *   <tr><td>cold (before the model)</td><td>405 ms</td><td>779 ms</td><td>4.91</td></tr>
 *   <tr><td>3</td><td>108 ms</td><td>245 ms</td><td>2.99</td></tr>
 *   <tr><td>4 (default)</td><td>69 ms</td><td>164 ms</td><td>3.97</td></tr>
 *   <tr><td>5</td><td>56 ms</td><td>132 ms</td><td>4.98</td></tr>
 *   <tr><td>6</td><td>47 ms</td><td>105 ms</td><td>5.98</td></tr>
 * </table>
 *
 * <table>
 *   <caption>READY uniform from 1 to 10 s</caption>
 *   <tr><th>reads per session</th><th>lateness p50</th><th>p90</th><th>reads</th>
 *       <th>reads per second of waiting</th></tr>
 *   <tr><td>cold</td><td>483 ms</td><td>860 ms</td><td>8.98</td><td>1.64</td></tr>
 *   <tr><td>4 (default)</td><td>557 ms</td><td>1,498 ms</td><td>3.93</td><td>0.56</td></tr>
 *   <tr><td>6</td><td>302 ms</td><td>786 ms</td><td>5.90</td><td>0.88</td></tr>
 * </table>
 *
 * <p>A gateway adds its own time to these (the read's round trip, recording READY, consume).
 *
 * <p>No schedule notices such log-normal READY times 50 ms late at the median with 4 reads: a
 * window of 50 ms before a read holds at most 5.5% of the sessions (the density peaks at 1.1 per
 * second), so half of them need at least ten reads placed where they may become ready, and each
 * session pays for every read before the one that sees it READY. The same dynamic programme on the
 * true distribution (the best any schedule can do) gives about 75 ms at the median with 4 reads (or
 * 80 ms with 145 ms at p90, when it minimises the share noticed more than 150 ms late instead of
 * the mean lateness), and needs about 6 reads for 50 ms at the median and 150 ms at p90. The model
 * comes within a few milliseconds of that, from its samples alone.
 *
 * <p>An unpredictable avatar gets the same number of reads spread over its wider range, so it costs
 * few reads a second; its sessions are noticed later (the p90 above is mostly sessions ready before
 * the first read, which the plan places where a real share of sessions is ready).
 */
public final class ReadinessModel {
  private static final Logger LOG = LoggerFactory.getLogger(ReadinessModel.class);

  /**
   * The shortest pause between two reads of one session: a status read takes a few to tens of
   * milliseconds, and two reads closer than that would overlap.
   */
  public static final Duration MIN_GAP = Duration.ofMillis(20);

  /**
   * How many avatars are tracked at most; the least recently used is forgotten first. Presets are
   * nine; custom avatars are UUIDs without bound. A known avatar costs its window of samples and a
   * plan (about 20 KB: the fit's tables and the plan's grid), so 1,000 cost some 20 MB; one with
   * too few samples to be known, half a kilobyte.
   */
  static final int MAX_AVATARS = 1000;

  /**
   * New samples of an avatar between two fits at least: a fit takes about 2 ms of CPU, and one new
   * sample in 64 hardly moves it.
   */
  static final int REFIT_EVERY = 4;

  /**
   * The shortest time between two fits of one avatar (its first fit excepted): at a high connect
   * rate every session yields a sample, and a fit every {@value #REFIT_EVERY} samples would cost
   * half a millisecond of CPU per connect (2 ms per fit); at most one a second costs at most 2 ms a
   * second per avatar whatever the rate. A second of samples moves the fit less than the window's
   * own noise unless the avatar sends more than a window a second, and then the fit still follows a
   * change within seconds. At connect rates below {@value #REFIT_EVERY} sessions a second of one
   * avatar the bound never binds.
   */
  static final Duration MIN_REFIT_INTERVAL = Duration.ofSeconds(1);

  /**
   * Below this share of the fit between two reads, the fit says nothing about where in between
   * READY came, and the sample is drawn uniformly.
   */
  private static final double MIN_SHARE = 1e-9;

  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * A plan whose first read the fit expects to find at least this share of sessions READY bets them
   * on that one read: an avatar READY within a read's round trip or two (the first read then lies
   * where the fit ends, since a miss costs {@link #MIN_GAP} more), which the samples cannot tell
   * from one READY just before that read.
   */
  static final double BETTING_SHARE = 0.5;

  /**
   * While the plan bets, every this many sessions one is a probe, read at {@value #PROBE_FRACTION}
   * of the plan's first read: one session in 16 pays a read more (and {@link #MIN_GAP} later) when
   * READY does not come sooner, few enough to stay below a tenth at p90.
   */
  static final int PROBE_EVERY = 16;

  /** Where a probe reads, as a share of the plan's first read: halving finds READY in few steps. */
  static final double PROBE_FRACTION = 0.5;

  private final int window;
  private final int minSamples;
  private final double readsPerSession;
  private final double maxInterval;
  private final double minGap;
  private final PollSchedule cold;
  private final Executor refits;
  private final DoubleSupplier random;
  private final LongSupplier nanoTime;
  private final Map<String, Avatar> avatars =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Avatar> eldest) {
          return size() > MAX_AVATARS;
        }
      };

  /**
   * A model that fits on virtual threads of its own, off the poller's thread.
   *
   * @param config the window, the minimum samples, the reads per session and the longest pause
   */
  public static ReadinessModel create(ReadinessConfig config) {
    return new ReadinessModel(config, fit -> Thread.ofVirtual().name("readiness-fit").start(fit));
  }

  /**
   * A model on {@link System#nanoTime()}.
   *
   * @param config the window, the minimum samples, the reads per session and the longest pause
   * @param refits where fits run: off the poller's thread in production (a fit takes about 2 ms of
   *     CPU, at most one per avatar at a time, after {@value #REFIT_EVERY} new samples and at most
   *     one per {@link #MIN_REFIT_INTERVAL}), {@code Runnable::run} in tests
   */
  public ReadinessModel(ReadinessConfig config, Executor refits) {
    this(config, refits, System::nanoTime);
  }

  /**
   * @param nanoTime a monotonic time in nanoseconds, as {@link System#nanoTime()}: what {@link
   *     #MIN_REFIT_INTERVAL} is measured on (tests and simulations pass their own)
   */
  public ReadinessModel(ReadinessConfig config, Executor refits, LongSupplier nanoTime) {
    this(config, refits, () -> ThreadLocalRandom.current().nextDouble(), nanoTime);
  }

  /**
   * @param random uniform on [0, 1): where in the interval between two reads a live sample is drawn
   *     (seeded in tests)
   */
  ReadinessModel(
      ReadinessConfig config, Executor refits, DoubleSupplier random, LongSupplier nanoTime) {
    config.validate();
    this.random = Objects.requireNonNull(random, "random");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.window = config.window();
    this.minSamples = config.minSamples();
    this.readsPerSession = config.readsPerSession();
    this.maxInterval = seconds(config.maxInterval());
    // runway-client's schedule, whose pauses cannot be shorter than 250 ms: with the default
    // longest pause of 1 s exactly PollSchedule.defaults().
    this.cold =
        PollSchedule.backoff(
            PollSchedule.MIN_INTERVAL,
            PollSchedule.DEFAULT_GROWTH,
            config.maxInterval().compareTo(PollSchedule.MIN_INTERVAL) < 0
                ? PollSchedule.MIN_INTERVAL
                : config.maxInterval());
    this.minGap = seconds(MIN_GAP);
    this.refits = Objects.requireNonNull(refits, "refits");
  }

  /**
   * When to read a session next.
   *
   * @param avatarId the session's avatar
   * @param elapsed the time since create when the session was last seen not ready; before the first
   *     read, the time since create now
   * @param readsSoFar how many reads the session had (0 before the first)
   * @return the time since create at which to read it, at least {@code elapsed} (at least {@link
   *     #MIN_GAP} later once it has been read)
   */
  public Duration nextReadAfter(String avatarId, Duration elapsed, int readsSoFar) {
    Objects.requireNonNull(elapsed, "elapsed");
    if (readsSoFar < 0) {
      throw new IllegalArgumentException("readsSoFar must be >= 0, was " + readsSoFar);
    }
    Avatar avatar = avatar(avatarId);
    ReadPlan plan = avatar == null ? null : avatar.plan;
    if (plan == null) {
      return elapsed.plus(cold.delayBefore(readsSoFar));
    }
    double at = seconds(elapsed.isNegative() ? Duration.ZERO : elapsed);
    if (readsSoFar > 0) {
      return duration(plan.next(at, at + minGap, true));
    }
    double next = plan.next(0, at, false);
    if (bets(plan) && avatar.takeProbe()) {
      // Every PROBE_EVERY-th session of an avatar whose first read finds most sessions READY is
      // read earlier, halfway there: the only way to learn that READY comes sooner (see
      // recordReady).
      double probe = Math.max(at, plan.firstRead() * PROBE_FRACTION);
      if (probe < next) {
        next = probe;
      }
    }
    return duration(next);
  }

  /**
   * Whether the plan bets most sessions on its first read: then the samples of the sessions READY
   * at it say nothing about when before it READY came, and only earlier reads can tell.
   */
  private static boolean bets(ReadPlan plan) {
    return plan.readyByFirstRead() >= BETTING_SHARE;
  }

  /** P(READY by {@code elapsed} after create), when the avatar is known. */
  public OptionalDouble probabilityReadyBy(String avatarId, Duration elapsed) {
    Optional<ReadPlan> plan = plan(avatarId);
    return plan.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(plan.get().cdf(seconds(elapsed)));
  }

  /**
   * The chance that a read at {@code by} finds READY a session seen not ready at {@code notReadyAt}
   * (both since create): {@code P(T ≤ by | T > notReadyAt)}. What the poller ranks reads by when
   * its budget binds.
   */
  public OptionalDouble chanceReadyBetween(String avatarId, Duration notReadyAt, Duration by) {
    Optional<ReadPlan> plan = plan(avatarId);
    if (plan.isEmpty()) {
      return OptionalDouble.empty();
    }
    double before = plan.get().cdf(seconds(notReadyAt));
    double after = plan.get().cdf(seconds(by));
    double waiting = 1 - before;
    // Far past every sample the fit's tail is flat: such a session is as likely ready as any.
    return OptionalDouble.of(waiting <= 1e-12 ? 1 : Math.max(0, (after - before) / waiting));
  }

  /**
   * Learns from a session seen READY by {@code readyBy} after create, having been seen not ready at
   * {@code notReadyAt} (zero when the first read found it READY).
   */
  public void recordReady(String avatarId, Duration notReadyAt, Duration readyBy) {
    double lo = Math.max(0, seconds(notReadyAt));
    double hi = Math.max(lo, seconds(readyBy));
    Avatar avatar = avatar(avatarId);
    ReadPlan plan = avatar == null ? null : avatar.plan;
    if (plan != null) {
      hi = Math.max(lo, avatar.probed(plan, lo, hi));
    }
    double u = random.getAsDouble();
    double sample = lo + u * (hi - lo);
    if (plan != null) {
      // The plan's CDF (its grid's, exact at the read instants it planned) rather than the fit's:
      // a lookup instead of a sum over every kernel.
      TimeToReady fit = plan.distribution();
      double below = plan.cdf(lo);
      double share = plan.cdf(hi) - below;
      if (share > MIN_SHARE && below + u * share < 1) {
        sample = fit.quantile(below + u * share);
      }
    }
    add(avatarId, List.of(Math.min(hi, Math.max(lo, sample))));
  }

  /** Learns an exactly known time to READY (or one the ledger recorded). */
  public void recordSample(String avatarId, Duration timeToReady) {
    add(avatarId, List.of(seconds(timeToReady)));
  }

  /**
   * Learns the samples of several avatars at once, oldest first per avatar, such as the ledger's at
   * start-up; each avatar is fitted once.
   */
  public void seed(Map<String, List<Duration>> samples) {
    samples.forEach(
        (avatarId, times) -> add(avatarId, times.stream().map(ReadinessModel::seconds).toList()));
  }

  /** What the model believes about an avatar, once it is known. */
  public Optional<Summary> summary(String avatarId) {
    return plan(avatarId)
        .map(
            plan ->
                new Summary(
                    plan.distribution().samples(),
                    duration(plan.distribution().median()),
                    plan.distribution().logSpread(),
                    plan.expectedReads(),
                    duration(1 / plan.latenessWorth()),
                    plan.reads().stream().map(ReadinessModel::duration).toList()));
  }

  /**
   * An avatar as the model sees it.
   *
   * @param samples the samples the fit uses (outliers left out)
   * @param median the median time to READY
   * @param logSpread the robust spread of {@code ln t} (σ for log-normal samples)
   * @param expectedReads the reads the plan expects to spend on an average session
   * @param latenessPerRead the expected lateness one more read must save to be spent: the price
   *     {@code readiness.readsPerSession} sets for this avatar
   * @param plannedReads the reads of a session that stays not ready, from create on, up to the
   *     fitted 99.9th percentile
   */
  public record Summary(
      int samples,
      Duration median,
      double logSpread,
      double expectedReads,
      Duration latenessPerRead,
      List<Duration> plannedReads) {}

  private Optional<ReadPlan> plan(String avatarId) {
    Avatar avatar = avatar(avatarId);
    return avatar == null ? Optional.empty() : Optional.ofNullable(avatar.plan);
  }

  private Avatar avatar(String avatarId) {
    synchronized (avatars) {
      return avatars.get(avatarId);
    }
  }

  private void add(String avatarId, List<Double> samples) {
    Objects.requireNonNull(avatarId, "avatarId");
    if (samples.isEmpty()) {
      return;
    }
    for (double sample : samples) {
      if (!(sample >= 0) || Double.isInfinite(sample)) {
        throw new IllegalArgumentException("a time to READY must be >= 0, was " + sample + " s");
      }
    }
    Avatar avatar;
    synchronized (avatars) {
      avatar = avatars.computeIfAbsent(avatarId, id -> new Avatar(window));
    }
    double[] toFit;
    synchronized (avatar) {
      for (double sample : samples) {
        avatar.add(sample);
      }
      toFit = avatar.takeRefit(minSamples, nanoTime.getAsLong());
    }
    if (toFit != null) {
      refit(avatarId, avatar, toFit);
    }
  }

  private void refit(String id, Avatar avatar, double[] samples) {
    refits.execute(
        () -> {
          double[] next = null;
          ReadPlan plan = null;
          try {
            plan = ReadPlan.tuned(TimeToReady.fit(samples), readsPerSession, minGap, maxInterval);
          } catch (RuntimeException e) {
            LOG.warn("Could not fit the times to READY of avatar {}; the last plan stays", id, e);
          } finally {
            synchronized (avatar) {
              avatar.refitting = false;
              if (plan != null) {
                // A fit that failed is not retried at once: the next samples try again.
                avatar.plan = plan;
                next = avatar.takeRefit(minSamples, nanoTime.getAsLong());
              }
            }
          }
          if (next != null) {
            refit(id, avatar, next);
          }
        });
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / NANOS_PER_SECOND;
  }

  private static Duration duration(double seconds) {
    return Duration.ofNanos(Math.round(seconds * NANOS_PER_SECOND));
  }

  /** One avatar's recent samples (a ring) and its plan; guarded by its own monitor. */
  private static final class Avatar {
    private final double[] ring;
    private int count;
    private int next;
    private int sinceFit;
    private boolean refitting;
    private long lastFitNanos;
    private volatile ReadPlan plan;

    /** First reads proposed while the plan bets, for {@link #takeProbe}. */
    private int firstReads;

    /**
     * The instant since create by which the last probe found a session READY, until a session is
     * seen not ready (NaN then, and before any probe found READY).
     */
    private double probedReadyBy = Double.NaN;

    Avatar(int window) {
      this.ring = new double[window];
    }

    /** Whether this first read is a probe: every {@value #PROBE_EVERY}-th one. */
    synchronized boolean takeProbe() {
      firstReads++;
      return firstReads % PROBE_EVERY == 0;
    }

    /**
     * What the probes say about a session seen not ready at {@code lo} (0 when never) and READY by
     * {@code hi}: the instant by which it was READY. A probe (a read before the first read of a
     * plan that bets) that found READY caps the sessions READY at their first read from then on:
     * they were READY by the probe's instant too, as far as anything tells. Any session seen not
     * ready (a probe's or a late one's) lifts the cap: READY does not always come that soon.
     */
    synchronized double probed(ReadPlan plan, double lo, double hi) {
      if (lo > 0) {
        probedReadyBy = Double.NaN;
        return hi;
      }
      // Seen READY nearer the probes' instant than the plan's first read: a probe's answer.
      if (bets(plan) && hi < plan.firstRead() * (1 + PROBE_FRACTION) / 2) {
        probedReadyBy = hi;
        return hi;
      }
      return probedReadyBy < hi ? probedReadyBy : hi;
    }

    void add(double sample) {
      ring[next] = sample;
      next = (next + 1) % ring.length;
      count = Math.min(count + 1, ring.length);
      sinceFit++;
    }

    /**
     * The samples to fit now, or null: none running, enough samples, and for a refit enough new
     * ones and long enough since the last fit began.
     */
    double[] takeRefit(int minSamples, long nowNanos) {
      if (refitting || count < minSamples) {
        return null;
      }
      if (plan != null
          && (sinceFit < REFIT_EVERY || nowNanos - lastFitNanos < MIN_REFIT_INTERVAL.toNanos())) {
        return null;
      }
      refitting = true;
      sinceFit = 0;
      lastFitNanos = nowNanos;
      double[] samples = new double[count];
      for (int i = 0; i < count; i++) {
        samples[i] = ring[(next - count + i + ring.length) % ring.length];
      }
      return samples;
    }
  }
}
