package dev.avatargateway.gateway.core.internal.readiness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When to read a session's status, for one fitted {@link TimeToReady}: the reads that minimise
 * {@code E[reads] + μ · E[lateness]}, where lateness is how long after READY the read that sees it
 * is sent, and {@code μ} is what one second of lateness is worth in reads. Times are in seconds
 * since create.
 *
 * <p>Solved exactly on a grid by dynamic programming (backward induction): the state is "not READY
 * at {@code a}", and from each state the best next read {@code b} costs {@code P(T > a)} (the read
 * happens only if the session was not ready at {@code a}) plus {@code μ ∫_a^b (b − s) f(s) ds} (the
 * lateness of the sessions that become ready in between) plus the cost of going on from {@code b}.
 * The optimum has the shape one expects: no read while little probability mass lies ahead (the
 * first read comes when a real share of sessions is ready), reads tens of milliseconds apart where
 * the density is high, and wider gaps again in the tail. Past the grid's end (the fitted 99.9th
 * percentile) the gaps grow by 1.5x per read up to {@code maxInterval}.
 *
 * <p>The grid holds {@value #GRID} quantiles of the fit (so it is densest where READY is likely: a
 * few milliseconds apart there), with points added where two are more than half of {@code
 * maxInterval} apart. Two reads of a session are at least {@code minGap} apart, and after the first
 * read at most {@code maxInterval}. From a point with no other point {@code minGap} ahead (the end
 * of the grid, or all of a fit narrower than {@code minGap}: an avatar READY within milliseconds)
 * the next read comes {@code minGap} later, past the grid's end, and is costed so: a session such a
 * plan's first read misses is noticed {@code minGap} late, for one read more.
 *
 * <p>A plan is made once per fit; asking it is cheap. The next read from a point of the grid (where
 * the plan's own reads are, or up to half of {@code minGap} after one: a read's round trip) is the
 * one the backward induction chose there, and the first read of a wait from any instant is a suffix
 * minimum computed with it: both a binary search. Only a session seen not ready further off the
 * grid (a read the budget held back, a wide gap of the tail) is costed afresh, over the points
 * within {@code maxInterval}. {@link #cdf} interpolates on the grid: a binary search.
 *
 * <p>{@link #tuned} picks {@code μ} by bisection so that the plan's expected reads per session
 * equal a target: a scale-free dial (the same 4 reads mean tight reads for an avatar that is always
 * ready after 1.5 s and wide ones for one that takes anything from 1 to 10 s), where a fixed {@code
 * μ} would spend many reads on the unpredictable avatar and few on the predictable one.
 */
final class ReadPlan {
  /** Quantiles of the fit on the grid: a few milliseconds apart where READY is likely. */
  static final int GRID = 256;

  /** The grid's last point, as a quantile: beyond it the samples say little. */
  static final double LAST_QUANTILE = 0.999;

  /** Each read after the grid's end comes this much later than the previous one did. */
  static final double TAIL_GROWTH = 1.5;

  /** The bounds of the bisection over μ, in reads per second of lateness. */
  private static final double MIN_MU = 1e-3;

  private static final double MAX_MU = 1e6;

  /**
   * Steps of the bisection over {@code ln μ} (a range of 21): 24 halvings leave μ within 0.0002%,
   * far finer than a plan can tell apart.
   */
  private static final int BISECTION_STEPS = 24;

  /** Closer grid points are merged: no schedule is that precise. */
  private static final double GRID_RESOLUTION = 1e-6;

  /**
   * A session last seen not ready within this of a grid point stands exactly at that point: the
   * same tolerance as the grid's own, far above the nanosecond the plan's instants lose on their
   * way through a {@code Duration}.
   */
  private static final double SNAP = GRID_RESOLUTION;

  private final TimeToReady distribution;
  private final double mu;
  private final double minGap;
  private final double maxInterval;
  private final double[] t;
  private final double[] cdf;
  private final double[] partialMean;
  private final double[] cost;
  private final int[] next;

  /**
   * {@code firstRead[k]}: the best first read among grid points {@code k} and later, as {@link
   * #next} would pick it scanning from {@code k} (the first of equals): the first read of a wait
   * that begins at any instant, looked up instead of searched.
   */
  private final int[] firstRead;

  private final double expectedReads;
  private final double tailGap;

  private ReadPlan(Grid grid, double mu, double minGap, double maxInterval) {
    this.distribution = grid.distribution;
    this.mu = mu;
    this.minGap = minGap;
    this.maxInterval = maxInterval;
    this.t = grid.t;
    this.cdf = grid.cdf;
    this.partialMean = grid.partialMean;
    int n = t.length;
    this.cost = new double[n];
    this.next = new int[n];
    this.firstRead = new int[n];
    solve();
    double reads = 0;
    double lastGap = minGap;
    int i = 0;
    while (next[i] > 0) {
      reads += 1 - cdf[i];
      lastGap = t[next[i]] - t[i];
      i = next[i];
    }
    if (i < n - 1) {
      // The chain ends before the grid's end (no point minGap ahead): one read past it.
      reads += 1 - cdf[i];
    }
    // The sessions still waiting at the grid's end need about one more read each.
    this.expectedReads = reads + (1 - cdf[n - 1]);
    this.tailGap = Math.max(minGap, Math.min(lastGap, maxInterval));
  }

  /**
   * The plan that spends {@code readsPerSession} reads on an average session: the largest μ whose
   * plan expects no more reads than that. When even the smallest μ needs more (the pauses capped at
   * {@code maxInterval} force reads on a long wait), that plan is taken.
   */
  static ReadPlan tuned(
      TimeToReady distribution, double readsPerSession, double minGap, double maxInterval) {
    Grid grid = new Grid(distribution, maxInterval);
    double lo = Math.log(MIN_MU);
    double hi = Math.log(MAX_MU);
    ReadPlan best = new ReadPlan(grid, MIN_MU, minGap, maxInterval);
    if (best.expectedReads > readsPerSession) {
      return best;
    }
    for (int step = 0; step < BISECTION_STEPS; step++) {
      double middle = (lo + hi) / 2;
      ReadPlan plan = new ReadPlan(grid, Math.exp(middle), minGap, maxInterval);
      if (plan.expectedReads <= readsPerSession) {
        best = plan;
        lo = middle;
      } else {
        hi = middle;
      }
    }
    return best;
  }

  /**
   * When to read next.
   *
   * @param notReadyAt when the session was last seen not ready (0 before the first read)
   * @param earliest the earliest the read may be sent
   * @param readBefore whether the session has been read before (then no pause exceeds {@code
   *     maxInterval})
   * @return the instant of the next read, at least {@code earliest}
   */
  double next(double notReadyAt, double earliest, boolean readBefore) {
    int last = t.length - 1;
    if (notReadyAt >= t[last] || earliest > t[last]) {
      return tail(notReadyAt, earliest);
    }
    boolean heldBack = earliest > notReadyAt + minGap + GRID_RESOLUTION;
    int best;
    if (!readBefore && notReadyAt == 0) {
      best = firstRead[firstAtOrAfter(earliest)];
    } else {
      int at = readBefore && !heldBack ? standingPoint(notReadyAt) : -1;
      if (at > 0 && t[next[at]] <= notReadyAt + maxInterval) {
        // From a grid point the read the backward induction chose there; when the sighting came a
        // little after the point (the read's round trip), as soon as allowed if that is later.
        double planned = t[next[at]];
        return planned >= earliest - SNAP ? planned : earliest;
      }
      // From anywhere else (a read the budget held back, a plan that changed under a session, a
      // wide gap of the tail), the same choice searched over the points in reach.
      best = search(notReadyAt, earliest, readBefore);
    }
    if (best < 0) {
      return tail(notReadyAt, earliest);
    }
    // A session held back (a wait that began late, a read the budget delayed) whose best read is
    // the first point in reach is read as soon as allowed: the grid is only a grid. Otherwise the
    // plan's own point, so that the reads are the ones the plan was costed with.
    return best == firstAtOrAfter(earliest) && heldBack ? earliest : t[best];
  }

  /**
   * The best next read, searched: the grid points from {@code earliest} on (up to {@code
   * maxInterval} after {@code notReadyAt} once read), each costed from where the session stands.
   *
   * @return its grid index, or -1 when no point is in reach
   */
  private int search(double notReadyAt, double earliest, boolean readBefore) {
    double f = distribution.cdf(notReadyAt);
    double g = distribution.partialMean(notReadyAt);
    double latest = readBefore ? notReadyAt + maxInterval : Double.POSITIVE_INFINITY;
    double bestCost = Double.POSITIVE_INFINITY;
    int best = -1;
    for (int j = firstAtOrAfter(earliest); j < t.length && t[j] <= latest; j++) {
      double c = mu * lateness(t[j], f, g, j) + cost[j];
      if (c < bestCost) {
        bestCost = c;
        best = j;
      }
    }
    return best;
  }

  /**
   * The grid point a session seen not ready at {@code time} stands at: the one within {@link #SNAP}
   * of it, else the last one before it when no more than half of {@code minGap} before, else -1.
   * Standing at a point a little before the sighting only forgets that the session was still not
   * ready a few milliseconds later: a share of the sessions below one cell of the grid where reads
   * are dense (a few milliseconds wide there).
   */
  private int standingPoint(double time) {
    int above = firstAtOrAfter(time);
    if (above < t.length && t[above] - time <= SNAP) {
      return above;
    }
    return above > 0 && time - t[above - 1] <= minGap / 2 ? above - 1 : -1;
  }

  /**
   * Past what the samples describe: gaps growing by 1.5x a read up to {@code maxInterval}, without
   * counting reads: with such gaps, the gap after a read at {@code x} is {@code tailGap + 0.5 (x −
   * end)}.
   */
  private double tail(double notReadyAt, double earliest) {
    double end = t[t.length - 1];
    double gap = Math.min(maxInterval, tailGap + (TAIL_GROWTH - 1) * Math.max(0, notReadyAt - end));
    return Math.max(earliest, notReadyAt + gap);
  }

  /** P(T ≤ t), interpolated on the grid (exact at its points; the fit's own tails outside). */
  double cdf(double time) {
    int last = t.length - 1;
    if (time <= 0) {
      return 0;
    }
    if (time >= t[last]) {
      return distribution.cdf(time);
    }
    int above = firstAtOrAfter(time);
    if (t[above] == time) {
      return cdf[above];
    }
    int below = above - 1;
    double fraction = (time - t[below]) / (t[above] - t[below]);
    return cdf[below] + fraction * (cdf[above] - cdf[below]);
  }

  /** The reads of a session that is never ready before the grid's end, from create on. */
  List<Double> reads() {
    List<Double> reads = new ArrayList<>();
    for (int i = next[0]; i > 0; i = next[i]) {
      reads.add(t[i]);
    }
    return reads;
  }

  /** The first read of a wait that begins at create, in seconds since create. */
  double firstRead() {
    return t[firstRead[0]];
  }

  /** The share of sessions the fit expects READY by {@link #firstRead()}. */
  double readyByFirstRead() {
    return cdf[firstRead[0]];
  }

  /** The reads the plan expects to spend on an average session. */
  double expectedReads() {
    return expectedReads;
  }

  /** What one second of lateness is worth in reads, as chosen. */
  double latenessWorth() {
    return mu;
  }

  /** The fit the plan was made for. */
  TimeToReady distribution() {
    return distribution;
  }

  /**
   * Backward induction over the grid; {@code next[i] == 0} ends the chain: at the last point, or at
   * a point with none {@code minGap} ahead, from which the next read is {@code minGap} later.
   */
  private void solve() {
    int last = t.length - 1;
    double survivors = 1 - cdf[last];
    // Sessions still waiting at the end: about one more read each, noticed half a pause late.
    cost[last] = survivors * (1 + mu * maxInterval / 2);
    next[last] = 0;
    for (int i = last - 1; i >= 0; i--) {
      double latest = i == 0 ? Double.POSITIVE_INFINITY : t[i] + maxInterval;
      double bestCost = Double.POSITIVE_INFINITY;
      int best = i + 1;
      for (int j = i + 1; j <= last && t[j] <= latest; j++) {
        if (i > 0 && t[j] - t[i] < minGap) {
          continue;
        }
        double c = mu * lateness(t[j], cdf[i], partialMean[i], j) + cost[j];
        if (c < bestCost) {
          bestCost = c;
          best = j;
        }
      }
      if (bestCost == Double.POSITIVE_INFINITY) {
        // No point of the grid lies minGap ahead: the next read comes minGap later, past the grid's
        // end, and every session ready in between is noticed then.
        double b = t[i] + minGap;
        bestCost =
            mu * Math.max(0, b * (cdf[last] - cdf[i]) - (partialMean[last] - partialMean[i]))
                + cost[last];
        best = 0;
      }
      cost[i] = (1 - cdf[i]) + bestCost;
      next[i] = best;
    }
    // The first read of a wait from create on (not ready at 0, no longest pause): the cost of each
    // point as search() computes it, the earliest of equals kept.
    int best = last;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int k = last; k >= 0; k--) {
      double c = mu * lateness(t[k], 0, 0, k) + cost[k];
      if (c <= bestCost) {
        bestCost = c;
        best = k;
      }
      firstRead[k] = best;
    }
  }

  /**
   * {@code ∫_a^{t_j} (t_j − s) f(s) ds} for the sessions ready between {@code a} (given by its CDF
   * and partial mean) and grid point {@code j}.
   */
  private double lateness(double b, double cdfAtA, double partialMeanAtA, int j) {
    return Math.max(0, b * (cdf[j] - cdfAtA) - (partialMean[j] - partialMeanAtA));
  }

  private int firstAtOrAfter(double time) {
    int k = Arrays.binarySearch(t, time);
    return k >= 0 ? k : -k - 1;
  }

  /** The grid points with the fit's CDF and partial mean there: the same for every μ. */
  private static final class Grid {
    final TimeToReady distribution;
    final double[] t;
    final double[] cdf;
    final double[] partialMean;

    Grid(TimeToReady distribution, double maxInterval) {
      this.distribution = distribution;
      List<Double> points = new ArrayList<>();
      points.add(0.0);
      double previous = 0;
      double step = maxInterval / 2;
      for (int k = 1; k <= GRID; k++) {
        double point = distribution.quantile(LAST_QUANTILE * k / GRID);
        if (point - previous < GRID_RESOLUTION) {
          continue;
        }
        // Where quantiles are far apart (the tails), points in between keep every pause possible.
        if (previous > 0) {
          int extra = (int) Math.ceil((point - previous) / step) - 1;
          for (int e = 1; e <= extra; e++) {
            points.add(previous + (point - previous) * e / (extra + 1));
          }
        }
        points.add(point);
        previous = point;
      }
      this.t = points.stream().mapToDouble(Double::doubleValue).toArray();
      this.cdf = new double[t.length];
      this.partialMean = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        cdf[i] = distribution.cdf(t[i]);
        partialMean[i] = distribution.partialMean(t[i]);
      }
    }
  }
}
