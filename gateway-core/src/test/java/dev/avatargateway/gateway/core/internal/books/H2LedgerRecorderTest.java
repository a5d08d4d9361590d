package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;

/** The recorder and the keeper on H2 in memory. */
class H2LedgerRecorderTest extends LedgerRecorderContract {
  @Override
  LedgerConfig newConfig() {
    return TestDatabases.h2Memory();
  }
}
