package dev.avatargateway.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * The stores that several gateway instances share, for the multi-instance tests: the real
 * PostgreSQL at {@value #DEFAULT_POSTGRES_URL} (user {@value #DEFAULT_POSTGRES_USER}, trust
 * authentication; the same environment variables as gateway-core's ledger tests point them
 * elsewhere) for the ledger, in a schema of the test's own, and the real Redis at 127.0.0.1:{@value
 * #DEFAULT_REDIS_PORT} (env {@value #REDIS_PORT_ENV} for another port) for the limits, under a key
 * prefix of the test's own. Without either, the tests are skipped saying plainly how to run them;
 * with {@code CI=true} they fail instead. (gateway-core's {@code TestDatabases} and {@code
 * TestRedis} do the same for the core's tests; their test classes are not on this module's class
 * path.)
 */
final class SharedStores {
  static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String DEFAULT_POSTGRES_USER = "postgres";
  static final int DEFAULT_REDIS_PORT = 6379;

  /** Overrides, as for gateway-core's ledger tests ({@code TestDatabases}). */
  static final String POSTGRES_URL =
      Objects.requireNonNullElse(System.getenv("LEDGER_TEST_POSTGRES_URL"), DEFAULT_POSTGRES_URL);

  static final String POSTGRES_USER =
      Objects.requireNonNullElse(System.getenv("LEDGER_TEST_POSTGRES_USER"), DEFAULT_POSTGRES_USER);

  private static final String POSTGRES_PASSWORD = System.getenv("LEDGER_TEST_POSTGRES_PASSWORD");

  /** Another port of 127.0.0.1 for Redis. */
  static final String REDIS_PORT_ENV = "REDIS_TEST_PORT";

  static final String REDIS_HOST = "127.0.0.1";
  static final int REDIS_PORT =
      Integer.parseInt(
          Objects.requireNonNullElse(
              System.getenv(REDIS_PORT_ENV), Integer.toString(DEFAULT_REDIS_PORT)));
  static final String REDIS_URL = "redis://" + REDIS_HOST + ":" + REDIS_PORT;

  /** A local server answers in milliseconds; a probe should not hold a test run up. */
  private static final int PROBE_TIMEOUT_SECONDS = 3;

  private static final int PROBE_TIMEOUT_MILLIS = 500;

  /** PostgreSQL's identifier limit is 63 bytes; a prefix and 16 hex digits stay well inside. */
  private static final int SCHEMA_SUFFIX_LENGTH = 16;

  private SharedStores() {}

  /**
   * Why the multi-instance tests of {@code testClass} cannot run (PostgreSQL or Redis does not
   * answer), saying how to run them; null when both answer. Call it once, from {@code @BeforeAll}
   * (it prints the reason once for the class), and pass the answer to {@link #assumeAvailable} from
   * {@code @BeforeEach}, so that each test is reported as skipped (or failed with {@code CI=true}).
   */
  static String unavailable(Class<?> testClass) {
    List<String> missing = new ArrayList<>();
    String postgres = postgresProblem();
    if (postgres != null) {
      missing.add(
          "PostgreSQL at " + POSTGRES_URL + " as user " + POSTGRES_USER + " (" + postgres + ")");
    }
    String redis = redisProblem();
    if (redis != null) {
      missing.add("Redis at " + REDIS_HOST + ":" + REDIS_PORT + " (" + redis + ")");
    }
    if (missing.isEmpty()) {
      return null;
    }
    String message =
        testClass.getSimpleName()
            + " runs two gateway processes on a shared PostgreSQL and Redis, and could not run: no "
            + String.join(" and no ", missing)
            + " answered. To run it, start PostgreSQL 15 or newer at 127.0.0.1:5432 with a"
            + " database 'test' that user 'postgres' may enter without a password (e.g. docker run"
            + " -d -p 5432:5432 -e POSTGRES_DB=test -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15,"
            + " or apt-get install postgresql) and Redis at 127.0.0.1:6379 (e.g. docker run -d -p"
            + " 6379:6379 redis:7, or apt-get install redis-server), or point"
            + " LEDGER_TEST_POSTGRES_URL, LEDGER_TEST_POSTGRES_USER, LEDGER_TEST_POSTGRES_PASSWORD"
            + " and "
            + REDIS_PORT_ENV
            + " at others; then run mvn -B -pl gateway -am verify -Dtest='"
            + testClass.getSimpleName()
            + "' -Dsurefire.failIfNoSpecifiedTests=false. With CI=true it fails instead of being"
            + " skipped.";
    System.err.println("WARNING: " + (ci() ? "failed" : "skipped") + ": " + message);
    return message;
  }

