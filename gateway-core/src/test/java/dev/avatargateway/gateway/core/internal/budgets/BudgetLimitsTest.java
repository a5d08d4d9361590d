package dev.avatargateway.gateway.core.internal.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.BudgetUse;
import dev.avatargateway.gateway.core.BudgetsConfig;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The budgets' arithmetic: exact limits, rounding, the order of checks and the refusal's answer.
 */
class BudgetLimitsTest {
  private static final Instant NOON = Instant.parse("2030-03-04T12:00:00Z");

  private static BudgetLimits limits(
      Integer sessions, Integer minutes, Integer concurrent, Integer globalMinutes, String spend) {
    BudgetsConfig config =
        new BudgetsConfig(
            new BudgetsConfig.PerPrincipal(sessions, minutes, concurrent),
            new BudgetsConfig.Global(globalMinutes, spend == null ? null : new BigDecimal(spend)),
            null);
    config.validate();
    return new BudgetLimits(config);
  }

  private static BudgetLimits.Observed principal(long sessions, long seconds, int live) {
    return new BudgetLimits.Observed(sessions, seconds, live, 0);
  }

  @Test
  void aSessionFitsWhenTheUseAfterItIsAtMostTheLimit() {
    BudgetLimits limits = limits(null, 10, null, null, null);

    assertThat(limits.check(principal(1, 300, 0), 300)).isEmpty();
    assertThat(limits.check(principal(1, 301, 0), 300))
        .hasValueSatisfying(
            refusal -> {
              assertThat(refusal.budget()).isEqualTo(Budget.PRINCIPAL_MINUTES);
              assertThat(refusal.used()).isEqualByComparingTo("5.02");
              assertThat(refusal.requested()).isEqualByComparingTo("5");
            });
  }

  @Test
  void sessionsAndConcurrencyCountOneMore() {
    BudgetLimits limits = limits(3, null, 2, null, null);

    assertThat(limits.check(principal(2, 0, 1), 300)).isEmpty();
    assertThat(limits.check(principal(3, 0, 0), 300).orElseThrow().budget())
        .isEqualTo(Budget.PRINCIPAL_SESSIONS);
    assertThat(limits.check(principal(0, 0, 2), 300).orElseThrow().budget())
        .isEqualTo(Budget.PRINCIPAL_CONCURRENT);
  }

  @Test
  void aDailyBudgetIsReportedBeforeTheConcurrencyCapWhenBothAreFull() {
    BudgetLimits limits = limits(1, null, 1, null, null);

    assertThat(limits.check(principal(1, 0, 1), 300).orElseThrow().budget())
        .isEqualTo(Budget.PRINCIPAL_SESSIONS);
  }

  @Test
  void spendIsSecondsTimesThePricePerMinuteComparedExactly() {
    // 0.20 a minute, 1.00 a day: exactly 300 s.
    BudgetLimits limits = limits(null, null, null, null, "1.00");

    assertThat(limits.check(new BudgetLimits.Observed(0, 0, 0, 200), 100)).isEmpty();
    BudgetLimits.Refusal refusal =
        limits.check(new BudgetLimits.Observed(0, 0, 0, 200), 101).orElseThrow();
    assertThat(refusal.budget()).isEqualTo(Budget.GLOBAL_SPEND);
    // 200 s = 0.666... rounded up to cents.
    assertThat(refusal.used()).isEqualByComparingTo("0.67");
    assertThat(refusal.limit()).isEqualByComparingTo("1.00");
  }

  @Test
  void minutesAndSpendAreRoundedUpToCents() {
    BudgetLimits limits = limits(null, null, null, null, "5");

    assertThat(BudgetLimits.minutes(1)).isEqualByComparingTo("0.02");
    assertThat(BudgetLimits.minutes(90)).isEqualByComparingTo("1.50");
    assertThat(limits.spend(1)).isEqualByComparingTo("0.01");
    assertThat(limits.spend(600)).isEqualByComparingTo("2.00");
  }

  @Test
  void runwaysDefaultMaxDurationIsReservedWhenTheTemplateSetsNone() {
    assertThat(BudgetLimits.reserveSeconds(null)).isEqualTo(300);
    assertThat(BudgetLimits.reserveSeconds(45)).isEqualTo(45);
  }

  @Test
  void usesListEveryConfiguredBudgetWithWhatIsLeftNeverBelowZero() {
    BudgetLimits limits = limits(4, 10, 2, 100, null);
    Instant midnight = Instant.parse("2030-03-05T00:00:00Z");

    List<BudgetUse> uses =
        limits.uses(new BudgetLimits.Observed(5, 90, 1, 7200), true, true, midnight);

    assertThat(uses)
        .extracting(BudgetUse::budget)
        .containsExactly(
            "perPrincipal.sessionsPerDay",
            "perPrincipal.minutesPerDay",
            "perPrincipal.concurrentSessions",
            "global.minutesPerDay");
    assertThat(uses.get(0).remaining()).isEqualByComparingTo("0");
    assertThat(uses.get(1).remaining()).isEqualByComparingTo("8.50");
    assertThat(uses.get(2).resetsAt()).isEmpty();
    assertThat(uses.get(3).used()).isEqualByComparingTo("120");
    assertThat(uses.get(3).resetsAt()).contains(midnight);
  }

  @Test
  void theRefusalNamesTheBudgetAndResetsAtTheNextUtcMidnight() {
    GatewayException e =
        BudgetCheck.refuse(
            new BudgetLimits.Refusal(
                Budget.PRINCIPAL_MINUTES,
                BigDecimal.TEN,
                new BigDecimal("9.50"),
                new BigDecimal("5.00")),
            NOON);

    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    assertThat(e.code().status()).isEqualTo(429);
    assertThat(e.details())
        .containsEntry("budget", "perPrincipal.minutesPerDay")
        .containsEntry("resetsAt", "2030-03-05T00:00:00Z");
    assertThat(e.retryAfter()).contains(Duration.ofHours(12));
    assertThat(e.getMessage()).contains("perPrincipal.minutesPerDay").doesNotContain("null");
  }

  @Test
  void theWarningShareCountsTheReservation() {
    BudgetLimits limits = limits(10, 10, null, null, "2.00");

    assertThat(limits.fraction(Budget.PRINCIPAL_SESSIONS, principal(8, 0, 0))).isEqualTo(0.8);
    assertThat(limits.fraction(Budget.PRINCIPAL_MINUTES, principal(0, 480, 0))).isEqualTo(0.8);
    assertThat(limits.fraction(Budget.GLOBAL_SPEND, new BudgetLimits.Observed(0, 0, 0, 480)))
        .isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void budgetDaysAreUtcDays() {
    assertThat(BudgetDays.dayOf(Instant.parse("2030-03-04T23:59:59.999Z")))
        .hasToString("2030-03-04");
    assertThat(BudgetDays.resetsAt(Instant.parse("2030-03-04T00:00:00Z")))
        .isEqualTo(Instant.parse("2030-03-05T00:00:00Z"));
  }
}
