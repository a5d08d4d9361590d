package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger on a DataSource the application owns ({@link GatewayCore.Builder#ledgerDataSource}):
 * the core migrates it, writes its rows through it, ignores the connection settings of {@code
 * ledger.*}, and leaves it open, with its connections as they were, when it closes. On the real
 * PostgreSQL (a schema of its own, through the application's HikariCP pool) and on H2 in memory,
 * against the simulator over real HTTP.
 */
class LedgerDataSourceTest {
  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build());
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose.reversed()) {
      closeable.close();
    }
    simulator.close();
  }

  @Test
  void onTheApplicationsPostgresqlPoolTheLedgerMigratesWritesAndLeavesThePoolOpen()
      throws Exception {
    TestDatabases.assumePostgres(LedgerDataSourceTest.class);
    TestDatabases.PostgresSchema schema = track(TestDatabases.newPostgresSchema());
    LedgerConfig own = schema.config();
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(own.url());
    hikari.setUsername(own.username());
    hikari.setPassword(own.password());
    hikari.setMaximumPoolSize(2);
    // The application's pool: auto-commit on (HikariCP's default), the default schema.
    HikariDataSource application = track(new HikariDataSource(hikari));

    GatewayCore core =
        GatewayCore.builder(runway())
            .simulatedUpstream(true)
            // Connection settings the DataSource replaces: neither used nor validated.
            .ledger(withConnectionSettings(schema.name(), "jdbc:mysql://nowhere/ledger", 0))
            .ledgerDataSource(application)
            .build();
    String sessionId;
    try {
      sessionId = core.connect(request()).sessionId();
      assertThat(core.ledgerForTests().findByUpstreamId(sessionId).orElseThrow().state())
          .isEqualTo(SessionState.CONSUMED);
    } finally {
      core.close();
    }

    assertThat(application.isClosed()).isFalse();
    assertThat(
            query(
                application,
                "SELECT count(*) FROM "
                    + schema.name()
                    + ".ledger_schema_history WHERE success AND version IS NOT NULL"))
        .isEqualTo(String.valueOf(TestDatabases.migrationVersions().size()));
    assertThat(
            query(
                application,
                "SELECT principal_name FROM "
                    + schema.name()
                    + ".ledger_sessions WHERE upstream_id = '"
                    + sessionId
                    + "'"))
        .isEqualTo(Principal.ANONYMOUS);
    // The pool's connections came back as the application set them up.
    for (int i = 0; i < hikari.getMaximumPoolSize(); i++) {
      try (Connection c = application.getConnection()) {
        assertThat(c.getAutoCommit()).isTrue();
        assertThat(c.getSchema()).isEqualTo("public");
      }
    }
  }

  @Test
  void onAnH2DataSourceInMemoryTheLedgerMigratesWritesAndLeavesTheConnectionsAsTheyWere()
      throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    // Kept while the JVM runs: the raw H2 DataSource opens a new connection for every borrow.
    h2.setURL("jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    h2.setUser("sa");
    DataSource application = h2;

    GatewayCore core =
        GatewayCore.builder(runway())
            .simulatedUpstream(true)
            .ledger(withConnectionSettings("books", "jdbc:h2:file:relative/not-allowed", 0))
            .ledgerDataSource(application)
            .build();
    String sessionId;
    try {
      sessionId = core.connect(request()).sessionId();
    } finally {
      core.close();
    }

    assertThat(
            query(
                application,
                "SELECT principal_name FROM \"books\".ledger_sessions WHERE upstream_id = '"
                    + sessionId
                    + "'"))
        .isEqualTo(Principal.ANONYMOUS);
    assertThat(query(application, "SELECT count(*) FROM \"books\".\"ledger_schema_history\""))
        .isNotEqualTo("0");
    // Every connection the ledger borrowed was closed: only this query's is open.
    assertThat(query(application, "SELECT count(*) FROM INFORMATION_SCHEMA.SESSIONS"))
        .isEqualTo("1");
    try (Connection c = application.getConnection()) {
      assertThat(c.getSchema()).isEqualTo("PUBLIC");
    }
  }

  /** The ledger's defaults in {@code schema}, with connection settings no ledger could use. */
  private static LedgerConfig withConnectionSettings(String schema, String url, int maxPoolSize) {
    return new LedgerConfig(
        url,
        "nobody",
        "no-password",
        schema,
        maxPoolSize,
        Duration.ofMillis(1),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static String query(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    toClose.add(resource);
    return resource;
  }

  private RunwayClient runway() {
    return RunwayClient.builder()
        .apiKey(SimulatorConfig.DEFAULT_API_KEY)
        .baseUrl(simulator.baseUrl())
        .build();
  }

  private static ConnectRequest request() {
    return new ConnectRequest(
        "req-data-source",
        name -> Optional.empty(),
        "127.0.0.1",
        List.of(),
        () -> new AvatarChoice(Optional.of("cat-character"), Optional.empty()),
        ClientPresence.UNKNOWN);
  }
}
