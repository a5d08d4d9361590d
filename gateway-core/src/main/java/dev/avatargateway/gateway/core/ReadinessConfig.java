package dev.avatargateway.gateway.core;

import java.time.Duration;

/**
 * How the gateway waits for its sessions to become READY (YAML section {@code readiness}): one
 * poller reads the status of every waiting session, at instants a model of each avatar's
 * time-to-READY proposes, within one gateway-wide budget of status reads. Every absent value takes
 * its default, so an absent section gives {@link #defaults()}.
 *
 * @param readsPerSession the status reads the model plans to spend on an average session of an
 *     avatar it knows (from {@link #minSamples()} samples on); default {@value
 *     #DEFAULT_READS_PER_SESSION}, 1.5 to 50, fractions allowed. It is the one dial between
 *     lateness and reads: against READY times log-normal around 1.5 s (σ 0.25), 4 reads notice
 *     READY about 70 ms late at the median and 165 ms at p90, 6 reads 47 ms and 105 ms (the model's
 *     simulation, reads taking no time; before the model: 405 ms and 779 ms with 4.9 reads). No
 *     schedule gets 50 ms at the median from 4 reads (see {@code ReadinessModel}). The reads go
 *     where the model says READY is likely and nowhere else, so an unpredictable avatar (READY
 *     anywhere from 1 to 10 s) costs about half a read a second of waiting
 * @param readsPerSecond the most status reads the gateway starts in any one second, for all waiting
 *     sessions together; default {@value #DEFAULT_READS_PER_SECOND}, 2 to 10,000. When it binds,
 *     the reads go first to sessions whose last read is due within a second, then to those most
 *     likely to be READY by now. A ceiling: a status read answered 429 halves the rate in force,
 *     which then climbs back to this one (AIMD, see the poller's {@code ReadBudget}), so a value
 *     above what Runway accepts costs a few refused reads, not a storm of them. See {@link
 *     #DEFAULT_READS_PER_SECOND} for why
 * @param maxReadsInFlight the most status reads waiting for their answers at once; default {@value
 *     #DEFAULT_MAX_READS_IN_FLIGHT}, 1 to 10,000. At {@link #readsPerSecond()} reads a second
 *     answered within 50 to 200 ms (a remote API), 3 to 10 are in flight; 16 leave three quarters
 *     of runway-client's connections ({@code runway.maxConnections}, 64) to the creates, consumes
 *     and cancels that waiting users also need, and an upstream that answers slowly gets no more
 *     reads at once, only later ones
 * @param queuedInterval how often a session is read while Runway reports it queued for capacity;
 *     default 5 s, 250 ms to 60 s. A queued session waits for another session to end, which takes
 *     minutes and which no model of provisioning predicts: every 5 s notices its turn within 5 s at
 *     a fifth of the one read a second it used to cost
 * @param maxInterval the longest pause between two reads of one session after its first read, when
 *     not queued; default 1 s, 20 ms to 60 s. Whatever the model believes (a session later than
 *     anything it has seen, an avatar that became slower), READY is then noticed at most this long
 *     after it happened, as with the schedule used before the model, whose longest pause this is
 * @param window how many recent time-to-READY samples the model keeps per avatar; default {@value
 *     #DEFAULT_WINDOW}, 8 to 1,024. The median of 64 samples lies within about 4% of the true one
 *     (one standard error, for a spread like σ 0.25), and a change upstream is followed within 64
 *     sessions of that avatar
 * @param minSamples how many samples an avatar needs before the model plans its reads; default
 *     {@value #DEFAULT_MIN_SAMPLES}, 2 to {@link #window()}. Until then its sessions are read as
 *     before the model: at once, then 250 ms growing by 1.5x to 1 s. With fewer samples the spread
 *     is too uncertain to bet reads on (its standard error from 16 samples is already about 18%)
 * @param seedLookback how far back the session ledger is read at start-up for samples, so that a
 *     restarted gateway does not start cold; default 7 days. {@code 0} starts cold. Older sessions
 *     describe an upstream that may have changed since
 */
