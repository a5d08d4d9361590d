package dev.avatargateway.gateway.core.internal.ledger;

import dev.avatargateway.gateway.core.LedgerConfig;

/** The ledger's contract on H2, in memory: a new database for each test. */
class H2SessionLedgerTest extends SessionLedgerContract {
  @Override
  LedgerConfig newConfig() {
    return TestDatabases.h2Memory();
  }
}
