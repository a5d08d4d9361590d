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
  void theLedgerKeepsEnoughParsedStatementsUnlessTheUrlSaysOtherwise() throws Exception {
    LedgerConfig config = TestDatabases.config(urlFor(temp.resolve("cache")), null, null);
    LedgerConfig own =
        TestDatabases.config(urlFor(temp.resolve("own")) + ";QUERY_CACHE_SIZE=16", null, null);

    assertThat(queryCacheSize(config)).isEqualTo(LedgerDatabase.H2_QUERY_CACHE_SIZE);
    assertThat(queryCacheSize(own)).isEqualTo(16);
    assertThat(LedgerDatabase.jdbcUrl("jdbc:h2:mem:x;", LedgerUrls.Kind.H2_MEMORY))
        .isEqualTo("jdbc:h2:mem:x;QUERY_CACHE_SIZE=" + LedgerDatabase.H2_QUERY_CACHE_SIZE);
    assertThat(
            LedgerDatabase.jdbcUrl(
                "jdbc:postgresql://127.0.0.1:5432/test", LedgerUrls.Kind.POSTGRESQL))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
  }

  private static int queryCacheSize(LedgerConfig config) throws Exception {
    try (LedgerDatabase database = LedgerDatabase.open(config);
        Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'QUERY_CACHE_SIZE'")) {
      assertThat(rs.next()).isTrue();
      return Integer.parseInt(rs.getString(1));
    }
  }

  @Test
  void theKeepersPeriodicQueriesUseTheirIndexes() throws Exception {
    LedgerConfig config = TestDatabases.config(urlFor(temp.resolve("plans")), null, null);
    try (LedgerDatabase database = LedgerDatabase.open(config);
        Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement()) {
      // The due query's own conditions, as the keeper runs it every second.
      try (ResultSet rs =
          s.executeQuery(
              "EXPLAIN SELECT gateway_id FROM ledger_sessions WHERE owner_run_id = 'r'"
                  + " AND state IN ('consumed', 'running')"
                  + " AND next_check_at <= TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00Z'"
                  + " ORDER BY next_check_at LIMIT 10")) {
        rs.next();
        assertThat(rs.getString(1)).containsIgnoringCase("LEDGER_SESSIONS_DUE_IX");
      }
      try (ResultSet rs =
          s.executeQuery(
              "EXPLAIN SELECT gateway_id FROM ledger_sessions WHERE state IN ('consumed', 'running')"
                  + " AND owner_run_id <> 'r' ORDER BY accepted_at LIMIT 10")) {
        rs.next();
        assertThat(rs.getString(1)).containsIgnoringCase("LEDGER_SESSIONS_STATE_IX");
      }
    }
  }

  @Test
  void aCommittedStepSurvivesACrashOfTheProcess() throws Exception {
    Path file = temp.resolve("crash").resolve("ledger");
    String id = UUID.randomUUID().toString();

    crashAfterWriting(file, id, CrashingWriter.READY);

    try (LedgerDatabase reopened =
        LedgerDatabase.open(TestDatabases.config(urlFor(file), null, null))) {
      SessionRow row = ledger(reopened, "run-2").find(id).orElseThrow();
      assertThat(row.state()).isEqualTo(SessionState.READY);
      assertThat(row.upstreamId()).isEqualTo("up-crash");
    }
  }

  @Test
  void theHandOverSurvivesACrashOfTheProcessRightAfterItsCommit() throws Exception {
    Path file = temp.resolve("crash-hand-over").resolve("ledger");
    String id = UUID.randomUUID().toString();

    crashAfterWriting(file, id, CrashingWriter.HAND_OVER);

    try (LedgerDatabase reopened =
        LedgerDatabase.open(TestDatabases.config(urlFor(file), null, null))) {
      SessionRow row = ledger(reopened, "run-2").find(id).orElseThrow();
      assertThat(row.state()).isEqualTo(SessionState.CONSUMED);
      assertThat(row.readyAt()).isEqualTo(T0.plusSeconds(2));
      assertThat(row.handedOverAt()).isEqualTo(T0.plusSeconds(3));
      assertThat(row.nextCheckAt()).isEqualTo(T0.plusSeconds(33));
      assertThat(row.upstreamRequests()).isEqualTo(4);
    }
  }

  /** Another JVM records and then dies at once, without closing anything (kill -9 style). */
  private void crashAfterWriting(Path file, String id, String steps) throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWriter.class.getName(),
                urlFor(file),
                id,
                steps)
            .redirectErrorStream(true)
            .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output).contains(CrashingWriter.RECORDED);
    assertThat(child.exitValue()).as(output).isEqualTo(CrashingWriter.EXIT_CODE);
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

  /**
   * Records a session's first steps in a ledger file (up to READY as a step of its own, or up to
   * the hand-over as the connect writes it), then halts the JVM.
   */
  static final class CrashingWriter {
    static final String RECORDED = "recorded";
    static final int EXIT_CODE = 137;
    static final String READY = "ready";
    static final String HAND_OVER = "hand-over";

    private CrashingWriter() {}

    public static void main(String[] args) {
      String url = args[0];
      String id = args[1];
      LedgerDatabase database = LedgerDatabase.open(TestDatabases.config(url, null, null));
      JdbcSessionLedger ledger = ledger(database, "run-1");
      ledger.registerRun("run-1", "host:8080", T0, T0.plusSeconds(30));
      ledger.recordIntent(SessionLedgerContract.intent(id, T0));
      ledger.recordCreated(id, "up-crash", T0.plusSeconds(1));
      if (HAND_OVER.equals(args[2])) {
        ledger.recordHandOver(
            id, SessionState.CONSUMED, T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(33), 4);
      } else {
        ledger.transition(
            id, Set.of(SessionState.CREATED), SessionState.READY, T0.plusSeconds(2), null, null);
      }
      System.out.println(RECORDED);
      System.out.flush();
      // No shutdown hooks, no close: as abrupt as a crash gets inside the JVM.
      Runtime.getRuntime().halt(EXIT_CODE);
    }
  }
}
