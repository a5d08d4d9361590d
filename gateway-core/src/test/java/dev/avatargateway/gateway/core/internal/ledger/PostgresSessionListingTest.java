package dev.avatargateway.gateway.core.internal.ledger;

import dev.avatargateway.gateway.core.LedgerConfig;

/** The listings on the real PostgreSQL, a schema of its own per test. */
class PostgresSessionListingTest extends SessionListingContract {
  @Override
  LedgerConfig newConfig() {
    TestDatabases.assumePostgres(PostgresSessionListingTest.class);
    return track(TestDatabases.newPostgresSchema()).config();
  }
}
