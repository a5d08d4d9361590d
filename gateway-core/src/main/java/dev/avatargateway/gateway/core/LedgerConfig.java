package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.internal.ledger.LedgerUrls;
import java.nio.file.InvalidPathException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The durable session ledger (YAML section {@code ledger}): where the gateway books every upstream
 * session it starts, so that nothing paid is left running after a crash, and how often its keeper
 * looks after those sessions. Every absent value takes its default, so an absent section gives
 * {@link #defaults()}: an embedded H2 file under {@code ./data}, right for one gateway process;
 * several processes share one PostgreSQL database. No {@code toString()} shows the password.
 *
 * @param url the JDBC URL; default {@value #DEFAULT_URL}, an embedded H2 file under {@code ./data}
 *     (see {@link #DEFAULT_URL} for the options and why). Allowed: {@code jdbc:h2:file:...} (one
 *     process; the path absolute or starting with {@code ./}, {@code ../} or {@code ~/}), {@code
 *     jdbc:h2:mem:...} (tests only: nothing survives the process) and {@code
 *     jdbc:postgresql://host:port/database} (any number of processes)
 * @param username the database user; default none: {@code sa} for H2, the driver's default (the
 *     operating-system user) for PostgreSQL
 * @param password the database password; default none (H2 files are protected by file permissions,
 *     and PostgreSQL may use trust or peer authentication). Never shown by {@code toString()}
 * @param schema the schema holding the ledger's tables, created if missing; default none: the
 *     connection's default schema ({@code PUBLIC} on H2, the first of {@code search_path}, usually
 *     {@code public}, on PostgreSQL). 1 to 63 of {@code a-z 0-9 _}, not starting with a digit. It
 *     takes precedence over a {@code currentSchema} parameter of the URL. Lets several gateways or
 *     test runs share one database without sharing books
 * @param maxPoolSize the most database connections open at once; default 10, 1 to 100. Every ledger
 *     call is one short transaction (well under a millisecond on H2, about one network round trip
 *     on PostgreSQL), so 10 connections carry thousands of writes a second, while several gateway
 *     instances still fit in PostgreSQL's default {@code max_connections} of 100 beside other
 *     clients
 * @param connectionTimeout how long a ledger call waits for a free connection (and at most for the
 *     database to accept one); default 10 s, at least 250 ms (see {@link
 *     #DEFAULT_CONNECTION_TIMEOUT} for why)
 * @param instanceName the name of this gateway instance, the same across its restarts, such as
 *     {@code host:port}; default none: the server fills in one. A restarted instance recognises its
 *     previous run by this name and takes over that run's sessions at once instead of waiting for
 *     its lease to expire. 1 to 255 characters, no control characters
 * @param heartbeatInterval how often a running instance renews its lease; default 5 s
 * @param leaseDuration how long an instance counts as alive after its last heartbeat; default 30 s,
 *     at least 3 times {@link #heartbeatInterval()}. When it runs out, other instances take over
 *     the instance's sessions (and cancel those never handed over): six heartbeats' worth means a
 *     GC pause or a database fail-over does not make a live instance look dead, while a crashed
 *     one's sessions are cancelled within half a minute
 * @param recoveryInterval how often the keeper looks for sessions of dead instances and for its own
 *     sessions due a check; default 5 s: a session nobody uses costs money every second, so
 *     recovery should not wait long, and the queries are cheap
 * @param followInterval when the keeper first reads the status of a session handed over to a
 *     browser, and how often it reads one that is not running (yet) or has outlived its {@code
 *     maxDuration}; default 30 s. While the call runs, the reads grow further apart: each comes as
 *     long after the previous as the session has been handed over (30, 60, 120, 240 s...), never
 *     beyond the call's latest end ({@code maxDuration} after it was first seen running, plus a
 *     margin). Calls last minutes (5 at most by default): a 5-minute call takes 5 status reads
 *     instead of 11 at one per 30 s, and the books learn of an early end later, which costs
 *     nothing, for the duration recorded is Runway's
 * @param followJitter the fraction by which each follow interval is randomly shortened or
 *     lengthened, 0 (none) to below 1; default 0.2 (plus or minus 20%), so that sessions claimed
 *     together after a crash are not all read in the same second
 * @param cancelRetryInitialBackoff the wait before retrying a cancel that failed; default 1 s,
 *     doubling with each further failure: a passing upstream error is retried almost at once
 * @param cancelRetryMaxBackoff the longest wait between cancel retries; default 5 min, at least
 *     {@link #cancelRetryInitialBackoff()}: an upstream outage is not hammered, and a session left
 *     running is still retried often enough to be stopped within minutes of the upstream's return
 * @param batchSize the most sessions the keeper takes over or checks in one round; default 100, 1
 *     to 1,000. It bounds one round's database work and upstream calls; more wait for the next
 *     round
 */
public record LedgerConfig(
    String url,
    String username,
    String password,
    String schema,
    Integer maxPoolSize,
    Duration connectionTimeout,
    String instanceName,
    Duration heartbeatInterval,
    Duration leaseDuration,
    Duration recoveryInterval,
    Duration followInterval,
    Double followJitter,
    Duration cancelRetryInitialBackoff,
    Duration cancelRetryMaxBackoff,
    Integer batchSize) {

  private static final String SECTION = "ledger";

  /**
   * The default database: an embedded H2 file, {@code ./data/avatar-gateway.mv.db} (the directory
   * is created if missing), opened by this process alone; H2's default file lock makes a second
   * process fail at start-up rather than share the books unseen. Options:
   *
   * <ul>
   *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from its own
   *       shutdown hook, racing the gateway's, which during a graceful stop still records the
   *       sessions it cancels; the ledger closes the database itself, last.
   *   <li>{@code WRITE_DELAY=0}: H2 writes committed changes to the file only every 500 ms by
   *       default, so a crash of the process loses the last half second of commits (measured: all
   *       of them, for a process killed right after committing) — the very writes the ledger exists
   *       to keep. With 0 each commit is written to the file before it returns (into the operating
   *       system's cache: it survives a crash of the process, not of the machine), at about 0.1 to
   *       0.3 ms a commit. H2 keeps overwritten file space for 45 s: under a steady 20 writes a
   *       second the file levels off at about 12 MB (measured), and shrinks when the database is
   *       closed.
   *   <li>{@code LOCK_TIMEOUT=5000}: two ledger transactions on the same row (a connect and the
   *       keeper) wait for each other for up to 5 s instead of H2's default 1 s, so that a pause of
   *       the lock holder (a garbage collection, a slow disk) does not fail a user's connect.
   * </ul>
   *
   * Left out on purpose: {@code RETENTION_TIME=0}, which halves the CPU of a small commit (measured
   * with {@code LedgerWriteBenchmark}), makes H2 overwrite old data at once instead of after 45 s,
   * the time H2 assumes the operating system takes to write its buffers to disk; a crash of the
   * machine could then leave an inconsistent file rather than lose the last commits.
   */
  public static final String DEFAULT_URL =
      "jdbc:h2:file:./data/avatar-gateway;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=5000";

  /** See {@link #maxPoolSize()}. */
  private static final int DEFAULT_MAX_POOL_SIZE = 10;

  /** Beyond this one gateway would take a large share of a PostgreSQL server's connections. */
  private static final int MAX_MAX_POOL_SIZE = 100;

  /**
   * A healthy pool hands out a connection in microseconds, but a burst queues for it: 10,000
   * connects arriving at once each write their intent before their create, and on the embedded H2
   * file, whose commits are written one after another, that queue took longer than 5 s on two cores
   * (178 of 10,000 connects answered 503 {@code ledger_unavailable} with 5 s). 10 s clears such a
   * burst and is a third of a connect's 30 s deadline: a database that is down still fails a
   * connect well before its deadline, and before its session costs money (the intent comes before
   * the create).
   */
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

  /** The pool (HikariCP) refuses shorter connection time-outs. */
  private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

  /** See {@link #heartbeatInterval()}. */
  private static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /** See {@link #leaseDuration()}. */
  private static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);

  /**
   * A lease must outlast this many heartbeat intervals: two heartbeats in a row may be late or fail
   * without the instance being taken for dead and its sessions cancelled under it.
   */
  private static final int MIN_HEARTBEATS_PER_LEASE = 3;

  /** See {@link #recoveryInterval()}. */
  private static final Duration DEFAULT_RECOVERY_INTERVAL = Duration.ofSeconds(5);

  /** See {@link #followInterval()}. */
  private static final Duration DEFAULT_FOLLOW_INTERVAL = Duration.ofSeconds(30);

  /** See {@link #followJitter()}. */
  private static final double DEFAULT_FOLLOW_JITTER = 0.2;

  /** See {@link #cancelRetryInitialBackoff()}. */
  private static final Duration DEFAULT_CANCEL_RETRY_INITIAL_BACKOFF = Duration.ofSeconds(1);

  /** See {@link #cancelRetryMaxBackoff()}. */
  private static final Duration DEFAULT_CANCEL_RETRY_MAX_BACKOFF = Duration.ofMinutes(5);

  /** See {@link #batchSize()}. */
  private static final int DEFAULT_BATCH_SIZE = 100;

  /** Larger rounds would hold the database and the upstream for long stretches. */
  private static final int MAX_BATCH_SIZE = 1000;

  /** PostgreSQL's identifier limit; lower case so that it means the same unquoted and quoted. */
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final int MAX_INSTANCE_NAME_LENGTH = 255;

  /** Fills absent values with their defaults. */
  public LedgerConfig {
    url = url == null ? DEFAULT_URL : url.trim();
    if (maxPoolSize == null) {
      maxPoolSize = DEFAULT_MAX_POOL_SIZE;
    }
    connectionTimeout = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
    heartbeatInterval = heartbeatInterval == null ? DEFAULT_HEARTBEAT_INTERVAL : heartbeatInterval;
    leaseDuration = leaseDuration == null ? DEFAULT_LEASE_DURATION : leaseDuration;
    recoveryInterval = recoveryInterval == null ? DEFAULT_RECOVERY_INTERVAL : recoveryInterval;
    followInterval = followInterval == null ? DEFAULT_FOLLOW_INTERVAL : followInterval;
    followJitter = followJitter == null ? DEFAULT_FOLLOW_JITTER : followJitter;
    cancelRetryInitialBackoff =
        cancelRetryInitialBackoff == null
            ? DEFAULT_CANCEL_RETRY_INITIAL_BACKOFF
            : cancelRetryInitialBackoff;
    cancelRetryMaxBackoff =
        cancelRetryMaxBackoff == null ? DEFAULT_CANCEL_RETRY_MAX_BACKOFF : cancelRetryMaxBackoff;
    if (batchSize == null) {
      batchSize = DEFAULT_BATCH_SIZE;
    }
  }

  /** Every setting at its default: the H2 file {@code ./data/avatar-gateway}. */
  public static LedgerConfig defaults() {
    return new LedgerConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code ledger.leaseDuration}
   */
  public void validate() {
    validateUrl();
    if (username != null && username.isBlank()) {
      throw new ConfigException(SECTION + ".username", "must not be blank (leave it out instead)");
    }
    if (schema != null && !SCHEMA_NAME.matcher(schema).matches()) {
      throw new ConfigException(
          SECTION + ".schema",
          "must be 1 to 63 of a-z 0-9 _, not starting with a digit, was '" + schema + "'");
    }
    if (maxPoolSize < 1 || maxPoolSize > MAX_MAX_POOL_SIZE) {
      throw new ConfigException(
          SECTION + ".maxPoolSize",
          "must be a whole number of 1 to " + MAX_MAX_POOL_SIZE + ", was " + maxPoolSize);
    }
    if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
      throw new ConfigException(
          SECTION + ".connectionTimeout",
          "must be at least 250ms, was " + Durations.format(connectionTimeout));
    }
    if (instanceName != null
        && (instanceName.isBlank()
            || instanceName.length() > MAX_INSTANCE_NAME_LENGTH
            || instanceName.chars().anyMatch(Character::isISOControl))) {
      throw new ConfigException(
          SECTION + ".instanceName",
          "must be 1 to 255 characters without control characters (leave it out for the default)");
    }
    requirePositive("heartbeatInterval", heartbeatInterval);
    requirePositive("leaseDuration", leaseDuration);
    if (leaseDuration.compareTo(heartbeatInterval.multipliedBy(MIN_HEARTBEATS_PER_LEASE)) < 0) {
      throw new ConfigException(
          SECTION + ".leaseDuration",
          "must be at least "
              + MIN_HEARTBEATS_PER_LEASE
              + " times ledger.heartbeatInterval ("
              + Durations.format(heartbeatInterval)
              + "), so that a late heartbeat does not make a live instance look dead; was "
              + Durations.format(leaseDuration));
    }
    requirePositive("recoveryInterval", recoveryInterval);
    requirePositive("followInterval", followInterval);
    if (followJitter.isNaN() || followJitter < 0 || followJitter >= 1) {
      throw new ConfigException(
          SECTION + ".followJitter",
          "must be a fraction of at least 0 and below 1, such as 0.2, was " + followJitter);
    }
    requirePositive("cancelRetryInitialBackoff", cancelRetryInitialBackoff);
    if (cancelRetryMaxBackoff.compareTo(cancelRetryInitialBackoff) < 0) {
      throw new ConfigException(
          SECTION + ".cancelRetryMaxBackoff",
          "must not be shorter than ledger.cancelRetryInitialBackoff ("
              + Durations.format(cancelRetryInitialBackoff)
              + "), was "
              + Durations.format(cancelRetryMaxBackoff));
    }
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new ConfigException(
          SECTION + ".batchSize",
          "must be a whole number of 1 to " + MAX_BATCH_SIZE + ", was " + batchSize);
    }
  }

  private void validateUrl() {
    Optional<LedgerUrls.Kind> kind = LedgerUrls.kind(url);
    if (kind.isEmpty()) {
      throw new ConfigException(
          SECTION + ".url",
          "must be jdbc:h2:file:<path> (one gateway process), jdbc:postgresql://host:port/database"
              + " (any number) or jdbc:h2:mem:<name> (tests only), was '"
              + loggableUrl()
              + "'");
    }
    Optional<String> path = LedgerUrls.h2FilePath(url);
    if (path.isPresent()) {
      boolean explicit;
      try {
        explicit = !path.get().isBlank() && LedgerUrls.isExplicitH2Path(path.get());
      } catch (InvalidPathException e) {
        explicit = false;
      }
      if (!explicit) {
        throw new ConfigException(
            SECTION + ".url",
            "the H2 file path must be absolute or start with ./, ../ or ~/ (H2 refuses paths"
                + " implicitly relative to the working directory), was '"
                + loggableUrl()
                + "'");
      }
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException(
          SECTION + "." + name, "must be positive, was " + Durations.format(value));
    }
  }

  /**
   * The wait before the next try of a cancel that failed {@code failures} times: {@link
   * #cancelRetryInitialBackoff()} after the first failure, doubling with each further one, at most
   * {@link #cancelRetryMaxBackoff()}.
   *
   * @param failures how many tries failed so far, at least 1
   */
  public Duration cancelRetryDelay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, was " + failures);
    }
    Duration delay = cancelRetryInitialBackoff;
    for (int i = 1; i < failures && delay.compareTo(cancelRetryMaxBackoff) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(cancelRetryMaxBackoff) > 0 ? cancelRetryMaxBackoff : delay;
  }

  /** The URL with any password parameter masked: for start-up logs and messages. */
  public String loggableUrl() {
    return LedgerUrls.loggable(url);
  }

  /** Shows everything but the password, and the URL with any password parameter masked. */
  @Override
  public String toString() {
    return "LedgerConfig[url="
        + loggableUrl()
        + ", username="
        + username
        + ", password="
        + (password == null ? "null" : "***")
        + ", schema="
        + schema
        + ", maxPoolSize="
        + maxPoolSize
        + ", connectionTimeout="
        + connectionTimeout
        + ", instanceName="
        + instanceName
        + ", heartbeatInterval="
        + heartbeatInterval
        + ", leaseDuration="
        + leaseDuration
        + ", recoveryInterval="
        + recoveryInterval
        + ", followInterval="
        + followInterval
        + ", followJitter="
        + followJitter
        + ", cancelRetryInitialBackoff="
        + cancelRetryInitialBackoff
        + ", cancelRetryMaxBackoff="
        + cancelRetryMaxBackoff
        + ", batchSize="
        + batchSize
        + "]";
  }
}
