package dev.avatargateway.gateway.core;

import java.time.Duration;

/**
 * The waiting line in front of upstream creation (YAML section {@code line}; see docs/line.md).
 * When the organisation's cap is reached (every slot of {@code
 * rateLimit.maxUpstreamCreatesInFlight} is taken, or Runway reports a session of ours {@code
 * queued} for capacity), new starts wait here, first in first out, and are told their position and
 * an estimated wait, instead of getting 503 {@code upstream_busy} at once. Every absent value takes
 * its default, so an absent section gives {@link #defaults()}.
 *
 * @param maxWaiting the most starts waiting at once, gateway-wide; one more is refused with 503
 *     {@code upstream_busy} as without a line. Default {@value #DEFAULT_MAX_WAITING}; 0 switches
 *     the line off (a full gate refuses at once); at most {@value #MAX_MAX_WAITING}
 * @param maxWaitingPerPrincipal the most places one principal (an anonymous caller: one client
 *     address) may hold at once; one more is refused with 429 {@code too_many_waiting}. Default
 *     {@value #DEFAULT_MAX_WAITING_PER_PRINCIPAL}; 0 = no cap of its own (only {@code maxWaiting})
 * @param maxWait how long a start may wait for its turn before it is answered 503 {@code
 *     upstream_busy} with {@code Retry-After}; default 30 s; 1 s to 10 min. The connect's own
 *     {@code connect.deadline} starts when it leaves the line
 * @param estimateRefresh how long the recent session lengths the estimated wait is computed from
 *     are reused before the ledger is read again; default 30 s; at least 1 s
 */
public record LineConfig(
    Integer maxWaiting,
    Integer maxWaitingPerPrincipal,
    Duration maxWait,
    Duration estimateRefresh) {

  private static final String SECTION = "line";

  /**
   * A waiting start costs a parked virtual thread and an open HTTP connection (some 26 KiB, see
   * AdmissionConfig), nothing upstream. Fifty is well beyond what a tier-1 to tier-5 organisation
   * (1 to 20 at once, runway-api.md §6) serves within {@link #DEFAULT_MAX_WAIT}; longer lines only
   * make people wait for a 503 at the end.
   */
  static final int DEFAULT_MAX_WAITING = 50;

  /** Positions are recomputed by walking the line: it must stay short enough for that. */
  static final int MAX_MAX_WAITING = 10_000;

  /**
   * One place per person, as {@code rateLimit.maxConcurrentConnectsPerPrincipal} allows one connect
   * by default: a second place is almost always a double click, and would push everybody behind it
   * back.
   */
  static final int DEFAULT_MAX_WAITING_PER_PRINCIPAL = 1;

  /**
   * Thirty seconds in the line plus up to {@code connect.deadline} (30 s) to READY stays within the
   * 60 s that common reverse proxies allow an answer by default (nginx {@code proxy_read_timeout}),
   * so a waiting browser gets our answer rather than the proxy's 504.
   */
  static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  private static final Duration MIN_MAX_WAIT = Duration.ofSeconds(1);
  private static final Duration MAX_MAX_WAIT = Duration.ofMinutes(10);

  /**
   * Recent session lengths change over minutes, not seconds: one ledger read per 30 s keeps the
   * estimate fresh without a query per waiting start.
   */
  static final Duration DEFAULT_ESTIMATE_REFRESH = Duration.ofSeconds(30);

  private static final Duration MIN_ESTIMATE_REFRESH = Duration.ofSeconds(1);

  /** Fills absent values with their defaults. */
  public LineConfig {
    maxWaiting = maxWaiting == null ? DEFAULT_MAX_WAITING : maxWaiting;
    maxWaitingPerPrincipal =
        maxWaitingPerPrincipal == null ? DEFAULT_MAX_WAITING_PER_PRINCIPAL : maxWaitingPerPrincipal;
    maxWait = maxWait == null ? DEFAULT_MAX_WAIT : maxWait;
    estimateRefresh = estimateRefresh == null ? DEFAULT_ESTIMATE_REFRESH : estimateRefresh;
  }

  /** Every setting at its default. */
  public static LineConfig defaults() {
    return new LineConfig(null, null, null, null);
  }

  /** No line: a full gate refuses at once, as before the line existed. */
  public static LineConfig off() {
    return new LineConfig(0, null, null, null);
  }

  /** Whether starts may wait at all. */
  public boolean enabled() {
    return maxWaiting > 0;
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code line.maxWait}
   */
  public void validate() {
    if (maxWaiting < 0 || maxWaiting > MAX_MAX_WAITING) {
      throw new ConfigException(
          SECTION + ".maxWaiting",
          "must be a whole number from 0 (no line) to " + MAX_MAX_WAITING + ", was " + maxWaiting);
    }
    if (maxWaitingPerPrincipal < 0) {
      throw new ConfigException(
          SECTION + ".maxWaitingPerPrincipal",
          "must be a whole number of at least 0 (0 = no cap), was " + maxWaitingPerPrincipal);
    }
    if (maxWait.compareTo(MIN_MAX_WAIT) < 0 || maxWait.compareTo(MAX_MAX_WAIT) > 0) {
      throw new ConfigException(
          SECTION + ".maxWait",
          "must be a duration of 1s to 10m, such as 30s, was " + Durations.format(maxWait));
    }
    if (estimateRefresh.compareTo(MIN_ESTIMATE_REFRESH) < 0) {
      throw new ConfigException(
          SECTION + ".estimateRefresh",
          "must be a duration of at least 1s, such as 30s, was "
              + Durations.format(estimateRefresh));
    }
  }
}
