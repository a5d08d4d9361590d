package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/avatar/usage} and {@code GET /api/admin/usage} over real HTTP, against the
 * embedded simulator and a ledger: a caller sees its own use and its own budgets only (never the
 * gateway's global spend), an admin sees the global budgets and every principal's use. The
 * gateway's clock is fixed, so the UTC day is known.
 */
class UsageEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final Instant START = Instant.parse("2030-06-01T12:00:00Z");

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String bobKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String adminKey = TestIdentityProvider.randomSecret("adm_", 24);
  private final OffsetClock clock = OffsetClock.startingAt(START);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  /** Sessions reserve 300 s each (avatars.sessionDefaults.maxDuration). */
  private void start(String budgets) {
    gateway =
        GatewayHarness.start(
            "runway:\n  simulatedReadyAfter: 0ms\n"
                + "auth:\n  mode: api-key\n  apiKeys:\n"
                + ("    - {name: alice, key: " + aliceKey + "}\n")
                + ("    - {name: bob, key: " + bobKey + "}\n")
                + ("  admin:\n    apiKeys:\n      - {name: ops, key: " + adminKey + "}\n")
                + budgets,
            Map.of(
                "GATEWAY_LEDGER_URL",
                "jdbc:h2:mem:usage-e2e-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"),
            clock);
  }

  private static final String BUDGETS =
      "budgets:\n"
          + "  perPrincipal: {sessionsPerDay: 5, minutesPerDay: 60, concurrentSessions: 3}\n"
          + "  global: {minutesPerDay: 600, spendPerDay: 100}\n";

  private JsonNode usage(String key) {
    GatewayHarness.Response answer = gateway.get("/api/avatar/usage", "X-Api-Key", key);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  private static List<String> budgetNames(JsonNode usage) {
    List<String> names = new ArrayList<>();
    usage.path("budgets").forEach(b -> names.add(b.path("budget").asString()));
    return names;
  }

  private static JsonNode budget(JsonNode usage, String name) {
    for (JsonNode b : usage.path("budgets")) {
      if (b.path("budget").asString().equals(name)) {
        return b;
      }
    }
    throw new AssertionError("no budget " + name + " in " + usage);
  }

  @Test
  void aCallerSeesItsOwnUseAndOnlyItsOwnBudgets() {
    start(BUDGETS);
    for (int i = 0; i < 2; i++) {
      assertThat(gateway.postJson(CONNECT, CAT, "X-Api-Key", aliceKey).status()).isEqualTo(200);
    }

    JsonNode alice = usage(aliceKey);

    assertThat(alice.path("principal").asString()).isEqualTo("alice");
    assertThat(alice.path("day").asString()).isEqualTo("2030-06-01");
    assertThat(alice.path("resetsAt").asString()).isEqualTo("2030-06-02T00:00:00Z");
    assertThat(alice.path("sessions").asLong()).isEqualTo(2);
    assertThat(alice.path("minutes").decimalValue()).isEqualByComparingTo("10");
    assertThat(alice.path("liveSessions").asInt()).isEqualTo(2);
    // The global budgets would tell the whole gateway's spend: not shown to a caller.
    assertThat(budgetNames(alice))
        .containsExactlyInAnyOrder(
            "perPrincipal.sessionsPerDay",
            "perPrincipal.minutesPerDay",
            "perPrincipal.concurrentSessions");
    JsonNode minutes = budget(alice, "perPrincipal.minutesPerDay");
    assertThat(minutes.path("unit").asString()).isEqualTo("minutes");
    assertThat(minutes.path("limit").decimalValue()).isEqualByComparingTo("60");
    assertThat(minutes.path("used").decimalValue()).isEqualByComparingTo("10");
    assertThat(minutes.path("remaining").decimalValue()).isEqualByComparingTo("50");
    assertThat(minutes.path("resetsAt").asString()).isEqualTo("2030-06-02T00:00:00Z");
    JsonNode concurrent = budget(alice, "perPrincipal.concurrentSessions");
    assertThat(concurrent.path("remaining").decimalValue()).isEqualByComparingTo("1");
    assertThat(concurrent.path("resetsAt").isNull()).isTrue();
    assertThat(budget(alice, "perPrincipal.sessionsPerDay").path("remaining").decimalValue())
        .isEqualByComparingTo("3");

    // Bob's day is his own.
    JsonNode bob = usage(bobKey);
    assertThat(bob.path("principal").asString()).isEqualTo("bob");
    assertThat(bob.path("sessions").asLong()).isZero();
    assertThat(budget(bob, "perPrincipal.minutesPerDay").path("remaining").decimalValue())
        .isEqualByComparingTo("60");
  }

  @Test
  void anAdminSeesTheGlobalBudgetsAndEveryPrincipal() {
    start(BUDGETS);
    assertThat(gateway.postJson(CONNECT, CAT, "X-Api-Key", aliceKey).status()).isEqualTo(200);
    assertThat(gateway.postJson(CONNECT, CAT, "X-Api-Key", aliceKey).status()).isEqualTo(200);
    assertThat(gateway.postJson(CONNECT, CAT, "X-Api-Key", bobKey).status()).isEqualTo(200);

    GatewayHarness.Response answer = gateway.get("/api/admin/usage", "X-Api-Key", adminKey);

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode global = answer.json().path("global");
    assertThat(global.path("principal").isNull()).isTrue();
    assertThat(global.path("sessions").asLong()).isEqualTo(3);
    assertThat(budgetNames(global))
        .containsExactlyInAnyOrder("global.minutesPerDay", "global.spendPerDay");
    // 3 × 5 minutes at the default 0.20 a minute.
    assertThat(budget(global, "global.spendPerDay").path("used").decimalValue())
        .isEqualByComparingTo("3");
    JsonNode principals = answer.json().path("principals");
    assertThat(principals).hasSize(2);
    assertThat(principals.get(0).path("principal").asString()).isEqualTo("alice");
    assertThat(principals.get(0).path("minutes").decimalValue()).isEqualByComparingTo("10");
    assertThat(principals.get(1).path("principal").asString()).isEqualTo("bob");
    assertThat(budgetNames(principals.get(1))).allMatch(name -> name.startsWith("perPrincipal."));

    GatewayHarness.Response one = gateway.get("/api/admin/usage?limit=1", "X-Api-Key", adminKey);
    assertThat(one.json().path("principals")).hasSize(1);
  }

  @Test
  void theAdminUsageTakesAdminCredentialsAndAValidLimit() {
    start(BUDGETS);

    assertThat(gateway.get("/api/admin/usage", "X-Api-Key", aliceKey).code())
        .isEqualTo("unauthenticated");
    assertThat(gateway.get("/api/admin/usage").status()).isEqualTo(401);
    assertThat(gateway.get("/api/avatar/usage").status()).isEqualTo(401);
    for (String limit : List.of("0", "1001", "many")) {
      GatewayHarness.Response refused =
          gateway.get("/api/admin/usage?limit=" + limit, "X-Api-Key", adminKey);
      assertThat(refused.status()).as(limit).isEqualTo(400);
      assertThat(refused.code()).isEqualTo("invalid_request");
    }
  }

  @Test
  void withoutBudgetsTheUseIsShownWithNoBudgets() {
    start("");
    assertThat(gateway.postJson(CONNECT, CAT, "X-Api-Key", aliceKey).status()).isEqualTo(200);

    JsonNode alice = usage(aliceKey);

    assertThat(alice.path("budgets")).isEmpty();
    assertThat(alice.path("liveSessions").asInt()).isEqualTo(1);
  }
}
