package dev.avatargateway.gateway.core;

import java.math.BigDecimal;

/**
 * Server-enforced budgets on paid sessions (YAML section {@code budgets}; docs/budgets.md). Every
 * budget is off while unset (absent or null): an absent section limits nothing, and then the
 * connect path does no budget work at all. Days are UTC days; a session counts for the day it was
 * accepted. A connect over a budget is refused with 429 {@code quota_exceeded} before anything is
 * created.
 *
 * <p>Zero is not a valid budget: elsewhere in the configuration 0 switches a limit off ({@code
 * rateLimit}), here it could as well mean "nothing allowed", and either reading taken by mistake
 * costs money or stops the service. Leave a budget unset for no limit; to stop all new sessions,
 * take the gateway out of service.
 *
 * @param perPrincipal budgets of each authenticated principal (anonymous callers share the one
 *     principal {@code anonymous})
 * @param global budgets of the whole gateway (all instances sharing the ledger together)
 * @param pricePerMinute what one minute of a session costs, in the currency of {@code
 *     global.spendPerDay} (default 0.20: {@code gwm1_avatars} costs 2 credits per 6 seconds, 1
 *     credit = $0.01, per Runway's help centre; runway-api-additions.md "Price and limits")
 */
public record BudgetsConfig(PerPrincipal perPrincipal, Global global, BigDecimal pricePerMinute) {
  private static final String SECTION = "budgets";

  /** $0.20 a minute (runway-api-additions.md, "Price and limits"). */
  public static final BigDecimal DEFAULT_PRICE_PER_MINUTE = new BigDecimal("0.20");

  /**
   * The most minutes a day a budget may name: a day's 1,440 minutes for each of 1,000 sessions at
   * once, far beyond Runway's highest tier (20 concurrent sessions, runway-api-additions.md); a
   * larger value is a typo, not a limit.
   */
  private static final long MAX_MINUTES_PER_DAY = 24 * 60 * 1000L;

  /** Fills absent parts: no budget, the default price. */
  public BudgetsConfig {
    if (perPrincipal == null) {
      perPrincipal = new PerPrincipal(null, null, null);
    }
    if (global == null) {
      global = new Global(null, null);
    }
    if (pricePerMinute == null) {
      pricePerMinute = DEFAULT_PRICE_PER_MINUTE;
    }
    // 0.20 and 0.2 are the same price: the configuration reads back equal from its own YAML.
    pricePerMinute = plain(pricePerMinute);
    if (global.spendPerDay() != null) {
      global = new Global(global.minutesPerDay(), plain(global.spendPerDay()));
    }
  }

  /** Without trailing zeros, and never in exponent form (100, not 1E+2). */
  private static BigDecimal plain(BigDecimal amount) {
    return new BigDecimal(amount.stripTrailingZeros().toPlainString());
  }

  /** No budget at all. */
  public static BudgetsConfig defaults() {
    return new BudgetsConfig(null, null, null);
  }

  /** Whether any budget is set (otherwise connects do no budget work). */
  public boolean limitsAnything() {
    return perPrincipal.limitsAnything() || global.limitsAnything();
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code
   *     budgets.perPrincipal.minutesPerDay}
   */
  public void validate() {
    requirePositive("perPrincipal.sessionsPerDay", perPrincipal.sessionsPerDay(), Long.MAX_VALUE);
    requirePositive(
        "perPrincipal.minutesPerDay", perPrincipal.minutesPerDay(), MAX_MINUTES_PER_DAY);
    requirePositive(
        "perPrincipal.concurrentSessions", perPrincipal.concurrentSessions(), Long.MAX_VALUE);
    requirePositive("global.minutesPerDay", global.minutesPerDay(), MAX_MINUTES_PER_DAY);
    if (global.spendPerDay() != null && global.spendPerDay().signum() <= 0) {
      throw new ConfigException(
          SECTION + ".global.spendPerDay",
          "must be an amount above 0, such as 50.00 (leave it unset for no limit), was "
              + global.spendPerDay().toPlainString());
    }
    if (pricePerMinute.signum() <= 0) {
      throw new ConfigException(
          SECTION + ".pricePerMinute",
          "must be an amount above 0, such as "
              + DEFAULT_PRICE_PER_MINUTE.toPlainString()
              + ", was "
              + pricePerMinute.toPlainString());
    }
  }

  private static void requirePositive(String name, Integer value, long max) {
    if (value == null) {
      return;
    }
    if (value < 1 || value > max) {
      throw new ConfigException(
          SECTION + "." + name,
          "must be a whole number of at least 1"
              + (max < Integer.MAX_VALUE ? " and at most " + max : "")
              + " (leave it unset for no limit; 0 is not allowed, see docs/budgets.md), was "
              + value);
    }
  }

  /**
   * Budgets of each principal.
   *
   * @param sessionsPerDay sessions a principal may start in a UTC day (sessions that were never
   *     created, such as a create Runway refused, do not count); unset for no limit
   * @param minutesPerDay session minutes a principal may use in a UTC day: each session reserves
   *     its {@code maxDuration} when it starts and is settled at its real duration when it ends;
   *     unset for no limit
   * @param concurrentSessions upstream sessions a principal may have live at once (created or being
   *     created, and not ended; not the connects waiting in the gateway, see {@code
   *     rateLimit.maxConcurrentConnectsPerPrincipal}); unset for no limit
   */
  public record PerPrincipal(
      Integer sessionsPerDay, Integer minutesPerDay, Integer concurrentSessions) {
    /** Whether any of these is set. */
    public boolean limitsAnything() {
      return sessionsPerDay != null || minutesPerDay != null || concurrentSessions != null;
    }
  }

  /**
   * Budgets of the whole gateway.
   *
   * @param minutesPerDay session minutes all principals together may use in a UTC day; unset for no
   *     limit
   * @param spendPerDay what all sessions of a UTC day may cost together, in currency: minutes times
   *     {@code pricePerMinute}; unset for no limit
   */
  public record Global(Integer minutesPerDay, BigDecimal spendPerDay) {
    /** Whether any of these is set. */
    public boolean limitsAnything() {
      return minutesPerDay != null || spendPerDay != null;
    }
  }
}
