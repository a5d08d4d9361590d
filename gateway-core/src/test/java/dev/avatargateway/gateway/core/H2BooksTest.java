package dev.avatargateway.gateway.core;

import java.util.UUID;

/**
 * The books on the embedded database, in memory and kept while the JVM runs, so that a "crashed"
 * gateway's rows are still there for the next one.
 */
class H2BooksTest extends BooksContract {
  @Override
  LedgerConfig ledger() {
    return inMemory();
  }

  /** A fresh, empty in-memory ledger that outlives its pools. */
  static LedgerConfig inMemory() {
    return new LedgerConfig(
        "jdbc:h2:mem:books-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=5000",
        null,
        null,
        null,
        4,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
