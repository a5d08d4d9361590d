package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.BudgetUse;
import dev.avatargateway.gateway.core.BudgetsConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The budgets' arithmetic, without a database: what is used of each configured budget, and whether
 * one more session fits. Minutes are counted in whole seconds and compared exactly (a budget of 10
 * minutes is 600 seconds); spend is seconds × {@code pricePerMinute} / 60, compared exactly in
 * decimals. Thread-safe (immutable).
 */
public final class BudgetLimits {
  /**
   * What a session reserves when its template sets no {@code maxDuration}: Runway's default, 300 s
   * (runway-api.md, create parameters: "{@code maxDuration} integer, min 10, max 1800, default
   * 300").
   */
  public static final Duration RUNWAY_DEFAULT_MAX_DURATION = Duration.ofSeconds(300);

  /** Minutes and currency are shown with cents: finer would only suggest a precision of billing. */
  private static final int SHOWN_SCALE = 2;

  private static final BigDecimal SECONDS_PER_MINUTE = BigDecimal.valueOf(60);

  /** The order in which budgets are checked: daily ones first, for their exact reset time. */
  private static final List<Budget> CHECK_ORDER =
      List.of(
          Budget.PRINCIPAL_SESSIONS,
          Budget.PRINCIPAL_MINUTES,
          Budget.GLOBAL_MINUTES,
          Budget.GLOBAL_SPEND,
          Budget.PRINCIPAL_CONCURRENT);

  private final BudgetsConfig config;
  private final Map<Budget, BigDecimal> limits = new EnumMap<>(Budget.class);

  /**
   * @param config a validated configuration
   */
  public BudgetLimits(BudgetsConfig config) {
    this.config = config;
    put(Budget.PRINCIPAL_SESSIONS, config.perPrincipal().sessionsPerDay());
    put(Budget.PRINCIPAL_MINUTES, config.perPrincipal().minutesPerDay());
    put(Budget.PRINCIPAL_CONCURRENT, config.perPrincipal().concurrentSessions());
    put(Budget.GLOBAL_MINUTES, config.global().minutesPerDay());
    if (config.global().spendPerDay() != null) {
      limits.put(Budget.GLOBAL_SPEND, config.global().spendPerDay());
    }
  }

  private void put(Budget budget, Integer limit) {
    if (limit != null) {
      limits.put(budget, BigDecimal.valueOf(limit));
    }
  }

  /**
   * What the checks read: one scope's use so far (the session being admitted not included).
   *
   * @param principalSessions the principal's sessions of the day that were (or may have been)
   *     created
   * @param principalSeconds their seconds: reserved while live, real once ended
   * @param principalLive the principal's live sessions, any day
   * @param globalSeconds every principal's seconds of the day
   */
  public record Observed(
      long principalSessions, long principalSeconds, int principalLive, long globalSeconds) {}

  /**
   * A session that does not fit.
   *
   * @param budget which budget
   * @param limit its limit (sessions, minutes or currency)
   * @param used what is used of it, without the refused session
   * @param requested what the refused session would have used of it
   */
  public record Refusal(Budget budget, BigDecimal limit, BigDecimal used, BigDecimal requested) {}

  /** Whether {@code budget} is configured. */
  public boolean configured(Budget budget) {
    return limits.containsKey(budget);
  }

  /** Whether a per-principal daily budget is configured (the principal's day must be read). */
  public boolean needsPrincipalDay() {
    return configured(Budget.PRINCIPAL_SESSIONS) || configured(Budget.PRINCIPAL_MINUTES);
  }

  /** Whether the principal's live sessions must be counted. */
  public boolean needsLive() {
    return configured(Budget.PRINCIPAL_CONCURRENT);
  }

  /** Whether a global budget is configured (the gateway's day must be read). */
  public boolean needsGlobal() {
    return configured(Budget.GLOBAL_MINUTES) || configured(Budget.GLOBAL_SPEND);
  }

  /** Whether any per-principal budget is configured. */
  public boolean needsPrincipal() {
    return needsPrincipalDay() || needsLive();
  }

  /** The limit of a configured budget. */
  public BigDecimal limit(Budget budget) {
    BigDecimal limit = limits.get(budget);
    if (limit == null) {
      throw new IllegalArgumentException(budget.setting() + " is not configured");
    }
    return limit;
  }

  /**
   * The first budget that one more session reserving {@code reserveSeconds} would exceed; empty
   * when it fits all. A session fits when the use after it is at most the limit.
   */
  public Optional<Refusal> check(Observed observed, long reserveSeconds) {
    for (Budget budget : CHECK_ORDER) {
      if (configured(budget) && !fits(budget, observed, reserveSeconds)) {
        return Optional.of(
            new Refusal(
                budget, limit(budget), used(budget, observed), requested(budget, reserveSeconds)));
      }
    }
    return Optional.empty();
  }

