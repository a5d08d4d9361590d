package dev.avatargateway.gateway.core;

import java.time.Duration;

/**
 * Asynchronous starts ({@code POST /api/avatar/sessions}) and their event streams (YAML section
 * {@code sessions}; docs/sessions.md).
 *
 * @param readerGrace how long a start may go without anyone reading its event stream before it
 *     counts as abandoned: its session is then cancelled upstream (before READY the start is
 *     stopped; after it, the credentials nobody took are dropped and the session ended). Counted
 *     from the {@code 202} answer and from each moment the last reader left; default 5 s, 100 ms to
 *     5 min
 * @param heartbeatInterval how often an idle event stream gets a comment line, so that proxies and
 *     load balancers do not close it as idle; default 15 s, 100 ms to 5 min
 * @param retention how long a finished start stays in memory for late readers (its progress events,
 *     never its credentials); after it, the event stream answers from the ledger alone; default 2
 *     min, 0 to 1 h
 */
public record SessionsConfig(Duration readerGrace, Duration heartbeatInterval, Duration retention) {

  /**
   * A browser opens the event stream right after the {@code 202} (milliseconds), and an EventSource
   * reconnects after about 3 s by default: 5 s covers one reconnect without paying long for a
   * client that is gone.
   */
  static final Duration DEFAULT_READER_GRACE = Duration.ofSeconds(5);

  /**
   * Common proxies close idle connections after 30 to 60 s (nginx's proxy_read_timeout is 60 s, AWS
   * ALB's idle timeout 60 s); a comment every 15 s stays well inside both.
   */
  static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  /** Long enough for a reconnecting reader to learn the outcome, short enough to hold little. */
  static final Duration DEFAULT_RETENTION = Duration.ofMinutes(2);

  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  private static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
  private static final Duration MAX_RETENTION = Duration.ofHours(1);

  /** Fills in defaults. */
  public SessionsConfig {
    readerGrace = readerGrace == null ? DEFAULT_READER_GRACE : readerGrace;
    heartbeatInterval = heartbeatInterval == null ? DEFAULT_HEARTBEAT_INTERVAL : heartbeatInterval;
    retention = retention == null ? DEFAULT_RETENTION : retention;
  }

  /** Every default. */
  public static SessionsConfig defaults() {
    return new SessionsConfig(null, null, null);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first wrong setting
   */
  public void validate() {
    requireBetween("sessions.readerGrace", readerGrace, MIN_INTERVAL, MAX_INTERVAL);
    requireBetween("sessions.heartbeatInterval", heartbeatInterval, MIN_INTERVAL, MAX_INTERVAL);
    requireBetween("sessions.retention", retention, Duration.ZERO, MAX_RETENTION);
  }

  private static void requireBetween(String setting, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new ConfigException(
          setting,
          "must be "
              + Durations.format(min)
              + " to "
              + Durations.format(max)
              + ", was "
              + Durations.format(value));
    }
  }
}
