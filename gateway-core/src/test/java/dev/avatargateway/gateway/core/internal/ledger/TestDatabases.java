package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.fail;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The ledger tests' databases: a fresh H2 database in memory, or a fresh schema in the real
 * PostgreSQL at {@value #DEFAULT_POSTGRES_URL} (user {@value #DEFAULT_POSTGRES_USER}), created by
 * the ledger and dropped by {@link PostgresSchema#close()}. Without PostgreSQL its tests are
 * skipped, saying which and how to run them; with {@code CI=true} they fail instead.
 */
public final class TestDatabases {
  static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String DEFAULT_POSTGRES_USER = "postgres";

  /** Override the PostgreSQL the tests use (URL, user, password). */
  static final String POSTGRES_URL_ENV = "LEDGER_TEST_POSTGRES_URL";

  static final String POSTGRES_USER_ENV = "LEDGER_TEST_POSTGRES_USER";
  static final String POSTGRES_PASSWORD_ENV = "LEDGER_TEST_POSTGRES_PASSWORD";

  /** A probe should not hold a test run up: a local server answers in milliseconds. */
  private static final int PROBE_TIMEOUT_SECONDS = 3;

  /** The test classes whose skipped tests were announced. */
  private static final Set<Class<?>> ANNOUNCED = ConcurrentHashMap.newKeySet();

  /** Empty once PostgreSQL answered; null before the first probe. */
  private static String postgresProblem;

  private TestDatabases() {}

  /** A new, empty H2 database in memory; it lives while a pool on it is open. */
  public static LedgerConfig h2Memory() {
    return config("jdbc:h2:mem:ledger-" + UUID.randomUUID() + ";LOCK_TIMEOUT=5000", null, null);
  }

  /** The ledger's defaults with this URL, user and schema. */
  static LedgerConfig config(String url, String username, String schema) {
    return new LedgerConfig(
        url, username, null, schema, 4, null, null, null, null, null, null, null, null, null, null);
  }

  /** The PostgreSQL URL the tests use. */
  static String postgresUrl() {
    return Objects.requireNonNullElse(System.getenv(POSTGRES_URL_ENV), DEFAULT_POSTGRES_URL);
  }

  private static String postgresUser() {
    return Objects.requireNonNullElse(System.getenv(POSTGRES_USER_ENV), DEFAULT_POSTGRES_USER);
  }

  /**
   * Returns when PostgreSQL answers; otherwise skips the calling test (or fails it when the
   * environment variable {@code CI} is {@code true}), saying how to run it. The first time for a
   * test class it also prints, once, every test of that class that is skipped. Call it at the start
   * of each test (from {@code @BeforeEach}), so that each is reported as skipped.
   */
  public static void assumePostgres(Class<?> testClass) {
    String problem = postgresProblem();
    if (problem == null) {
      return;
    }
    String howTo =
        "no PostgreSQL answered at "
            + postgresUrl()
            + " as user "
            + postgresUser()
            + " ("
            + problem
            + "). To run them, start PostgreSQL 15 or newer at 127.0.0.1:5432 with a database"
            + " 'test' that user 'postgres' may enter without a password (trust authentication),"
            + " e.g. docker run -d -p 5432:5432 -e POSTGRES_DB=test"
            + " -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15, or point "
            + POSTGRES_URL_ENV
            + ", "
            + POSTGRES_USER_ENV
            + " and "
            + POSTGRES_PASSWORD_ENV
            + " at another server; then run mvn -B -pl gateway-core test"
            + " -Dtest='dev.avatargateway.gateway.core.internal.ledger.**'"
            + " -Dsurefire.failIfNoSpecifiedTests=false. With CI=true they fail instead of"
            + " being skipped.";
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (ANNOUNCED.add(testClass)) {
      System.err.println(
          "WARNING: PostgreSQL tests "
              + (ci ? "failed" : "skipped")
              + ": "
              + testClass.getSimpleName()
              + " "
              + testNames(testClass)
              + ", because "
              + howTo);
    }
    String message = "PostgreSQL test of " + testClass.getSimpleName() + ": " + howTo;
    if (ci) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  /** Why PostgreSQL cannot be used, or null when it answers; asked once per test run. */
  private static synchronized String postgresProblem() {
    if (postgresProblem == null) {
      DriverManager.setLoginTimeout(PROBE_TIMEOUT_SECONDS);
      try (Connection c = connectPostgres()) {
        postgresProblem = c.isValid(PROBE_TIMEOUT_SECONDS) ? "" : "the connection is not valid";
      } catch (SQLException e) {
        postgresProblem = e.getMessage();
      }
    }
    return postgresProblem.isEmpty() ? null : postgresProblem;
  }

  private static String testNames(Class<?> testClass) {
    TreeSet<String> names = new TreeSet<>();
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method method : c.getDeclaredMethods()) {
        if (method.isAnnotationPresent(Test.class)
            || method.isAnnotationPresent(ParameterizedTest.class)) {
          names.add(method.getName());
        }
      }
    }
    return "(all " + names.size() + " tests: " + String.join(", ", names) + ")";
  }

  private static Connection connectPostgres() throws SQLException {
    return DriverManager.getConnection(
        postgresUrl(), postgresUser(), System.getenv(POSTGRES_PASSWORD_ENV));
  }

  /**
   * A new schema name in the test PostgreSQL, {@code ledger_test_<random>}; the ledger creates the
   * schema when it opens, {@link PostgresSchema#close()} drops it with everything in it.
   */
  public static PostgresSchema newPostgresSchema() {
    return new PostgresSchema(
        "ledger_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
  }

  /** A schema of the test PostgreSQL, dropped on close. */
  public record PostgresSchema(String name) implements AutoCloseable {
    /** The ledger's defaults on this schema. */
    public LedgerConfig config() {
      return new LedgerConfig(
          postgresUrl(),
          postgresUser(),
          System.getenv(POSTGRES_PASSWORD_ENV),
          name,
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

    /** Runs statements in the test database, outside the ledger (to set up odd situations). */
    void execute(String... statements) throws SQLException {
      try (Connection c = connectPostgres();
          Statement s = c.createStatement()) {
        for (String statement : statements) {
          s.execute(statement);
        }
      }
    }

    /** Whether the schema exists. */
    boolean exists() throws SQLException {
      try (Connection c = connectPostgres();
          var s = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
        s.setString(1, name);
        try (var rs = s.executeQuery()) {
          return rs.next();
        }
      }
    }

    @Override
    public void close() throws SQLException {
      execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
  }

  /**
   * A login role of its own in the test PostgreSQL, owning a fresh schema: a ledger that logs in as
   * it can be cut off the database and let back in, a real outage for that ledger alone while every
   * other test goes on. {@link OutageRole#close()} drops the schema and the role.
   */
  public static OutageRole newOutageRole() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    OutageRole role =
        new OutageRole(
            "ledger_outage_" + suffix,
            // Random, so that a test can check that no answer or log shows it.
            "pw-" + UUID.randomUUID(),
            new PostgresSchema("ledger_test_" + suffix));
    try {
      role.schema()
          .execute(
              "CREATE ROLE " + role.name() + " LOGIN PASSWORD '" + role.password() + "'",
              "CREATE SCHEMA " + role.schema().name() + " AUTHORIZATION " + role.name());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test role " + role.name(), e);
    }
    return role;
  }

  /**
   * A role of {@link #newOutageRole()} and its schema.
   *
   * @param password the role's password (the test PostgreSQL may trust local logins; then it is
   *     sent and not needed)
   */
  public record OutageRole(String name, String password, PostgresSchema schema)
      implements AutoCloseable {
    /** A backend signalled to stop exits within milliseconds; this is for a loaded machine. */
    private static final java.time.Duration CUT_TIMEOUT = java.time.Duration.ofSeconds(10);

    /**
     * The ledger's defaults on the role's schema, logging in as the role, with this connection
     * time-out: how long a ledger call waits for a connection the database refuses.
     */
    public LedgerConfig config(java.time.Duration connectionTimeout) {
      return new LedgerConfig(
          postgresUrl(),
          name,
          password,
          schema.name(),
          4,
          connectionTimeout,
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

    /**
     * Cuts the role off: it may no longer log in, and its open connections are closed by the
     * server, as a database that went away would leave them.
     */
    public void cut() throws SQLException {
      schema.execute("ALTER ROLE " + name + " NOLOGIN", terminate());
      // pg_terminate_backend only signals: wait until the server has closed them all.
      long deadline = System.nanoTime() + CUT_TIMEOUT.toNanos();
      while (!query("SELECT pid FROM pg_stat_activity WHERE usename = '" + name + "'").isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the connections of " + name + " did not close");
        }
        Thread.onSpinWait();
      }
    }

    /** Lets the role log in again. */
    public void restore() throws SQLException {
      schema.execute("ALTER ROLE " + name + " LOGIN");
    }

    /** Rows of a query on the role's schema, run as the test's own user; each row's columns. */
    public List<List<String>> query(String sql) throws SQLException {
      List<List<String>> rows = new ArrayList<>();
      try (Connection c = connectPostgres();
          Statement s = c.createStatement()) {
        s.execute("SET search_path TO " + schema.name());
        try (var rs = s.executeQuery(sql)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
              row.add(rs.getString(i));
            }
            rows.add(row);
          }
        }
      }
      return rows;
    }

    private String terminate() {
      return "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"
          + name
          + "'";
    }

    /** Drops the schema and the role (closing what is still connected as it first). */
    @Override
    public void close() throws SQLException {
      schema.execute(
          "ALTER ROLE " + name + " NOLOGIN",
          terminate(),
          "DROP SCHEMA IF EXISTS " + schema.name() + " CASCADE",
          "DROP ROLE IF EXISTS " + name);
    }
  }

  /**
   * The versions of the ledger's migrations on the class path ({@code V<version>__*.sql}), in
   * order: what a migrated schema must show, whichever migrations this build has.
   */
  public static List<String> migrationVersions() {
    try (var files =
        java.nio.file.Files.list(
            java.nio.file.Path.of(
                Objects.requireNonNull(TestDatabases.class.getResource("/db/ledger")).toURI()))) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.matches("V\\d+__.*\\.sql"))
          .map(name -> name.substring(1, name.indexOf("__")))
          .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
          .toList();
    } catch (java.io.IOException | java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot list the ledger's migrations", e);
    }
  }

  /** Closes each of {@code resources}, then throws the first failure with the others suppressed. */
  static void closeAll(List<? extends AutoCloseable> resources) throws Exception {
    Exception failure = null;
    for (AutoCloseable resource : new ArrayList<>(resources)) {
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
