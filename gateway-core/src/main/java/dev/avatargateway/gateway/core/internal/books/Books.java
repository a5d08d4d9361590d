package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.connect.ConnectRecorder;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.runway.RunwayClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's books: the ledger database, this process's run (its lease), the recorder the
 * connect flow writes through, and the keeper that recovers and follows sessions in the background.
 * Opening it migrates the schema; {@link #start()} registers the run and recovers at once what an
 * earlier run of this instance left behind.
 */
public final class Books implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Books.class);

  /**
   * How often the keeper wakes: it bounds how late a due check or a lease renewal runs, at the cost
   * of one indexed query per wake.
   */
  static final Duration TICK = Duration.ofSeconds(1);

  private final LedgerDatabase database;
  private final JdbcSessionLedger ledger;
  private final String instanceName;
  private final LedgerConfig config;
  private final LedgerRecorder recorder;
  private final SessionKeeper keeper;
  private final Clock clock;
  private final PendingWrites pending = new PendingWrites();
  private ScheduledExecutorService scheduler;

  private Books(
      LedgerDatabase database,
      LedgerConfig config,
      String instanceName,
      RunwayClient runway,
      Duration handOutTimeout,
      JdbcSessionLedger.IntentGuard intentGuard,
      Clock clock) {
    this.database = database;
    this.config = config;
    this.instanceName = instanceName;
    this.clock = clock;
    this.ledger = new JdbcSessionLedger(database, UUID.randomUUID().toString(), clock);
    LedgerRecorder.Schedules schedules =
        new LedgerRecorder.Schedules(
            config.followInterval(),
            config.followJitter(),
            handOutTimeout,
            config.cancelRetryInitialBackoff(),
            config.cancelRetryMaxBackoff(),
            () -> ThreadLocalRandom.current().nextDouble());
    this.recorder = new LedgerRecorder(ledger, schedules, intentGuard, pending);
    this.keeper =
        new SessionKeeper(
            ledger,
            runway.realtimeSessions(),
            runway.avatarConversations(),
            schedules,
            new SessionKeeper.Settings(
                config.heartbeatInterval(),
                config.leaseDuration(),
                config.recoveryInterval(),
                config.batchSize()),
            clock,
            pending);
  }

  /**
   * Opens the ledger database (migrating its schema) without starting anything.
   *
   * @param instanceName this instance's stable name: a restart under the same name takes over the
   *     previous run's sessions at once
   * @param runway for cancelling and following sessions
   * @param handOutTimeout how long a handed-out key may stay unused
   * @param intentGuard admits each connect's intent in the transaction that records it (budgets);
   *     null for none
   * @throws dev.avatargateway.gateway.core.internal.ledger.LedgerException when the database cannot
   *     be opened
   */
  public static Books open(
      LedgerConfig config,
      String instanceName,
      RunwayClient runway,
      Duration handOutTimeout,
      JdbcSessionLedger.IntentGuard intentGuard,
      Clock clock) {
    return open(config, null, instanceName, runway, handOutTimeout, intentGuard, clock);
  }

  /**
   * As {@link #open(LedgerConfig, String, RunwayClient, Duration, JdbcSessionLedger.IntentGuard,
   * Clock)}, on {@code dataSource} when it is not null (see {@link
   * LedgerDatabase#open(LedgerConfig, DataSource)}: {@link #close()} then leaves it open), else on
   * the ledger's own pool.
   */
  public static Books open(
      LedgerConfig config,
      DataSource dataSource,
      String instanceName,
      RunwayClient runway,
      Duration handOutTimeout,
      JdbcSessionLedger.IntentGuard intentGuard,
      Clock clock) {
    LedgerDatabase database =
        dataSource == null ? LedgerDatabase.open(config) : LedgerDatabase.open(config, dataSource);
    try {
      return new Books(database, config, instanceName, runway, handOutTimeout, intentGuard, clock);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** What the connect flow writes through. */
  public ConnectRecorder recorder() {
    return recorder;
  }

  /**
   * Registers this run (expiring the lease of this instance's previous run), recovers at once, then
   * keeps the books in the background.
   */
  public synchronized void start() {
    Instant now = clock.instant();
    int previous =
        ledger.registerRun(ledger.runId(), instanceName, now, now.plus(config.leaseDuration()));
    LOG.info(
        "Session ledger at {} (instance {}{})",
        database.loggableUrl(),
        instanceName,
        previous > 0 ? ", taking over " + previous + " earlier run(s)" : "");
    keeper.runOnce();
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("avatar-gateway-books").daemon().factory());
    scheduler.scheduleWithFixedDelay(
        keeper::runOnce, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round of the keeper now, on the calling thread (for tests and tools). */
  public void runKeeperOnce() {
    keeper.runOnce();
  }

  /** Whether the ledger database answers. */
  public boolean reachable() {
    try {
      return ledger.findRun(ledger.runId()).isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * How many writes of connects wait in memory for the database to answer again (see {@link
   * PendingWrites}): 0 while the database answers.
   */
  public int pendingWrites() {
    return pending.size();
  }

  /** This process's run id, the owner of the rows it writes. */
  public String runId() {
    return ledger.runId();
  }

  /** The ledger's database, for the features that keep their own tables in it. */
  public LedgerDatabase database() {
    return database;
  }

  /** The ledger, for operators' queries and tests. */
  public JdbcSessionLedger ledger() {
    return ledger;
  }

  /**
   * Stops the keeper, retires the run (so that the next run takes over what is left at once) and
   * closes the database (an application's DataSource stays open). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (scheduler != null) {
      // Not shutdownNow: an interrupt in the middle of a database write can break the connection
      // (and an embedded database's file).
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(
            SessionKeeper.CALL_BUDGET.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("The session keeper did not stop in time");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      scheduler = null;
      int unwritten = keeper.flushPending();
      if (unwritten > 0) {
        LOG.warn(
            "{} ledger write(s) kept while the database did not answer could not be written before"
                + " stopping; the next run settles their rows from what Runway says",
            unwritten);
      }
      try {
        ledger.retireRun(ledger.runId(), clock.instant());
      } catch (RuntimeException e) {
        LOG.warn("Could not retire this run in the ledger; its lease expires by itself", e);
      }
    }
    database.close();
  }
}
