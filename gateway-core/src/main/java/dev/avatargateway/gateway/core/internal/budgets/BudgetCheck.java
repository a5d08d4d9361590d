package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.SessionIntent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the budgets and reserves a session's minutes in the transaction that records its intent
 * (see {@link JdbcSessionLedger#recordIntent(SessionIntent, JdbcSessionLedger.IntentGuard)}):
 *
 * <ol>
 *   <li>locks the scope's row ({@code global} when a global budget is set, which orders every
 *       check; else the principal's), so that checks of one scope take turns, also across gateway
 *       instances sharing the ledger: a second connect reads the use only after the first one's
 *       intent and reservation are committed (both databases read committed data per statement);
 *   <li>reads the use (the principal's day, its live sessions, the gateway's day) from the ledger;
 *   <li>refuses with 429 {@code quota_exceeded} when the session does not fit, which rolls the
 *       intent back: no row, no upstream call, nothing paid;
 *   <li>else writes the reservation (the session's {@code maxDuration}, else Runway's default), and
 *       the intent follows in the same commit.
 * </ol>
 *
 * A session counts for the UTC day of its acceptance ({@link SessionIntent#acceptedAt()}).
 * Thread-safe.
 */
public final class BudgetCheck implements JdbcSessionLedger.IntentGuard {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetCheck.class);

  /** The warning comes once a budget's use passes this share of it. */
  static final double WARN_AT = 0.8;

  /**
   * Retry-After for {@code perPrincipal.concurrentSessions}: a slot frees when one of the
   * principal's sessions ends, which the keeper notices at its next status read (every {@code
   * ledger.followInterval}, 30 s by default, at first). Sooner retries would only be refused again.
   */
  static final Duration CONCURRENT_RETRY_AFTER = Duration.ofSeconds(30);

  /**
   * How many (day, budget, scope) warnings are remembered: one per principal and budget a day. When
   * full it starts again, which at worst repeats a warning; 100,000 principals warned in a day is
   * far beyond one gateway's users.
   */
  static final int MAX_REMEMBERED_WARNINGS = 100_000;

  private final BudgetLimits limits;
  private final Consumer<Budget> rejected;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private volatile LocalDate warnedDay;

  /**
   * @param limits the configured budgets (at least one)
   * @param rejected told of each refusal, by budget (metrics)
   */
  public BudgetCheck(BudgetLimits limits, Consumer<Budget> rejected) {
    this.limits = limits;
    this.rejected = rejected;
  }

  @Override
  public void admit(Connection c, SessionIntent intent) throws SQLException {
    Instant now = intent.acceptedAt();
    LocalDate day = BudgetDays.dayOf(now);
    String principalKey = BudgetStore.principalKey(intent.principal());
    if (limits.needsGlobal()) {
      BudgetStore.lock(c, BudgetStore.GLOBAL_SCOPE, now);
    } else {
      BudgetStore.lock(c, BudgetStore.principalScope(principalKey), now);
    }
    BudgetStore.DayUse principalDay =
        limits.needsPrincipalDay()
            ? BudgetStore.principalDay(c, principalKey, day)
            : new BudgetStore.DayUse(0, 0);
    int live = limits.needsLive() ? BudgetStore.live(c, intent.principal()) : 0;
    long globalSeconds = limits.needsGlobal() ? BudgetStore.globalDay(c, day).seconds() : 0;
    BudgetLimits.Observed before =
        new BudgetLimits.Observed(
            principalDay.sessions(), principalDay.seconds(), live, globalSeconds);
    int reserve = BudgetLimits.reserveSeconds(intent.maxDurationSeconds());
    var refusal = limits.check(before, reserve);
    if (refusal.isPresent()) {
      rejected.accept(refusal.get().budget());
      throw refuse(refusal.get(), now);
    }
    BudgetStore.reserve(c, intent.gatewayId(), principalKey, day, reserve);
    warnIfPassed(
        new BudgetLimits.Observed(
            before.principalSessions() + 1,
            before.principalSeconds() + reserve,
            before.principalLive() + 1,
            before.globalSeconds() + reserve),
        intent.principal(),
        principalKey,
        day);
  }

  /** The answer to a refusal: which budget, its limit and use, and when it resets. */
  static GatewayException refuse(BudgetLimits.Refusal refusal, Instant now) {
    Budget budget = refusal.budget();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("budget", budget.setting());
    details.put("unit", budget.unit());
    details.put("limit", refusal.limit());
    details.put("used", refusal.used());
    details.put("requested", refusal.requested());
    Duration retryAfter;
    String message;
    if (budget.daily()) {
      Instant resetsAt = BudgetDays.resetsAt(now);
      details.put("resetsAt", resetsAt.toString());
      retryAfter = Duration.between(now, resetsAt);
      message =
          (budget.perPrincipal() ? "Your" : "This service's")
              + " daily budget ("
              + budget.setting()
              + ") is used up; it resets at "
              + resetsAt
              + ".";
    } else {
      details.put("frees", "when_a_session_ends");
      retryAfter = CONCURRENT_RETRY_AFTER;
      message =
          "You have as many avatar sessions running as you may ("
              + budget.setting()
              + "); end one and try again.";
    }
    return new GatewayException(ErrorCode.QUOTA_EXCEEDED, message, retryAfter, details, null);
  }

  private void warnIfPassed(
      BudgetLimits.Observed after, String principal, String principalKey, LocalDate day) {
    for (Budget budget : Budget.values()) {
      if (!limits.configured(budget) || limits.fraction(budget, after) < WARN_AT) {
        continue;
      }
      if (!firstWarning(day, budget, budget.perPrincipal() ? principalKey : "")) {
        continue;
      }
      BigDecimal used = limits.used(budget, after);
      BigDecimal limit = limits.limit(budget);
      if (budget.perPrincipal()) {
        LOG.warn(
            "Budget {} of principal {} is {}% used ({} of {} {}{})",
            budget.setting(),
            principal,
            Math.round(limits.fraction(budget, after) * 100),
            used.toPlainString(),
            limit.toPlainString(),
            budget.unit(),
            budget.daily() ? " today, UTC" : "");
      } else {
        LOG.warn(
            "Budget {} of the whole gateway is {}% used ({} of {} {} today, UTC)",
            budget.setting(),
            Math.round(limits.fraction(budget, after) * 100),
            used.toPlainString(),
            limit.toPlainString(),
            budget.unit());
      }
    }
  }

  /** Whether this is the first warning of the budget for the scope on the day (per instance). */
  private boolean firstWarning(LocalDate day, Budget budget, String scope) {
    if (!day.equals(warnedDay) || warned.size() >= MAX_REMEMBERED_WARNINGS) {
      synchronized (warned) {
        if (!day.equals(warnedDay) || warned.size() >= MAX_REMEMBERED_WARNINGS) {
          warned.clear();
          warnedDay = day;
        }
      }
    }
    return warned.add(budget.name() + "|" + scope);
  }
}
