package dev.avatargateway.gateway.core.internal.budgets;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets' contract on an H2 file with the default URL's options (so a reopen is a restart that
 * finds the books on disk), a new one for each test.
 */
class H2BudgetsTest extends BudgetsContract {
  @TempDir Path temp;

  @Override
  LedgerConfig config() {
    String options = LedgerConfig.DEFAULT_URL.substring(LedgerConfig.DEFAULT_URL.indexOf(';'));
    return ledgerConfig("jdbc:h2:file:" + temp.resolve("ledger") + options, null, null, null);
  }

  /** The ledger's defaults with this URL, user, password and schema, and room for racers. */
  static LedgerConfig ledgerConfig(String url, String user, String password, String schema) {
    return new LedgerConfig(
        url, user, password, schema, 10, null, null, null, null, null, null, null, null, null,
        null);
  }
}
