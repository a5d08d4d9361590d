package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.Usage;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads today's use from the ledger, for the usage API and the metrics; takes no lock (a reading
 * may be a moment old by the time it is shown, which the checks never rely on). Thread-safe.
 */
public final class BudgetReport {
  /** The most principals one listing returns. */
  public static final int MAX_TOP = JdbcSessionLedger.MAX_LIMIT;

  /**
   * How long a global reading serves the gauges: a scrape every few seconds must not become a query
   * each (with several scrapers), and use changes by whole sessions.
   */
  static final Duration GAUGE_TTL = Duration.ofSeconds(10);

  private final JdbcSessionLedger ledger;
  private final BudgetLimits limits;
  private final Clock clock;
  private final AtomicReference<Reading> lastGlobal = new AtomicReference<>();

  private record Reading(Instant at, LocalDate day, long seconds) {}

  /**
   * @param ledger the books
   * @param limits the configured budgets (possibly none)
   * @param clock gives today
   */
  public BudgetReport(JdbcSessionLedger ledger, BudgetLimits limits, Clock clock) {
    this.ledger = ledger;
    this.limits = limits;
    this.clock = clock;
  }

  /** A principal's use today, with every configured budget that applies to it. */
  public Usage usage(String principal) {
    Objects.requireNonNull(principal, "principal");
    Instant now = clock.instant();
    LocalDate day = BudgetDays.dayOf(now);
    String key = BudgetStore.principalKey(principal);
    record Read(BudgetStore.DayUse principal, int live, long globalSeconds) {}
    Read read =
        ledger.inTransaction(
            "read the budget use of a principal",
            c ->
                new Read(
                    BudgetStore.principalDay(c, key, day),
                    BudgetStore.live(c, principal),
                    limits.needsGlobal() ? BudgetStore.globalDay(c, day).seconds() : 0));
    return usage(
        Optional.of(principal),
        now,
        read.principal(),
        read.live(),
        new BudgetLimits.Observed(
            read.principal().sessions(),
            read.principal().seconds(),
            read.live(),
            read.globalSeconds()),
        true);
  }

  /** The whole gateway's use today, with the global budgets. */
  public Usage global() {
    Instant now = clock.instant();
    LocalDate day = BudgetDays.dayOf(now);
    BudgetStore.DayUse use =
        ledger.inTransaction("read the gateway's budget use", c -> BudgetStore.globalDay(c, day));
    lastGlobal.set(new Reading(now, day, use.seconds()));
    return usage(
        Optional.empty(), now, use, 0, new BudgetLimits.Observed(0, 0, 0, use.seconds()), false);
  }

  /**
   * The principals with the most minutes today, most first, each with the per-principal budgets.
   *
   * @param limit the most principals, 1 to {@value #MAX_TOP}
   */
  public List<Usage> top(int limit) {
    if (limit < 1 || limit > MAX_TOP) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_TOP + ", was " + limit);
    }
    Instant now = clock.instant();
    LocalDate day = BudgetDays.dayOf(now);
    record Row(BudgetStore.PrincipalDay day, int live) {}
    List<Row> rows =
        ledger.inTransaction(
            "list the budget use of principals",
            c -> {
              List<Row> read = new ArrayList<>();
              for (BudgetStore.PrincipalDay p : BudgetStore.topPrincipals(c, day, limit)) {
                read.add(new Row(p, BudgetStore.live(c, p.principal())));
              }
              return read;
            });
    return rows.stream()
        .map(
            row ->
                usage(
                    Optional.of(row.day().principal()),
                    now,
                    row.day().use(),
                    row.live(),
                    new BudgetLimits.Observed(
                        row.day().use().sessions(), row.day().use().seconds(), row.live(), 0),
                    false))
        .toList();
  }

  /**
   * The gateway's seconds today for the gauges: the last reading if it is younger than {@link
   * #GAUGE_TTL} and of today, else a new one; the last one (or 0) when the ledger cannot be read.
   */
  public long globalSecondsForGauge() {
    Instant now = clock.instant();
    Reading last = lastGlobal.get();
    if (last != null
        && last.day().equals(BudgetDays.dayOf(now))
        && Duration.between(last.at(), now).compareTo(GAUGE_TTL) < 0) {
      return last.seconds();
    }
    try {
      global();
      return lastGlobal.get().seconds();
    } catch (RuntimeException e) {
      return last == null ? 0 : last.seconds();
    }
  }

  private Usage usage(
      Optional<String> principal,
      Instant now,
      BudgetStore.DayUse use,
      int live,
      BudgetLimits.Observed observed,
      boolean withGlobal) {
    return new Usage(
        principal,
        BudgetDays.dayOf(now),
        BudgetDays.resetsAt(now),
        use.sessions(),
        BudgetLimits.minutes(use.seconds()),
        limits.spend(use.seconds()),
        live,
        limits.uses(
            observed,
            principal.isPresent(),
            withGlobal || principal.isEmpty(),
            BudgetDays.resetsAt(now)));
  }
}