public record ReadinessConfig(
    Double readsPerSession,
    Integer readsPerSecond,
    Integer maxReadsInFlight,
    Duration queuedInterval,
    Duration maxInterval,
    Integer window,
    Integer minSamples,
    Duration seedLookback) {

  private static final String SECTION = "readiness";

  /** See {@link #readsPerSession()}: the read target of the issue that asked for the model. */
  public static final double DEFAULT_READS_PER_SESSION = 4.0;

  /** Fewer than 1.5 reads cannot place even one read near READY and a second one after it. */
  private static final double MIN_READS_PER_SESSION = 1.5;

  /** Beyond this the reads are closer together than a status read takes. */
  private static final double MAX_READS_PER_SESSION = 50;

  /**
   * Runway documents no request-rate limit for status reads, but answers 429 when a client sends
   * too many; 50 a second (3,000 a minute) is a rate an API of this kind accepts from one account.
   * It is ample for the sessions Runway provisions at once (1 to 20 by tier, runway-api.md §6) at 4
   * to 6 reads each, and it caps what a crowd of queued or waiting connects costs: 10,000 waiting
   * connects read 50 times a second, not 10,000.
   */
  public static final int DEFAULT_READS_PER_SECOND = 50;

  /** A budget of 1 a second could not give a second session any read while one is waiting. */
  private static final int MIN_READS_PER_SECOND = 2;

  private static final int MAX_READS_PER_SECOND = 10_000;

  /** See {@link #maxReadsInFlight()}: a quarter of runway-client's 64 connections. */
  public static final int DEFAULT_MAX_READS_IN_FLIGHT = 16;

  private static final int MAX_MAX_READS_IN_FLIGHT = 10_000;

  /** See {@link #queuedInterval()}. */
  public static final Duration DEFAULT_QUEUED_INTERVAL = Duration.ofSeconds(5);

  /** Below this a queued session would be read as often as one being provisioned. */
  private static final Duration MIN_QUEUED_INTERVAL = Duration.ofMillis(250);

  /** See {@link #maxInterval()}: the longest pause of the schedule used before the model. */
  public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(1);

  /** The model's shortest pause between two reads of one session. */
  private static final Duration MIN_MAX_INTERVAL = Duration.ofMillis(20);

  /** Longer pauses would leave a waiting user without news for longer than a minute. */
  private static final Duration MAX_INTERVAL_LIMIT = Duration.ofSeconds(60);

  /** See {@link #window()}. */
  public static final int DEFAULT_WINDOW = 64;

  /** Fewer samples than this cannot tell a spread from noise. */
  private static final int MIN_WINDOW = 8;

  /** Larger windows would only follow changes upstream more slowly. */
  private static final int MAX_WINDOW = 1024;

  /** See {@link #minSamples()}. */
  public static final int DEFAULT_MIN_SAMPLES = 16;

  /** See {@link #seedLookback()}. */
  public static final Duration DEFAULT_SEED_LOOKBACK = Duration.ofDays(7);

  /** Fills absent values with their defaults. */
  public ReadinessConfig {
    if (readsPerSession == null) {
      readsPerSession = DEFAULT_READS_PER_SESSION;
    }
    if (readsPerSecond == null) {
      readsPerSecond = DEFAULT_READS_PER_SECOND;
    }
    if (maxReadsInFlight == null) {
      maxReadsInFlight = DEFAULT_MAX_READS_IN_FLIGHT;
    }
    queuedInterval = queuedInterval == null ? DEFAULT_QUEUED_INTERVAL : queuedInterval;
    maxInterval = maxInterval == null ? DEFAULT_MAX_INTERVAL : maxInterval;
    if (window == null) {
      window = DEFAULT_WINDOW;
    }
    if (minSamples == null) {
      minSamples = DEFAULT_MIN_SAMPLES;
    }
    seedLookback = seedLookback == null ? DEFAULT_SEED_LOOKBACK : seedLookback;
  }

  /** Every setting at its default. */
  public static ReadinessConfig defaults() {
    return new ReadinessConfig(null, null, null, null, null, null, null, null);
  }

  /** A copy with this {@link #readsPerSession()}. */
  public ReadinessConfig withReadsPerSession(double value) {
    return new ReadinessConfig(
        value,
        readsPerSecond,
        maxReadsInFlight,
        queuedInterval,
        maxInterval,
        window,
        minSamples,
        seedLookback);
  }

  /** A copy with this {@link #readsPerSecond()}. */
  public ReadinessConfig withReadsPerSecond(int value) {
    return new ReadinessConfig(
        readsPerSession,
        value,
        maxReadsInFlight,
        queuedInterval,
        maxInterval,
        window,
        minSamples,
        seedLookback);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code readiness.window}
   */
  public void validate() {
    if (readsPerSession.isNaN()
        || readsPerSession < MIN_READS_PER_SESSION
        || readsPerSession > MAX_READS_PER_SESSION) {
      throw new ConfigException(
          SECTION + ".readsPerSession",
          "must be a number of 1.5 to 50, such as 4, was " + readsPerSession);
    }
    requireRange("readsPerSecond", readsPerSecond, MIN_READS_PER_SECOND, MAX_READS_PER_SECOND);
    requireRange("maxReadsInFlight", maxReadsInFlight, 1, MAX_MAX_READS_IN_FLIGHT);
    requireRange("queuedInterval", queuedInterval, MIN_QUEUED_INTERVAL, MAX_INTERVAL_LIMIT);
    requireRange("maxInterval", maxInterval, MIN_MAX_INTERVAL, MAX_INTERVAL_LIMIT);
    requireRange("window", window, MIN_WINDOW, MAX_WINDOW);
    if (minSamples < 2 || minSamples > window) {
      throw new ConfigException(
          SECTION + ".minSamples",
          "must be a whole number of 2 to readiness.window (" + window + "), was " + minSamples);
    }
    if (seedLookback.isNegative()) {
      throw new ConfigException(
          SECTION + ".seedLookback",
          "must not be negative (0 starts cold), was " + Durations.format(seedLookback));
    }
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(
          SECTION + "." + name,
          "must be a whole number of " + min + " to " + max + ", was " + value);
    }
  }

  private static void requireRange(String name, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new ConfigException(
          SECTION + "." + name,
          "must be "
              + Durations.format(min)
              + " to "
              + Durations.format(max)
              + ", was "
              + Durations.format(value));
    }
  }
}
