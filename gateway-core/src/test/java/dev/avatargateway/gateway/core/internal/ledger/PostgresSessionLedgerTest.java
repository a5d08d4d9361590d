package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ledger's contract on the real PostgreSQL: a new schema for each test, dropped afterwards.
 * Skipped without PostgreSQL (failed with {@code CI=true}); see {@link TestDatabases}.
 */
class PostgresSessionLedgerTest extends SessionLedgerContract {
  private TestDatabases.PostgresSchema schema;

  @Override
  LedgerConfig newConfig() {
    TestDatabases.assumePostgres(PostgresSessionLedgerTest.class);
    schema = track(TestDatabases.newPostgresSchema());
    return schema.config();
  }

  @Test
  void createsItsSchemaAndTheTestDropsIt() throws Exception {
    assertThat(schema.exists()).isTrue();
    assertThat(database.kind()).isEqualTo(LedgerUrls.Kind.POSTGRESQL);

    database.close();
    schema.close();

    assertThat(schema.exists()).isFalse();
  }

  @Test
  void migratesIntoASchemaThatAlreadyHoldsOtherTables() throws Exception {
    // An operator's database, shared with another application.
    try (TestDatabases.PostgresSchema shared = TestDatabases.newPostgresSchema()) {
      shared.execute(
          "CREATE SCHEMA " + shared.name(),
          "CREATE TABLE " + shared.name() + ".orders (id INTEGER PRIMARY KEY)");

      try (LedgerDatabase opened = LedgerDatabase.open(shared.config())) {
        assertThat(opened.schemaVersion()).isEqualTo(TestDatabases.migrationVersions().getLast());
        JdbcSessionLedger other = ledgerOf(opened, "run-x");
        String id = pending(other, T0);
        assertThat(other.list(Set.of(SessionState.PENDING), 10)).hasSize(1);
        assertThat(other.find(id)).isPresent();
      }
    }
  }
}
