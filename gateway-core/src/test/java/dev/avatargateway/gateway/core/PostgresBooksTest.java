package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/** The books on the real PostgreSQL, each test in a schema of its own. */
class PostgresBooksTest extends BooksContract {
  @Override
  LedgerConfig ledger() {
    TestDatabases.assumePostgres(PostgresBooksTest.class);
    // Dropped after the gateways on it are closed.
    return track(TestDatabases.newPostgresSchema()).config();
  }
}
