package dev.avatargateway.gateway.core.internal.budgets;

/** The budgets, named by their settings below {@code budgets.}: also metric tags and API names. */
public enum Budget {
  /** {@code budgets.perPrincipal.sessionsPerDay}. */
  PRINCIPAL_SESSIONS("perPrincipal.sessionsPerDay", "sessions", true, true),
  /** {@code budgets.perPrincipal.minutesPerDay}. */
  PRINCIPAL_MINUTES("perPrincipal.minutesPerDay", "minutes", true, true),
  /** {@code budgets.perPrincipal.concurrentSessions}. */
  PRINCIPAL_CONCURRENT("perPrincipal.concurrentSessions", "sessions", true, false),
  /** {@code budgets.global.minutesPerDay}. */
  GLOBAL_MINUTES("global.minutesPerDay", "minutes", false, true),
  /** {@code budgets.global.spendPerDay}. */
  GLOBAL_SPEND("global.spendPerDay", "currency", false, true);

  private final String setting;
  private final String unit;
  private final boolean perPrincipal;
  private final boolean daily;

  Budget(String setting, String unit, boolean perPrincipal, boolean daily) {
    this.setting = setting;
    this.unit = unit;
    this.perPrincipal = perPrincipal;
    this.daily = daily;
  }

  /** The setting below {@code budgets.}, e.g. {@code perPrincipal.minutesPerDay}. */
  public String setting() {
    return setting;
  }

  /** {@code sessions}, {@code minutes} or {@code currency}. */
  public String unit() {
    return unit;
  }

  /** Whether each principal has its own. */
  public boolean perPrincipal() {
    return perPrincipal;
  }

  /** Whether it starts again at each UTC midnight (else it frees when a session ends). */
  public boolean daily() {
    return daily;
  }
}
