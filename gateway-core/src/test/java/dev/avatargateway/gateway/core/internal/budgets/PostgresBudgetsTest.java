package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/**
 * The budgets' contract on the real PostgreSQL: a new schema for each test, dropped afterwards (a
 * reopen is a restart on the same schema). Skipped without PostgreSQL (failed with {@code
 * CI=true}); see {@link TestDatabases}.
 */
class PostgresBudgetsTest extends BudgetsContract {
  @Override
  LedgerConfig config() {
    TestDatabases.assumePostgres(PostgresBudgetsTest.class);
    TestDatabases.PostgresSchema schema = track(TestDatabases.newPostgresSchema());
    LedgerConfig base = schema.config();
    return H2BudgetsTest.ledgerConfig(base.url(), base.username(), base.password(), base.schema());
  }
}
