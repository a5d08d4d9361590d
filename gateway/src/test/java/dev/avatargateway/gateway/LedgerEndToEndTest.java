package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The books seen from outside: each connect leaves a row in the ledger database named by {@code
 * GATEWAY_LEDGER_URL}, read here with plain JDBC; and a ledger that cannot record refuses new
 * sessions instead of starting ones the books would not know about.
 */
class LedgerEndToEndTest {
  /** The user the ledger gives an embedded H2 database that names none (H2's own default). */
  private static final String H2_USER = "sa";

  private final String url = "jdbc:h2:mem:ledger-e2e-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private final GatewayHarness gateway =
      GatewayHarness.start(
          """
          runway:
            simulatedReadyAfter: 0ms
          """,
          Map.of("GATEWAY_LEDGER_URL", url));

  @AfterEach
  void close() {
    gateway.closeAssertingNothingLeaked();
  }

  @Test
  void aConnectIsARowWithItsRequestIdAndUpstreamSession() throws SQLException {
    GatewayHarness.Response response =
        gateway.postJson(
            "/api/avatar/connect", "{\"avatarId\":\"cat-character\"}", "X-Request-Id", "req-e2e-1");
    assertThat(response.status()).isEqualTo(200);
    String sessionId = response.json().path("sessionId").asString();

    try (Connection connection = DriverManager.getConnection(url, H2_USER, "");
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT state, request_id, avatar_id, principal_name, upstream_requests"
                    + " FROM ledger_sessions WHERE upstream_id = '"
                    + sessionId
                    + "'")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString("state")).isEqualTo("consumed");
      assertThat(row.getString("request_id")).isEqualTo("req-e2e-1");
      assertThat(row.getString("avatar_id")).isEqualTo("cat-character");
      assertThat(row.getString("principal_name")).isEqualTo("anonymous");
      assertThat(row.getInt("upstream_requests")).isGreaterThanOrEqualTo(3);
      assertThat(row.next()).isFalse();
    }
  }

  @Test
  void aLedgerThatCannotRecordRefusesNewSessionsAndStartsNone() throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, H2_USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE ledger_sessions");
    }

    GatewayHarness.Response response =
        gateway.postJson("/api/avatar/connect", "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.code()).isEqualTo("ledger_unavailable");
    assertThat(response.header("Retry-After")).isNotNull();
    assertThat(response.body()).doesNotContain("ledger_sessions").doesNotContain("jdbc:");
    assertThat(gateway.upstream().sessions()).isEmpty();
  }
}
