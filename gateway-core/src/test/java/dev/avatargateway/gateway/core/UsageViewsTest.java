package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Today's use as every adapter answers it (docs/budgets.md, "Reading the use"): the members in
 * their documented order, and the admins' {@code limit} as a request names it.
 */
class UsageViewsTest {
  private static final LocalDate DAY = LocalDate.parse("2030-06-01");
  private static final Instant MIDNIGHT = Instant.parse("2030-06-02T00:00:00Z");

  @Test
  void aPrincipalsUseIsItsMembersInTheDocumentedOrder() {
    Usage alice =
        new Usage(
            Optional.of("alice"),
            DAY,
            MIDNIGHT,
            2,
            new BigDecimal("10.00"),
            new BigDecimal("2.00"),
            1,
            List.of(
                new BudgetUse(
                    "perPrincipal.minutesPerDay",
                    "minutes",
                    new BigDecimal("60"),
                    new BigDecimal("10.00"),
                    new BigDecimal("50.00"),
                    Optional.of(MIDNIGHT)),
                new BudgetUse(
                    "perPrincipal.concurrentSessions",
                    "sessions",
                    BigDecimal.ONE,
                    BigDecimal.ONE,
                    BigDecimal.ZERO,
                    Optional.empty())));

    assertThat(JsonAnswers.json(JsonAnswers.usage(alice)))
        .isEqualTo(
            "{\"principal\":\"alice\",\"day\":\"2030-06-01\",\"resetsAt\":\"2030-06-02T00:00:00Z\","
                + "\"sessions\":2,\"minutes\":10.00,\"spend\":2.00,\"liveSessions\":1,"
                + "\"budgets\":[{\"budget\":\"perPrincipal.minutesPerDay\",\"unit\":\"minutes\","
                + "\"limit\":60,\"used\":10.00,\"remaining\":50.00,"
                + "\"resetsAt\":\"2030-06-02T00:00:00Z\"},"
                + "{\"budget\":\"perPrincipal.concurrentSessions\",\"unit\":\"sessions\","
                + "\"limit\":1,\"used\":1,\"remaining\":0,\"resetsAt\":null}]}");
  }

  @Test
  void theOverviewIsTheGatewaysUseWithNoPrincipalThenEachPrincipalsInOrder() {
    Usage global = use(Optional.empty(), 3);
    UsageOverview overview =
        new UsageOverview(global, List.of(use(Optional.of("bob"), 2), use(Optional.of("al"), 1)));

    String json = JsonAnswers.json(JsonAnswers.usageOverview(overview));

    assertThat(json)
        .startsWith("{\"global\":{\"principal\":null,\"day\":\"2030-06-01\"")
        .contains("\"budgets\":[]},\"principals\":[{\"principal\":\"bob\"")
        .containsSubsequence("\"principal\":\"bob\"", "\"principal\":\"al\"");
  }

  @Test
  void theAdminsLimitIsTheDefaultWhenAbsentANumberOtherwiseAndRefusedWhenNotOne() {
    assertThat(Sessions.usagePrincipals(Optional.empty()))
        .isEqualTo(Sessions.DEFAULT_USAGE_PRINCIPALS);
    assertThat(Sessions.usagePrincipals(Optional.of(" 7 "))).isEqualTo(7);
    // Out of range is the overview's to refuse, not the parser's.
    assertThat(Sessions.usagePrincipals(Optional.of("0"))).isZero();

    GatewayException many =
        catchThrowableOfType(
            GatewayException.class, () -> Sessions.usagePrincipals(Optional.of("many")));

    assertThat(many.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(many.getMessage()).isEqualTo("limit must be a number from 1 to 1000");
  }

  private static Usage use(Optional<String> principal, long sessions) {
    return new Usage(
        principal, DAY, MIDNIGHT, sessions, BigDecimal.ZERO, BigDecimal.ZERO, 0, List.of());
  }
}
