package dev.avatargateway.gateway.core.internal.ledger;

import dev.avatargateway.gateway.core.LedgerConfig;

/** The listings on H2, in memory. */
class H2SessionListingTest extends SessionListingContract {
  @Override
  LedgerConfig newConfig() {
    return TestDatabases.h2Memory();
  }
}
