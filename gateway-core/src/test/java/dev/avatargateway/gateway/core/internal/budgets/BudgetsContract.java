package dev.avatargateway.gateway.core.internal.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.avatargateway.gateway.core.BudgetsConfig;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.Usage;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.SessionIntent;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets against a real database: the check and the reservation in the intent's transaction, the
 * settlement from the session rows, atomicity under racing connects (also through two pools, as two
 * gateway instances sharing the ledger would), and the use surviving a reopen. {@link
 * H2BudgetsTest} (an H2 file) and {@link PostgresBudgetsTest} (a schema of the real PostgreSQL) run
 * it.
 */
abstract class BudgetsContract {
  /** Mid-day, not on a whole second. */
  static final Instant T0 = Instant.parse("2030-01-01T12:00:00.250Z");

  static final Instant MIDNIGHT = Instant.parse("2030-01-02T00:00:00Z");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ConcurrentLinkedQueue<Budget> refused = new ConcurrentLinkedQueue<>();

  LedgerConfig config;
  LedgerDatabase database;
  JdbcSessionLedger ledger;
  BudgetCheck check;
  BudgetLimits limits;

  /** A configuration for a new, empty database or schema, the same on every call of a test. */
  abstract LedgerConfig config() throws Exception;

  final <T extends AutoCloseable> T track(T resource) {
    toClose.add(0, resource);
    return resource;
  }

