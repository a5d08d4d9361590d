package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/**
 * The idempotency store's contract on the real PostgreSQL: a schema of its own for each test,
 * dropped afterwards. Skipped without PostgreSQL (failed with {@code CI=true}).
 */
class PostgresIdempotencyStoreTest extends IdempotencyStoreContract {
  private TestDatabases.PostgresSchema schema;

  @Override
  LedgerConfig newConfig() {
    TestDatabases.assumePostgres(PostgresIdempotencyStoreTest.class);
    schema = TestDatabases.newPostgresSchema();
    return schema.config();
  }

  @Override
  void cleanUp() throws Exception {
    if (schema != null) {
      schema.close();
    }
  }
}
