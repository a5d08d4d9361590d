package dev.avatargateway.gateway.core.internal.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.avatargateway.gateway.core.LedgerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's database: a connection pool on {@link LedgerConfig#url()} whose schema is brought up
 * to date by migrations when it opens (created if missing; a re-run applies nothing). Connections
 * are not in auto-commit mode and read committed data only. Thread-safe; close it last, after
 * everything that records in the ledger has stopped.
 */
public final class LedgerDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerDatabase.class);

  /** Where the migrations are, on the class path. */
  static final String MIGRATIONS = "classpath:db/ledger";

  /**
   * The migrations' history table. Not Flyway's default name, so that the ledger can share a schema
   * with an application that keeps its own Flyway history.
   */
  static final String HISTORY_TABLE = "ledger_schema_history";

  /** The user H2 makes the owner of a new database file; the file's permissions protect it. */
  private static final String H2_DEFAULT_USER = "sa";

  /**
   * PostgreSQL's driver waits for an answer forever by default: a database gone silent (a network
   * partition, a fail-over) would hang a connect, and the session it pays for, for good. No ledger
   * statement takes more than milliseconds, so a read blocked this long means the database is gone:
   * fail, and let the connect cancel its session. A URL's own {@code socketTimeout} wins.
   */
  private static final Duration POSTGRESQL_SOCKET_TIMEOUT = Duration.ofSeconds(30);

  /** Shown in PostgreSQL's {@code pg_stat_activity}, to tell the ledger's connections apart. */
  private static final String APPLICATION_NAME = "avatar-gateway-ledger";

  /** Deeper chains of causes are not searched for the database's own message. */
  private static final int MAX_CAUSE_DEPTH = 16;

  /**
   * How many parsed statements H2 keeps per connection ({@code QUERY_CACHE_SIZE}, a database
   * setting of H2's URL; H2's default is 8). The ledger runs about 40 different statements, and the
   * pool's connections serve the connects, the keeper (a dozen statements of its own per round) and
   * the readiness checks alike, so with 8 a connection would keep parsing the same SQL again. A
   * connect alone uses 4 statements, which fit in 8: {@code LedgerWriteBenchmark} shows no
   * difference for it either way. A cached statement is a few kilobytes, so this costs well under a
   * megabyte per pooled connection. A URL's own {@code QUERY_CACHE_SIZE} wins.
   */
  static final int H2_QUERY_CACHE_SIZE = 64;

  private static final String H2_QUERY_CACHE_OPTION = "QUERY_CACHE_SIZE=";

  /** The migrations need a connection for their lock and one to work in. */
  private static final int MIGRATION_POOL_SIZE = 2;

  private final HikariDataSource pool;
  private final LedgerUrls.Kind kind;
  private final String loggableUrl;
  private final String password;
  private final String schemaVersion;

  private LedgerDatabase(
      HikariDataSource pool,
      LedgerUrls.Kind kind,
      String loggableUrl,
      String password,
      String schemaVersion) {
    this.pool = pool;
    this.kind = kind;
    this.loggableUrl = loggableUrl;
    this.password = password;
    this.schemaVersion = schemaVersion;
  }

  /**
   * Checks the configuration, opens the pool and migrates the schema. For an H2 file the directory
   * is created if missing.
   *
   * @throws dev.avatargateway.gateway.core.ConfigException for an invalid configuration
   * @throws LedgerException when the database cannot be reached or migrated; the message names
   *     {@code ledger.url} (password masked) and the reason
   */
  public static LedgerDatabase open(LedgerConfig config) {
    Objects.requireNonNull(config, "config");
    config.validate();
    LedgerUrls.Kind kind = LedgerUrls.kind(config.url()).orElseThrow();
    String loggableUrl = config.loggableUrl();
    String password = config.password();
    if (kind == LedgerUrls.Kind.H2_FILE) {
      createDirectory(config, loggableUrl);
    }
    // The migrations run on a pool without the configured schema, which may not exist yet (H2
    // refuses to switch to a missing schema); the ledger's pool opens before that one closes, so
    // that an in-memory database lives on in between.
    HikariDataSource pool;
    Migrated migrated;
    try (HikariDataSource migrationPool =
        newPool(config, kind, null, MIGRATION_POOL_SIZE, "ledger-migration")) {
      migrated = migrate(migrationPool, config, loggableUrl, password);
      pool = newPool(config, kind, config.schema(), config.maxPoolSize(), "ledger");
    }
    LOG.info(
        "Session ledger at {}{}: schema version {} ({} migration(s) applied now)",
        loggableUrl,
        config.schema() == null ? "" : " (schema " + config.schema() + ")",
        migrated.version(),
        migrated.applied());
    return new LedgerDatabase(pool, kind, loggableUrl, password, migrated.version());
  }

  private static void createDirectory(LedgerConfig config, String loggableUrl) {
    Optional<Path> directory = LedgerUrls.h2Directory(config.url());
    if (directory.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(directory.get());
    } catch (IOException e) {
      throw new LedgerException(
          "Cannot create the directory "
              + directory.get()
              + " for the session ledger (ledger.url="
              + loggableUrl
              + "): "
              + e,
          e);
    }
  }

  private static HikariDataSource newPool(
      LedgerConfig config, LedgerUrls.Kind kind, String schema, int size, String name) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName(name);
    hikari.setJdbcUrl(jdbcUrl(config.url(), kind));
    hikari.setUsername(
        config.username() == null && kind.isH2() ? H2_DEFAULT_USER : config.username());
    hikari.setPassword(config.password());
    hikari.setMaximumPoolSize(size);
    hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
    hikari.setAutoCommit(false);
    hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    if (schema != null && kind == LedgerUrls.Kind.POSTGRESQL) {
      // As a connection parameter, not Connection.setSchema: that is a SET inside the connection's
      // first transaction (not in auto-commit mode), so a first transaction that rolls back (a
      // refused budget check, a failed statement) undid it, and the connection then found no
      // ledger tables for the rest of its life.
      hikari.addDataSourceProperty("currentSchema", schema);
    } else if (schema != null) {
      hikari.setSchema(schema);
    }
    if (kind == LedgerUrls.Kind.POSTGRESQL) {
      hikari.addDataSourceProperty(
          "socketTimeout", String.valueOf(POSTGRESQL_SOCKET_TIMEOUT.toSeconds()));
      hikari.addDataSourceProperty("tcpKeepAlive", "true");
      hikari.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    }
    try {
      return new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw new LedgerException(
          "Cannot connect to the session ledger database (ledger.url="
              + LedgerUrls.loggable(config.url())
              + "): "
              + reason(e, config.password()),
          e);
    }
  }

  /** The URL the pool opens: for H2, with the ledger's statement cache unless the URL sets one. */
  static String jdbcUrl(String url, LedgerUrls.Kind kind) {
    if (!kind.isH2() || url.toUpperCase(Locale.ROOT).contains(H2_QUERY_CACHE_OPTION)) {
      return url;
    }
    return url + (url.endsWith(";") ? "" : ";") + H2_QUERY_CACHE_OPTION + H2_QUERY_CACHE_SIZE;
  }

  /** The schema version after the migrations, and how many ran now. */
  private record Migrated(String version, int applied) {}

  private static Migrated migrate(
      DataSource dataSource, LedgerConfig config, String loggableUrl, String password) {
    var flyway =
        Flyway.configure(LedgerDatabase.class.getClassLoader())
            .dataSource(dataSource)
            .locations(MIGRATIONS)
            .table(HISTORY_TABLE)
            .failOnMissingLocations(true)
            .validateMigrationNaming(true)
            // A schema that already holds other tables (a shared database) gets the ledger's
            // beside them: the baseline is below V1, so every migration still runs.
            .baselineOnMigrate(true)
            .baselineVersion("0");
    if (config.schema() != null) {
      flyway.schemas(config.schema()).createSchemas(true);
    }
    try {
      Flyway loaded = flyway.load();
      int applied = loaded.migrate().migrationsExecuted;
      MigrationInfo current = loaded.info().current();
      return new Migrated(current == null ? "none" : current.getVersion().getVersion(), applied);
    } catch (RuntimeException e) {
      throw new LedgerException(
          "Cannot migrate the session ledger schema (ledger.url="
              + loggableUrl
              + "): "
              + mask(Objects.requireNonNullElse(e.getMessage(), e.toString()), password),
          e);
    }
  }

  /**
   * Why {@code failure} happened, for a message: the first SQL exception's message in its chain
   * (the database's own words), else its own; with the password masked should it appear.
   */
  static String reason(Throwable failure, String password) {
    Throwable chosen = failure;
    Throwable t = failure;
    // Bounded: a chain of causes may loop.
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof SQLException) {
        chosen = t;
        break;
      }
    }
    return mask(
        Objects.requireNonNullElse(chosen.getMessage(), chosen.getClass().getName()), password);
  }

  /** {@code text} with the password and any password parameter of a URL masked. */
  static String mask(String text, String password) {
    String masked = password == null || password.isEmpty() ? text : text.replace(password, "***");
    return LedgerUrls.loggable(masked);
  }

  /** A connection from the pool, not in auto-commit mode; the caller commits and closes it. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /**
   * A {@link LedgerException} for a statement that failed: what the ledger was doing, the URL
   * (password masked) and the database's reason.
   */
  LedgerException failure(String doing, Exception cause) {
    return new LedgerException(
        "The session ledger could not "
            + doing
            + " (ledger.url="
            + loggableUrl
            + "): "
            + reason(cause, password),
        cause);
  }

  /** The pool, for tools and tests that query the ledger's tables directly. */
  public DataSource dataSource() {
    return pool;
  }

  /** Which database this is. */
  public LedgerUrls.Kind kind() {
    return kind;
  }

  /** The URL with any password parameter masked. */
  public String loggableUrl() {
    return loggableUrl;
  }

  /** The schema version after the migrations, such as {@code 1}. */
  public String schemaVersion() {
    return schemaVersion;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return pool.isClosed();
  }

  /** Closes every connection; an H2 database closes with its last connection. Idempotent. */
  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "LedgerDatabase[" + loggableUrl + "]";
  }
}
