package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/**
 * The recorder and the keeper on the real PostgreSQL: a new schema for each test, dropped
 * afterwards. Skipped without PostgreSQL (failed with {@code CI=true}); see {@link TestDatabases}.
 */
class PostgresLedgerRecorderTest extends LedgerRecorderContract {
  @Override
  LedgerConfig newConfig() {
    TestDatabases.assumePostgres(PostgresLedgerRecorderTest.class);
    return track(TestDatabases.newPostgresSchema()).config();
  }
}
