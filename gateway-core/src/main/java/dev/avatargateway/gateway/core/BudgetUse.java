package dev.avatargateway.gateway.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One configured budget as it stands now.
 *
 * @param budget its setting below {@code budgets.}, e.g. {@code perPrincipal.minutesPerDay}; also
 *     the {@code budget} of a 429 {@code quota_exceeded} answer
 * @param unit what {@code limit}, {@code used} and {@code remaining} count: {@code sessions},
 *     {@code minutes} or {@code currency} (the currency of {@code budgets.global.spendPerDay})
 * @param limit the configured budget
 * @param used what is used (minutes and currency rounded up to two decimals; live sessions reserve
 *     their {@code maxDuration} until they end)
 * @param remaining {@code limit − used}, never below 0
 * @param resetsAt the next UTC midnight for a daily budget; empty for {@code
 *     perPrincipal.concurrentSessions}, which frees when a session ends
 */
public record BudgetUse(
    String budget,
    String unit,
    BigDecimal limit,
    BigDecimal used,
    BigDecimal remaining,
    Optional<Instant> resetsAt) {
  /** Rejects nulls. */
  public BudgetUse {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(used, "used");
    Objects.requireNonNull(remaining, "remaining");
    Objects.requireNonNull(resetsAt, "resetsAt");
  }
}
