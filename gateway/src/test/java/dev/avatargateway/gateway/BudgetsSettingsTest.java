package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.BudgetsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code budgets} section: bound strictly from YAML, checked, and listed in {@code --help}. */
class BudgetsSettingsTest {
  @TempDir Path temp;

  private GatewayConfig load(String yaml) throws IOException {
    Path file = Files.writeString(temp.resolve("gateway.yaml"), yaml);
    return ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FILE_ENV, file.toString())).config();
  }

  @Test
  void everyBudgetBindsFromYaml() throws IOException {
    BudgetsConfig budgets =
        load("""
                budgets:
                  perPrincipal:
                    sessionsPerDay: 20
                    minutesPerDay: 60
                    concurrentSessions: 2
                  global:
                    minutesPerDay: 3000
                    spendPerDay: 500.50
                  pricePerMinute: 0.25
                """)
            .budgets();

    assertThat(budgets.perPrincipal()).isEqualTo(new BudgetsConfig.PerPrincipal(20, 60, 2));
    assertThat(budgets.global().minutesPerDay()).isEqualTo(3000);
    assertThat(budgets.global().spendPerDay()).isEqualByComparingTo("500.5");
    assertThat(budgets.pricePerMinute()).isEqualByComparingTo("0.25");
    assertThat(budgets.limitsAnything()).isTrue();
  }

  @Test
  void anAbsentSectionLimitsNothing() throws IOException {
    BudgetsConfig budgets = load("runway:\n  mode: simulated\n").budgets();

    assertThat(budgets).isEqualTo(BudgetsConfig.defaults());
    assertThat(budgets.limitsAnything()).isFalse();
  }

  @Test
  void aMisspelledOrInvalidBudgetIsNamed() {
    assertThatThrownBy(() -> load("budgets:\n  perPrincipal:\n    minutesPerDy: 5\n"))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("budgets.perPrincipal.minutesPerDy"));
    assertThatThrownBy(
            () -> load("budgets:\n  perPrincipal:\n    sessionsPerDay: 0\n  pricePerMinute: -1\n"))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("budgets.perPrincipal.sessionsPerDay"))
        .hasMessageContaining("0 is not allowed");
    assertThatThrownBy(() -> load("budgets:\n  global:\n    spendPerDay: lots\n"))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("budgets.global.spendPerDay"));
  }

  @Test
  void theHelpListsEveryBudgetSetting() {
    String yaml = ConfigLoader.defaultsAsYaml();

    assertThat(yaml)
        .contains("budgets:")
        .contains("sessionsPerDay:")
        .contains("minutesPerDay:")
        .contains("concurrentSessions:")
        .contains("spendPerDay:")
        .contains("pricePerMinute: 0.2");
  }
}
