package dev.avatargateway.gateway.core.internal.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.BudgetsConfig;
import dev.avatargateway.gateway.core.ConfigException;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The {@code budgets} section's defaults and checks. */
class BudgetsConfigTest {
  @Test
  void theDefaultsLimitNothingAtRunwaysPrice() {
    BudgetsConfig defaults = BudgetsConfig.defaults();

    defaults.validate();
    assertThat(defaults.limitsAnything()).isFalse();
    assertThat(defaults.pricePerMinute()).isEqualByComparingTo("0.20");
  }

  @Test
  void anyOneBudgetLimits() {
    assertThat(
            new BudgetsConfig(new BudgetsConfig.PerPrincipal(null, null, 1), null, null)
                .limitsAnything())
        .isTrue();
    assertThat(
            new BudgetsConfig(null, new BudgetsConfig.Global(null, BigDecimal.ONE), null)
                .limitsAnything())
        .isTrue();
  }

  @Test
  void zeroAndNegativeBudgetsAreRefusedByName() {
    assertProblem(
        new BudgetsConfig(new BudgetsConfig.PerPrincipal(0, null, null), null, null),
        "budgets.perPrincipal.sessionsPerDay",
        "0 is not allowed");
    assertProblem(
        new BudgetsConfig(new BudgetsConfig.PerPrincipal(null, -5, null), null, null),
        "budgets.perPrincipal.minutesPerDay",
        "was -5");
    assertProblem(
        new BudgetsConfig(new BudgetsConfig.PerPrincipal(null, null, 0), null, null),
        "budgets.perPrincipal.concurrentSessions",
        "at least 1");
    assertProblem(
        new BudgetsConfig(null, new BudgetsConfig.Global(0, null), null),
        "budgets.global.minutesPerDay",
        "at least 1");
    assertProblem(
        new BudgetsConfig(null, new BudgetsConfig.Global(null, BigDecimal.ZERO), null),
        "budgets.global.spendPerDay",
        "above 0");
    assertProblem(
        new BudgetsConfig(null, null, new BigDecimal("-0.20")),
        "budgets.pricePerMinute",
        "above 0");
  }

  @Test
  void minutesBeyondAnyRealDayAreATypo() {
    assertProblem(
        new BudgetsConfig(null, new BudgetsConfig.Global(1_440_001, null), null),
        "budgets.global.minutesPerDay",
        "at most 1440000");
  }

  private static void assertProblem(BudgetsConfig config, String setting, String text) {
    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageContaining(text);
  }
}