  @AfterEach
  final void closeEverything() throws Exception {
    Exception failure = null;
    for (AutoCloseable resource : toClose) {
      try {
        resource.close();
      } catch (Exception e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Opens the ledger with these budgets (and opens it again after a close: a restart). */
  void open(BudgetsConfig budgets) throws Exception {
    budgets.validate();
    if (config == null) {
      config = config();
    }
    database = track(LedgerDatabase.open(config));
    ledger =
        new JdbcSessionLedger(
            database, "run-" + UUID.randomUUID(), Clock.fixed(T0, ZoneOffset.UTC));
    ledger.registerRun(ledger.runId(), "instance", T0, T0.plusSeconds(30));
    limits = new BudgetLimits(budgets);
    check = new BudgetCheck(limits, refused::add);
  }

  static BudgetsConfig perPrincipal(Integer sessions, Integer minutes, Integer concurrent) {
    return new BudgetsConfig(
        new BudgetsConfig.PerPrincipal(sessions, minutes, concurrent), null, null);
  }

  static SessionIntent intent(String principal, Instant at, Integer maxDurationSeconds) {
    return new SessionIntent(
        UUID.randomUUID().toString(),
        principal,
        "192.0.2.10",
        "cat-character",
        "runway-preset",
        null,
        "credentials",
        maxDurationSeconds,
        at);
  }

  /** Admits a session of {@code principal} accepted at {@code at}; its gateway id. */
  String admit(String principal, Instant at, Integer maxDurationSeconds) {
    return admit(ledger, principal, at, maxDurationSeconds);
  }

  String admit(JdbcSessionLedger on, String principal, Instant at, Integer maxDurationSeconds) {
    SessionIntent intent = intent(principal, at, maxDurationSeconds);
    on.recordIntent(intent, check);
    return intent.gatewayId();
  }

  GatewayException refusal(String principal, Instant at, Integer maxDurationSeconds) {
    GatewayException e =
        catchThrowableOfType(
            GatewayException.class, () -> admit(principal, at, maxDurationSeconds));
    assertThat(e).as("a refusal").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    return e;
  }

  /** The session's life until it is handed over and ends upstream with Runway's duration. */
  void completes(String id, Instant createdAt, Duration duration, boolean confirmed) {
    assertThat(ledger.recordCreated(id, "up-" + id, createdAt)).isTrue();
    assertThat(
            ledger.recordHandOver(
                id, SessionState.CONSUMED, createdAt, createdAt, createdAt.plusSeconds(30), 3))
        .isTrue();
    assertThat(
            ledger.transition(
                id,
                SessionState.nonTerminal(),
                SessionState.COMPLETED,
                createdAt.plus(duration).plusSeconds(40),
                "ended_upstream",
                null))
        .isTrue();
    assertThat(ledger.recordDuration(id, duration, confirmed)).isTrue();
  }

  long count(String table) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Runs {@code racers} admissions on 16 threads that start together; how many were admitted. Every
   * other outcome than admitted or refused fails the test.
   */
  static int race(int racers, java.util.function.IntConsumer admission) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        int racer = i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    admission.accept(racer);
                    return true;
                  } catch (GatewayException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
                    return false;
                  }
                }));
      }
      go.countDown();
      int admitted = 0;
      for (Future<Boolean> result : results) {
        admitted += result.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      return admitted;
    } finally {
      pool.shutdownNow();
    }
  }

  BudgetReport report(Instant now) {
    return new BudgetReport(ledger, limits, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void sessionsPerDayRefusesTheOneBeyondItAndSaysWhenItResets() throws Exception {
    open(perPrincipal(2, null, null));
    admit("alice", T0, 60);
    admit("alice", T0.plusSeconds(1), 60);

    GatewayException e = refusal("alice", T0.plusSeconds(2), 60);

    assertThat(e.details())
        .containsEntry("budget", "perPrincipal.sessionsPerDay")
        .containsEntry("limit", BigDecimal.valueOf(2))
        .containsEntry("used", BigDecimal.valueOf(2))
        .containsEntry("resetsAt", MIDNIGHT.toString());
    assertThat(e.retryAfter()).contains(Duration.between(T0.plusSeconds(2), MIDNIGHT));
    assertThat(refused).containsExactly(Budget.PRINCIPAL_SESSIONS);
    // The refused connect left no row: nothing was recorded, nothing will be created.
    assertThat(count("ledger_sessions")).isEqualTo(2);
    assertThat(count("ledger_budget_reservations")).isEqualTo(2);
    // Another principal has its own budget.
    admit("bob", T0.plusSeconds(3), 60);
  }

  @Test
  void aSessionRefusedAtCreateCostsNothingAndDoesNotCount() throws Exception {
    open(perPrincipal(1, 5, null));
    String refusedUpstream = admit("alice", T0, 300);
    assertThat(ledger.recordRejected(refusedUpstream, "invalid_request", T0.plusSeconds(1)))
        .isTrue();

    String id = admit("alice", T0.plusSeconds(2), 300);

    assertThat(id).isNotNull();
    Usage usage = report(T0.plusSeconds(3)).usage("alice");
    assertThat(usage.sessions()).isEqualTo(1);
    assertThat(usage.minutes()).isEqualByComparingTo("5");
  }

  @Test
  void minutesAreReservedAtStartAndSettledWithTheRealDuration() throws Exception {
    open(perPrincipal(null, 10, null));
    String first = admit("alice", T0, 240);
    admit("alice", T0.plusSeconds(1), 240);
    // 480 s reserved; a third would make 720 s of a 600 s budget.
    GatewayException e = refusal("alice", T0.plusSeconds(2), 240);
    assertThat(e.details())
        .containsEntry("budget", "perPrincipal.minutesPerDay")
        .containsEntry("limit", BigDecimal.valueOf(10))
        .containsEntry("used", new BigDecimal("8.00"))
        .containsEntry("requested", new BigDecimal("4.00"));

    // The first call lasted 60 s (Runway's conversation record says so): 300 s used now.
    completes(first, T0.plusSeconds(1), Duration.ofSeconds(60), true);

    admit("alice", T0.plusSeconds(200), 240);
    assertThat(report(T0.plusSeconds(201)).usage("alice").minutes()).isEqualByComparingTo("9");
  }

  @Test
  void aTemplateWithoutMaxDurationReservesRunwaysDefault() throws Exception {
    open(perPrincipal(null, 10, null));
    admit("alice", T0, null);
    admit("alice", T0.plusSeconds(1), null);

    GatewayException e = refusal("alice", T0.plusSeconds(2), null);

    assertThat(e.details()).containsEntry("used", new BigDecimal("10.00"));
    assertThat(e.details()).containsEntry("requested", new BigDecimal("5.00"));
  }

  @Test
  void aSessionCancelledBeforeTheHandOverCostsFromCreationToTheCancel() throws Exception {
    open(perPrincipal(null, 10, null));
    String id = admit("alice", T0, 300);
    assertThat(ledger.recordCreated(id, "up-" + id, T0.plusSeconds(1))).isTrue();
    assertThat(
            ledger.transition(
                id,
                SessionState.nonTerminal(),
                SessionState.CANCELLED,
                T0.plusMillis(31_500),
                "timeout",
                null))
        .isTrue();

    // 30.25 s from creation to the cancel: 31 whole seconds, rounded up.
    assertThat(report(T0.plusSeconds(40)).usage("alice").minutes())
        .isEqualByComparingTo(BudgetLimits.minutes(31));
  }

  @Test
  void aLostSessionKeepsItsReservation() throws Exception {
    open(perPrincipal(null, 10, null));
    String id = admit("alice", T0, 300);
    assertThat(
            ledger.transition(
                id,
                Set.of(SessionState.PENDING),
                SessionState.LOST,
                T0.plusSeconds(5),
                "upstream_error",
                null))
        .isTrue();

    assertThat(report(T0.plusSeconds(6)).usage("alice").minutes()).isEqualByComparingTo("5");
  }

  @Test
  void aSessionCountsForTheUtcDayItWasAcceptedAndTheNextDayStartsAfresh() throws Exception {
    open(perPrincipal(1, null, null));
    Instant lastSecond = MIDNIGHT.minusMillis(1);
    admit("alice", lastSecond, 300);
    GatewayException e = refusal("alice", lastSecond, 300);
    assertThat(e.retryAfter()).contains(Duration.ofMillis(1));

    // Still running after midnight, but it belongs to yesterday.
    admit("alice", MIDNIGHT, 300);
    assertThat(refusal("alice", MIDNIGHT.plusSeconds(1), 300).details())
        .containsEntry("resetsAt", MIDNIGHT.plus(Duration.ofDays(1)).toString());
  }

  @Test
  void concurrentSessionsCountLiveSessionsAndFreeWhenOneEnds() throws Exception {
    open(perPrincipal(null, null, 1));
    String first = admit("alice", MIDNIGHT.minusSeconds(10), 300);

    // Yesterday's session is still live today.
    GatewayException e = refusal("alice", MIDNIGHT.plusSeconds(5), 300);
    assertThat(e.details())
        .containsEntry("budget", "perPrincipal.concurrentSessions")
        .containsEntry("frees", "when_a_session_ends")
        .doesNotContainKey("resetsAt");
    assertThat(e.retryAfter()).contains(BudgetCheck.CONCURRENT_RETRY_AFTER);

    completes(first, MIDNIGHT.minusSeconds(9), Duration.ofSeconds(20), false);
    admit("alice", MIDNIGHT.plusSeconds(60), 300);
  }

  @Test
  void globalSpendIsMinutesTimesThePriceForAllPrincipals() throws Exception {
    // 1.00 at 0.20 a minute: 5 minutes for everyone together.
    open(
        new BudgetsConfig(
            null, new BudgetsConfig.Global(null, new BigDecimal("1.00")), new BigDecimal("0.20")));
    admit("alice", T0, 180);
    admit("bob", T0.plusSeconds(1), 120);

    GatewayException e = refusal("carol", T0.plusSeconds(2), 10);

    assertThat(e.details())
        .containsEntry("budget", "global.spendPerDay")
        .containsEntry("unit", "currency")
        .containsEntry("used", new BigDecimal("1.00"))
        .containsEntry("requested", new BigDecimal("0.04"));
    Usage global = report(T0.plusSeconds(3)).global();
    assertThat(global.minutes()).isEqualByComparingTo("5");
    assertThat(global.spend()).isEqualByComparingTo("1.00");
    assertThat(global.budget("global.spendPerDay").orElseThrow().remaining())
        .isEqualByComparingTo("0");
  }

  @Test
  void globalMinutesRefuseAcrossPrincipals() throws Exception {
    open(new BudgetsConfig(null, new BudgetsConfig.Global(10, null), null));
    admit("alice", T0, 300);
    admit("bob", T0, 300);

    assertThat(refusal("carol", T0.plusSeconds(1), 10).details())
        .containsEntry("budget", "global.minutesPerDay");
  }

  @Test
  void racingConnectsAdmitExactlyTheBudgetThroughTwoInstances() throws Exception {
    // 7 sessions of 60 s fit in 7 minutes; 40 connects race for them through two pools, as two
    // gateway instances sharing the ledger would.
    open(perPrincipal(null, 7, null));
    LedgerDatabase second = track(LedgerDatabase.open(config));
    JdbcSessionLedger other =
        new JdbcSessionLedger(second, "run-other", Clock.fixed(T0, ZoneOffset.UTC));
    int racers = 40;
    assertThat(race(racers, i -> admit(i % 2 == 0 ? ledger : other, "alice", T0, 60))).isEqualTo(7);
    assertThat(count("ledger_sessions")).isEqualTo(7);
    assertThat(refused).hasSize(racers - 7);
  }

  @Test
  void racingConnectsOfManyPrincipalsAdmitExactlyTheGlobalBudget() throws Exception {
    open(new BudgetsConfig(null, new BudgetsConfig.Global(5, null), null));
    assertThat(race(30, i -> admit("p" + i, T0, 60))).isEqualTo(5);
    assertThat(count("ledger_budget_reservations")).isEqualTo(5);
  }

  @Test
  void theUseSurvivesAReopenOfTheLedger() throws Exception {
    BudgetsConfig budgets = perPrincipal(null, 10, 5);
    open(budgets);
    admit("alice", T0, 300);
    admit("alice", T0.plusSeconds(1), 300);
    database.close();

    open(budgets);

    assertThat(refusal("alice", T0.plusSeconds(60), 300).details())
        .containsEntry("budget", "perPrincipal.minutesPerDay")
        .containsEntry("used", new BigDecimal("10.00"));
    Usage usage = report(T0.plusSeconds(61)).usage("alice");
    assertThat(usage.sessions()).isEqualTo(2);
    assertThat(usage.liveSessions()).isEqualTo(2);
    assertThat(usage.budget("perPrincipal.concurrentSessions").orElseThrow().remaining())
        .isEqualByComparingTo("3");
  }

  @Test
  void theAdminListingShowsThePrincipalsWithTheMostMinutesFirst() throws Exception {
    open(perPrincipal(10, 100, null));
    admit("alice", T0, 60);
    admit("bob", T0, 300);
    admit("bob", T0, 60);
    admit("carol", T0, 120);
    // Yesterday's does not count today.
    admit("dave", T0.minus(Duration.ofDays(1)), 1000);

    List<Usage> top = report(T0.plusSeconds(1)).top(2);

    assertThat(top).extracting(u -> u.principal().orElseThrow()).containsExactly("bob", "carol");
    assertThat(top.get(0).sessions()).isEqualTo(2);
    assertThat(top.get(0).minutes()).isEqualByComparingTo("6");
    assertThat(top.get(0).budget("perPrincipal.minutesPerDay").orElseThrow().remaining())
        .isEqualByComparingTo("94");
    assertThatThrownBy(() -> report(T0).top(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aWarningComesOncePerBudgetAndPrincipalWhenItsUsePasses80Percent() throws Exception {
    open(
        new BudgetsConfig(
            new BudgetsConfig.PerPrincipal(5, null, null),
            new BudgetsConfig.Global(100, null),
            null));
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(BudgetCheck.class);
    var appender =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    logger.addAppender(appender);
    try {
      for (int i = 0; i < 3; i++) {
        admit("alice", T0, 60);
      }
      assertThat(appender.list).isEmpty();

      admit("alice", T0, 60);
      admit("alice", T0, 60);
      for (int i = 0; i < 4; i++) {
        admit("bob", T0, 60);
      }
      // Tomorrow warns again.
      for (int i = 0; i < 4; i++) {
        admit("alice", T0.plus(Duration.ofDays(1)), 60);
      }

      assertThat(appender.list)
          .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "Budget perPrincipal.sessionsPerDay of principal alice is 80% used (4 of 5 sessions"
                  + " today, UTC)",
              "Budget perPrincipal.sessionsPerDay of principal bob is 80% used (4 of 5 sessions"
                  + " today, UTC)",
              "Budget perPrincipal.sessionsPerDay of principal alice is 80% used (4 of 5 sessions"
                  + " today, UTC)");
      assertThat(appender.list).allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN);
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void withoutAGuardTheIntentWritesNoBudgetRow() throws Exception {
    open(perPrincipal(1, null, null));
    ledger.recordIntent(intent("alice", T0, 300));

    assertThat(count("ledger_budget_reservations")).isZero();
    assertThat(count("ledger_budget_scopes")).isZero();
  }
}
