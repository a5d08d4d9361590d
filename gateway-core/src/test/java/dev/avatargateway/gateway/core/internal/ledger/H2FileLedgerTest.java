package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default kind of ledger: an embedded H2 file, with the default URL's options. */
class H2FileLedgerTest {
  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");

  @TempDir Path temp;

  /** The default URL's options, on a file under the test's directory. */
  private String urlFor(Path file) {
    String options = LedgerConfig.DEFAULT_URL.substring(LedgerConfig.DEFAULT_URL.indexOf(';'));
    return "jdbc:h2:file:" + file + options;
  }

  @Test
  void createsTheDirectoryAndKeepsTheBooksAcrossAReopen() throws Exception {
    Path directory = temp.resolve("data").resolve("nested");
    LedgerConfig config = TestDatabases.config(urlFor(directory.resolve("ledger")), null, null);
    String id = UUID.randomUUID().toString();

    try (LedgerDatabase database = LedgerDatabase.open(config)) {
      assertThat(database.kind()).isEqualTo(LedgerUrls.Kind.H2_FILE);
      JdbcSessionLedger ledger = ledger(database, "run-1");
      ledger.registerRun("run-1", "host:8080", T0, T0.plusSeconds(30));
      ledger.recordIntent(SessionLedgerContract.intent(id, T0));
      ledger.recordCreated(id, "up-1", T0.plusSeconds(1));
    }
    assertThat(directory.resolve("ledger.mv.db")).isRegularFile();

    try (LedgerDatabase reopened = LedgerDatabase.open(config)) {
      JdbcSessionLedger ledger = ledger(reopened, "run-2");
      SessionRow row = ledger.find(id).orElseThrow();
      assertThat(row.state()).isEqualTo(SessionState.CREATED);
      assertThat(row.upstreamId()).isEqualTo("up-1");
      assertThat(ledger.findRun("run-1")).isPresent();
      // The restarted instance takes its previous run's session over at once.
      Instant restart = T0.plusSeconds(5);
      assertThat(ledger.registerRun("run-2", "host:8080", restart, restart.plusSeconds(30)))
          .isOne();
      assertThat(ledger.claimOrphans("run-2", restart, 10))
          .extracting(SessionRow::gatewayId)
          .containsExactly(id);
    }
  }

  @Test
  void theDefaultOptionsAreInForce() throws Exception {
    LedgerConfig config = TestDatabases.config(urlFor(temp.resolve("ledger")), null, null);

    try (LedgerDatabase database = LedgerDatabase.open(config);
        Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SETTING_VALUE, LOCK_TIMEOUT() FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("0");
      assertThat(rs.getInt(2)).isEqualTo(5000);
    }
  }

  @Test
  void aCommittedStepSurvivesACrashOfTheProcess() throws Exception {
    Path file = temp.resolve("crash").resolve("ledger");
    String id = UUID.randomUUID().toString();

    // Another JVM records and then dies at once, without closing anything (kill -9 style).
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWriter.class.getName(),
                urlFor(file),
                id)
            .redirectErrorStream(true)
            .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output).contains(CrashingWriter.RECORDED);
    assertThat(child.exitValue()).as(output).isEqualTo(CrashingWriter.EXIT_CODE);

    try (LedgerDatabase reopened =
        LedgerDatabase.open(TestDatabases.config(urlFor(file), null, null))) {
      SessionRow row = ledger(reopened, "run-2").find(id).orElseThrow();
      assertThat(row.state()).isEqualTo(SessionState.READY);
      assertThat(row.upstreamId()).isEqualTo("up-crash");
    }
  }

  @Test
  void aDirectoryThatCannotBeCreatedFailsNamingTheSetting() throws Exception {
    Path blocker = Files.writeString(temp.resolve("not-a-directory"), "x");
    LedgerConfig config =
        TestDatabases.config(urlFor(blocker.resolve("data").resolve("ledger")), null, null);

    assertThatThrownBy(() -> LedgerDatabase.open(config))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("ledger.url=")
        .hasMessageContaining("Cannot create the directory");
  }

  private static JdbcSessionLedger ledger(LedgerDatabase database, String runId) {
    return new JdbcSessionLedger(database, runId, Clock.fixed(T0, ZoneOffset.UTC));
  }

  /** Records a session's first steps in a ledger file, then halts the JVM. */
  static final class CrashingWriter {
    static final String RECORDED = "recorded";
    static final int EXIT_CODE = 137;

    private CrashingWriter() {}

    public static void main(String[] args) {
      String url = args[0];
      String id = args[1];
      LedgerDatabase database = LedgerDatabase.open(TestDatabases.config(url, null, null));
      JdbcSessionLedger ledger = ledger(database, "run-1");
      ledger.registerRun("run-1", "host:8080", T0, T0.plusSeconds(30));
      ledger.recordIntent(SessionLedgerContract.intent(id, T0));
      ledger.recordCreated(id, "up-crash", T0.plusSeconds(1));
      ledger.transition(
          id, Set.of(SessionState.CREATED), SessionState.READY, T0.plusSeconds(2), null, null);
      System.out.println(RECORDED);
      System.out.flush();
      // No shutdown hooks, no close: as abrupt as a crash gets inside the JVM.
      Runtime.getRuntime().halt(EXIT_CODE);
    }
  }
}
