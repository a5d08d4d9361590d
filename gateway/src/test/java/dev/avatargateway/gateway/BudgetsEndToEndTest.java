package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budgets over real HTTP, against the embedded simulator: each kind refuses with 429 {@code
 * quota_exceeded}, names itself, its limit, its use and its reset, with {@code Retry-After}, and
 * starts nothing upstream; a settled session frees minutes; a new UTC day starts afresh; the use
 * survives a restart on the same ledger. The gateway's clock is moved, never waited for.
 */
class BudgetsEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /** Ten minutes before a UTC midnight. */
  private static final Instant START = Instant.parse("2030-06-01T23:50:00Z");

  private static final Instant MIDNIGHT = Instant.parse("2030-06-02T00:00:00Z");

  /** The user an embedded H2 database gets when none is named. */
  private static final String H2_USER = "sa";

  @TempDir Path temp;

  private final OffsetClock clock = OffsetClock.startingAt(START);
  private final List<GatewayHarness> gateways = new ArrayList<>();

  @AfterEach
  void close() {
    for (GatewayHarness gateway : gateways) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private GatewayHarness start(String budgets, String ledgerUrl) {
    GatewayHarness gateway =
        GatewayHarness.start(
            """
            runway:
              simulatedReadyAfter: 0ms
            budgets:
            """
                + budgets,
            Map.of("GATEWAY_LEDGER_URL", ledgerUrl),
            clock);
    gateways.add(gateway);
    return gateway;
  }

  private static String memoryLedger() {
    return "jdbc:h2:mem:budgets-e2e-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  private static void assertRefused(
      GatewayHarness.Response response, String budget, String limit, String used) {
    assertThat(response.status()).isEqualTo(429);
    assertThat(response.code()).isEqualTo("quota_exceeded");
    assertThat(response.json().path("budget").asString()).isEqualTo(budget);
    assertThat(response.json().path("limit").decimalValue()).isEqualByComparingTo(limit);
    assertThat(response.json().path("used").decimalValue()).isEqualByComparingTo(used);
    assertThat(response.json().path("requestId").asString()).isNotBlank();
    assertThat(response.json().path("error").asString()).contains(budget);
  }

  /** Ends a running call after {@code seconds} of simulated time, and lets the keeper see it. */
  private void endCall(GatewayHarness gateway, String sessionId, int seconds) {
    gateway.upstream().advanceClock(Duration.ofSeconds(seconds));
    gateway.upstream().endCall(sessionId);
    // Past the keeper's first status read (ledger.followInterval 30 s, ±20%).
    clock.advance(Duration.ofSeconds(40));
    gateway.app().core().keepBooksNow();
  }

  @Test
  void sessionsPerDayRefusesWithTheBudgetAndItsResetAndTheNextUtcDayStartsAfresh() {
    GatewayHarness gateway = start("  perPrincipal: {sessionsPerDay: 2}\n", memoryLedger());
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);

    GatewayHarness.Response refused = gateway.postJson(CONNECT, CAT);

    assertRefused(refused, "perPrincipal.sessionsPerDay", "2", "2");
    assertThat(refused.json().path("resetsAt").asString()).isEqualTo(MIDNIGHT.toString());
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, Duration.between(START, MIDNIGHT).toSeconds());
    // Refused before create: nothing upstream.
    assertThat(gateway.upstream().sessions()).hasSize(2);

    clock.advance(Duration.ofMinutes(11));
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);
  }

  @Test
  void minutesAreReservedAndASettledSessionFreesWhatItDidNotUse() {
    // Two sessions reserve 2 × 300 s (avatars.sessionDefaults.maxDuration) of 720 s.
    GatewayHarness gateway = start("  perPrincipal: {minutesPerDay: 12}\n", memoryLedger());
    String first = gateway.postJson(CONNECT, CAT).json().path("sessionId").asString();
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);

    GatewayHarness.Response refused = gateway.postJson(CONNECT, CAT);
    assertRefused(refused, "perPrincipal.minutesPerDay", "12", "10");
    assertThat(refused.json().path("requested").decimalValue()).isEqualByComparingTo("5");

    // The first call lasted 60 s: 60 + 300 used, and 300 more fit in 720.
    endCall(gateway, first, 60);
    // 60 s of simulated time, as Runway's record gives it in whole seconds (60 or 61, by where
    // the simulator's clock stood within its second at the consume), instead of 300 reserved.
    Usage usage = gateway.app().core().usage("anonymous");
    assertThat(usage.minutes()).isBetween(new BigDecimal("6.00"), new BigDecimal("6.02"));
    assertThat(usage.sessions()).isEqualTo(2);
    assertThat(usage.budget("perPrincipal.minutesPerDay").orElseThrow().remaining())
        .isEqualByComparingTo(new BigDecimal("12").subtract(usage.minutes()));

    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);
  }

  @Test
  void concurrentSessionsFreeWhenASessionEnds() {
    GatewayHarness gateway = start("  perPrincipal: {concurrentSessions: 1}\n", memoryLedger());
    String first = gateway.postJson(CONNECT, CAT).json().path("sessionId").asString();

    GatewayHarness.Response refused = gateway.postJson(CONNECT, CAT);

    assertRefused(refused, "perPrincipal.concurrentSessions", "1", "1");
    assertThat(refused.json().path("frees").asString()).isEqualTo("when_a_session_ends");
    assertThat(refused.json().has("resetsAt")).isFalse();
    assertThat(refused.header("Retry-After")).isEqualTo("30");

    endCall(gateway, first, 20);
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);
  }

  @Test
  void globalSpendRefusesEveryoneAndIsInTheMetrics() {
    // 1.00 at 0.20 a minute: one 5-minute session.
    GatewayHarness gateway =
        start("  global: {spendPerDay: 1.00}\n  pricePerMinute: 0.20\n", memoryLedger());
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);

    GatewayHarness.Response refused = gateway.postJson(CONNECT, CAT);

    assertRefused(refused, "global.spendPerDay", "1.00", "1.00");
    assertThat(refused.json().path("unit").asString()).isEqualTo("currency");
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics)
        .contains("avatar_gateway_budget_rejections_total{budget=\"global.spendPerDay\"} 1.0")
        .contains("avatar_gateway_budget_used{budget=\"global.spendPerDay\"} 1.0")
        .contains("avatar_gateway_budget_limit{budget=\"global.spendPerDay\"} 1.0")
        .doesNotContain("anonymous");
  }

  @Test
  void globalMinutesRefuse() {
    GatewayHarness gateway = start("  global: {minutesPerDay: 5}\n", memoryLedger());
    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);

    assertRefused(gateway.postJson(CONNECT, CAT), "global.minutesPerDay", "5", "5");
  }

  @Test
  void theBudgetStillHoldsAfterARestartOnTheSameLedger() {
    String url =
        "jdbc:h2:file:"
            + temp.resolve("ledger")
            + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=5000";
    GatewayHarness before = start("  perPrincipal: {sessionsPerDay: 1}\n", url);
    assertThat(before.postJson(CONNECT, CAT).status()).isEqualTo(200);
    gateways.remove(before);
    before.closeAssertingNothingLeaked();

    GatewayHarness after = start("  perPrincipal: {sessionsPerDay: 1}\n", url);

    assertRefused(after.postJson(CONNECT, CAT), "perPrincipal.sessionsPerDay", "1", "1");
    assertThat(after.upstream().sessions()).isEmpty();
  }

  @Test
  void withoutBudgetsAConnectWritesNoBudgetRow() throws SQLException {
    String url = memoryLedger();
    GatewayHarness gateway =
        GatewayHarness.start(
            "runway:\n  simulatedReadyAfter: 0ms\n", Map.of("GATEWAY_LEDGER_URL", url), clock);
    gateways.add(gateway);

    assertThat(gateway.postJson(CONNECT, CAT).status()).isEqualTo(200);

    try (Connection c = DriverManager.getConnection(url, H2_USER, "");
        Statement s = c.createStatement()) {
      for (String table : List.of("ledger_budget_scopes", "ledger_budget_reservations")) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          assertThat(rs.getLong(1)).as(table).isZero();
        }
      }
    }
  }
}
