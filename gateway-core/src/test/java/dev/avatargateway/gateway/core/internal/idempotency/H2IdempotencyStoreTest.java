package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/** The idempotency store's contract on H2, in memory: a new database for each test. */
class H2IdempotencyStoreTest extends IdempotencyStoreContract {
  @Override
  LedgerConfig newConfig() {
    return TestDatabases.h2Memory();
  }
}