  /**
   * Returns when {@code unavailable} (from {@link #unavailable}) is null; otherwise skips the
   * calling test, or fails it when the environment variable {@code CI} is {@code true}.
   */
  static void assumeAvailable(String unavailable) {
    if (unavailable == null) {
      return;
    }
    if (ci()) {
      fail(unavailable);
    }
    Assumptions.abort(unavailable);
  }

  private static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static String postgresProblem() {
    DriverManager.setLoginTimeout(PROBE_TIMEOUT_SECONDS);
    try (Connection c = postgres()) {
      return c.isValid(PROBE_TIMEOUT_SECONDS) ? null : "the connection is not valid";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  private static String redisProblem() {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), REDIS_PORT),
          PROBE_TIMEOUT_MILLIS);
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** A new schema name, {@code multi_test_<random>}; the first gateway's ledger creates it. */
  static String newSchemaName() {
    return "multi_test_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, SCHEMA_SUFFIX_LENGTH);
  }

  /** A key prefix of this run only, so that runs never share buckets or slots. */
  static String newKeyPrefix() {
    return "avatar-gateway-test:" + UUID.randomUUID() + ":";
  }

  /** Drops the schema with everything in it. */
  static void dropSchema(String schema) throws SQLException {
    try (Connection c = postgres();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /**
   * The first column of the first row of {@code sql} (with {@code ?} bound to {@code args}), run
   * with the schema on the search path; 0 when there is no row.
   */
  static long queryLong(String schema, String sql, Object... args) throws SQLException {
    try (Connection c = postgres()) {
      c.setSchema(schema);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          s.setObject(i + 1, args[i]);
        }
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0;
        }
      }
    }
  }

  /** Runs statements with the schema on the search path. */
  static void execute(String schema, String... statements) throws SQLException {
    try (Connection c = postgres()) {
      c.setSchema(schema);
      try (Statement s = c.createStatement()) {
        for (String statement : statements) {
          s.execute(statement);
        }
      }
    }
  }

  /** Every key under {@code prefix}. */
  static List<String> keysUnder(String prefix) {
    return withRedis(redis -> keys(redis, prefix));
  }

  /** Deletes every key under {@code prefix}. */
  static void deleteKeysUnder(String prefix) {
    withRedis(
        redis -> {
          List<String> keys = keys(redis, prefix);
          if (!keys.isEmpty()) {
            redis.del(keys.toArray(String[]::new));
          }
          return null;
        });
  }

  /** The YAML that points a gateway's ledger at this schema of the test PostgreSQL. */
  static String ledgerYaml(String schema, String extraSettings) {
    return "ledger:\n"
        + ("  url: \"" + POSTGRES_URL + "\"\n")
        + ("  username: " + POSTGRES_USER + "\n")
        + (POSTGRES_PASSWORD == null ? "" : "  password: \"" + POSTGRES_PASSWORD + "\"\n")
        + ("  schema: " + schema.toLowerCase(Locale.ROOT) + "\n")
        + extraSettings;
  }

  private static List<String> keys(RedisCommands<String, String> redis, String prefix) {
    List<String> keys = new ArrayList<>();
    ScanIterator.scan(redis, ScanArgs.Builder.matches(prefix + "*")).forEachRemaining(keys::add);
    return keys;
  }

  private static <T> T withRedis(Function<RedisCommands<String, String>, T> f) {
    RedisClient client = RedisClient.create(REDIS_URL);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return f.apply(connection.sync());
    } finally {
      client.shutdown();
    }
  }

  private static Connection postgres() throws SQLException {
    return DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
  }
}