  private boolean fits(Budget budget, Observed observed, long reserveSeconds) {
    BigDecimal limit = limit(budget);
    return switch (budget) {
      case PRINCIPAL_SESSIONS -> observed.principalSessions() + 1 <= limit.longValueExact();
      case PRINCIPAL_CONCURRENT -> observed.principalLive() + 1L <= limit.longValueExact();
      case PRINCIPAL_MINUTES ->
          observed.principalSeconds() + reserveSeconds <= limit.longValueExact() * 60;
      case GLOBAL_MINUTES ->
          observed.globalSeconds() + reserveSeconds <= limit.longValueExact() * 60;
      // seconds × price / 60 <= limit, without dividing.
      case GLOBAL_SPEND ->
          BigDecimal.valueOf(observed.globalSeconds() + reserveSeconds)
                  .multiply(config.pricePerMinute())
                  .compareTo(limit.multiply(SECONDS_PER_MINUTE))
              <= 0;
    };
  }

  /** What is used of {@code budget} (sessions, minutes or currency). */
  public BigDecimal used(Budget budget, Observed observed) {
    return switch (budget) {
      case PRINCIPAL_SESSIONS -> BigDecimal.valueOf(observed.principalSessions());
      case PRINCIPAL_CONCURRENT -> BigDecimal.valueOf(observed.principalLive());
      case PRINCIPAL_MINUTES -> minutes(observed.principalSeconds());
      case GLOBAL_MINUTES -> minutes(observed.globalSeconds());
      case GLOBAL_SPEND -> spend(observed.globalSeconds());
    };
  }

  private BigDecimal requested(Budget budget, long reserveSeconds) {
    return switch (budget) {
      case PRINCIPAL_SESSIONS, PRINCIPAL_CONCURRENT -> BigDecimal.ONE;
      case PRINCIPAL_MINUTES, GLOBAL_MINUTES -> minutes(reserveSeconds);
      case GLOBAL_SPEND -> spend(reserveSeconds);
    };
  }

  /** The share of {@code budget} used (1.0 = all of it), for the warning at 80%. */
  public double fraction(Budget budget, Observed observed) {
    double limit = limit(budget).doubleValue();
    double used =
        switch (budget) {
          case PRINCIPAL_SESSIONS -> observed.principalSessions();
          case PRINCIPAL_CONCURRENT -> observed.principalLive();
          case PRINCIPAL_MINUTES -> observed.principalSeconds() / 60.0;
          case GLOBAL_MINUTES -> observed.globalSeconds() / 60.0;
          case GLOBAL_SPEND ->
              observed.globalSeconds() * config.pricePerMinute().doubleValue() / 60.0;
        };
    return used / limit;
  }

  /**
   * Every configured budget of the kinds asked for, as it stands.
   *
   * @param resetsAt when the daily ones start again
   */
  public List<BudgetUse> uses(
      Observed observed, boolean principal, boolean global, Instant resetsAt) {
    List<BudgetUse> uses = new ArrayList<>();
    for (Budget budget : Budget.values()) {
      if (!configured(budget) || (budget.perPrincipal() ? !principal : !global)) {
        continue;
      }
      BigDecimal limit = limit(budget);
      BigDecimal used = used(budget, observed);
      BigDecimal remaining = limit.subtract(used).max(BigDecimal.ZERO);
      uses.add(
          new BudgetUse(
              budget.setting(),
              budget.unit(),
              limit,
              used,
              remaining,
              budget.daily() ? Optional.of(resetsAt) : Optional.empty()));
    }
    return uses;
  }

  /** Seconds as minutes, rounded up to cents of a minute. */
  public static BigDecimal minutes(long seconds) {
    return BigDecimal.valueOf(seconds)
        .divide(SECONDS_PER_MINUTE, SHOWN_SCALE, RoundingMode.CEILING);
  }

  /** What {@code seconds} of sessions cost, rounded up to cents. */
  public BigDecimal spend(long seconds) {
    return BigDecimal.valueOf(seconds)
        .multiply(config.pricePerMinute())
        .divide(SECONDS_PER_MINUTE, SHOWN_SCALE, RoundingMode.CEILING);
  }

  /** The seconds a session reserves: its {@code maxDuration}, else Runway's default. */
  public static int reserveSeconds(Integer maxDurationSeconds) {
    return maxDurationSeconds == null
        ? (int) RUNWAY_DEFAULT_MAX_DURATION.toSeconds()
        : maxDurationSeconds;
  }
}
