package dev.avatargateway.gateway.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Today's use of paid sessions (UTC day), for one principal or for the whole gateway, as the
 * budgets count it (docs/budgets.md): each session accepted today counts its reserved {@code
 * maxDuration} while it is live and its real duration once it ended; sessions never created count
 * nothing. Counted from the ledger while budgets are configured.
 *
 * @param principal whose use this is; empty for the whole gateway
 * @param day the UTC day
 * @param resetsAt the next UTC midnight, when the daily budgets start again
 * @param sessions sessions accepted today that were (or may have been) created
 * @param minutes their minutes, rounded up to two decimals
 * @param spend what they cost at {@code budgets.pricePerMinute}, rounded up to two decimals
 * @param liveSessions sessions live now (being created, or created and not ended), whatever day
 *     they were accepted
 * @param budgets every configured budget that applies, with what is left of it
 */
public record Usage(
    Optional<String> principal,
    LocalDate day,
    Instant resetsAt,
    long sessions,
    BigDecimal minutes,
    BigDecimal spend,
    int liveSessions,
    List<BudgetUse> budgets) {
  /** Copies the budgets; rejects nulls. */
  public Usage {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(resetsAt, "resetsAt");
    Objects.requireNonNull(minutes, "minutes");
    Objects.requireNonNull(spend, "spend");
    budgets = List.copyOf(budgets);
  }

  /** The entry of one budget ({@code perPrincipal.minutesPerDay}, ...), if configured. */
  public Optional<BudgetUse> budget(String name) {
    return budgets.stream().filter(b -> b.budget().equals(name)).findFirst();
  }
}
