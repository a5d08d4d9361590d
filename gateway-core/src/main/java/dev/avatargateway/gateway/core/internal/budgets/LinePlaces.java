package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.line.WaitingLine;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a principal's places in the waiting line to its {@code
 * budgets.perPrincipal.concurrentSessions} (docs/line.md): a principal may wait in at most as many
 * places as its budget still allows, its budget less its live sessions. A start beyond that would
 * only wait for a session that the budget refuses at its turn, and hold a place others could use:
 * it is refused at once, with the budget's own 429 {@code quota_exceeded} (its {@code used} counts
 * the live sessions and the places held).
 *
 * <p>Read once per start that must wait (one count of live sessions, the query the budget check
 * itself makes at the intent); never for a start that passes at once. The intent's check stays the
 * rule: this reading takes no lock, so starts at the same moment may both find room, and the check
 * refuses the one too many at its turn. Thread-safe.
 */
public final class LinePlaces implements WaitingLine.PlaceBudget {
  private static final Logger LOG = LoggerFactory.getLogger(LinePlaces.class);

  private final JdbcSessionLedger ledger;
  private final BudgetLimits limits;
  private final Clock clock;
  private final Consumer<Budget> rejected;

  /**
   * @param ledger the books
   * @param limits the configured budgets
   * @param clock the time of a refusal
   * @param rejected told of each refusal, by budget (metrics)
   */
  public LinePlaces(
      JdbcSessionLedger ledger, BudgetLimits limits, Clock clock, Consumer<Budget> rejected) {
    this.ledger = ledger;
    this.limits = limits;
    this.clock = clock;
    this.rejected = rejected;
  }

  /**
   * The line's places bounded by {@code limits}, or by nothing when no concurrent budget is set.
   */
  public static WaitingLine.PlaceBudget of(
      JdbcSessionLedger ledger, BudgetLimits limits, Clock clock, Consumer<Budget> rejected) {
    return limits.configured(Budget.PRINCIPAL_CONCURRENT)
        ? new LinePlaces(ledger, limits, clock, rejected)
        : WaitingLine.PlaceBudget.NONE;
  }

  @Override
  public Allowance of(String principal) {
    int live;
    try {
      live =
          ledger.inTransaction(
              "count the live sessions of a principal", c -> BudgetStore.live(c, principal));
    } catch (RuntimeException e) {
      // The intent's check decides all the same (and answers a ledger that cannot be read).
      LOG.debug("Could not count the live sessions of a principal for the line", e);
      return NONE.of(principal);
    }
    BigDecimal limit = limits.limit(Budget.PRINCIPAL_CONCURRENT);
    long allowed = Math.max(0, limit.longValueExact() - live);
    return held -> {
      if (held < allowed) {
        return Optional.empty();
      }
      rejected.accept(Budget.PRINCIPAL_CONCURRENT);
      GatewayException refusal =
          BudgetCheck.refuse(
              new BudgetLimits.Refusal(
                  Budget.PRINCIPAL_CONCURRENT,
                  limit,
                  BigDecimal.valueOf((long) live + held),
                  BigDecimal.ONE),
              clock.instant());
      return Optional.of(refusal);
    };
  }
}
