package dev.avatargateway.gateway.core.internal.budgets;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Budget days are UTC days: the same for every instance and every user, wherever they are. */
public final class BudgetDays {
  private BudgetDays() {}

  /** The UTC day of {@code at}. */
  public static LocalDate dayOf(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  /** The UTC midnight after {@code at}: when the daily budgets of its day start again. */
  public static Instant resetsAt(Instant at) {
    return dayOf(at).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
