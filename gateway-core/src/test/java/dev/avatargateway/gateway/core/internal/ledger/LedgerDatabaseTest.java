package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.LedgerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Opening the ledger's database, and failing to, without a secret in sight. */
class LedgerDatabaseTest {
  private static final String SECRET = "s3cret-Pa55word";
  private static final String URL_SECRET = "url-Pa55word";

  @Test
  void anUnreachableDatabaseFailsAtStartUpNamingTheSettingAndNoPassword() {
    // Nothing listens on port 1.
    LedgerConfig config =
        new LedgerConfig(
            "jdbc:postgresql://127.0.0.1:1/test?password=" + URL_SECRET + "&ssl=false",
            "gateway",
            SECRET,
            null,
            null,
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

    assertThatThrownBy(() -> LedgerDatabase.open(config))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining(
            "ledger.url=jdbc:postgresql://127.0.0.1:1/test?password=***&ssl=false")
        .hasMessageContaining("refused")
        .satisfies(
            e -> {
              String everything = stackTrace(e);
              assertThat(everything).doesNotContain(SECRET).doesNotContain(URL_SECRET);
            });
  }

  @Test
  void anInvalidConfigurationStopsBeforeAnyConnection() {
    LedgerConfig config = TestDatabases.config("jdbc:mysql://localhost/ledger", null, null);

    assertThatThrownBy(() -> LedgerDatabase.open(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ledger.url");
  }

  @Test
  void aPasswordInAFailureMessageIsMasked() {
    Exception failure =
        new java.sql.SQLException(
            "password " + SECRET + " rejected for jdbc:h2:mem:x;PASSWORD=abc");

    assertThat(LedgerDatabase.reason(new RuntimeException("wrapped", failure), SECRET))
        .isEqualTo("password *** rejected for jdbc:h2:mem:x;PASSWORD=***");
  }

  @Test
  void opensAnInMemoryDatabaseInANamedSchema() {
    LedgerConfig config =
        TestDatabases.config(TestDatabases.h2Memory().url(), null, "ledger_books");

    try (LedgerDatabase database = LedgerDatabase.open(config)) {
      JdbcSessionLedger ledger = SessionLedgerContract.ledgerOf(database, "run-1");
      String id = SessionLedgerContract.pending(ledger, SessionLedgerContract.T0);
      assertThat(ledger.find(id)).isPresent();
      assertThat(database.kind()).isEqualTo(LedgerUrls.Kind.H2_MEMORY);
      assertThat(database).hasToString("LedgerDatabase[" + config.url() + "]");
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter text = new StringWriter();
    e.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
