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

  private final HikariDataSource pool; // null on an application's DataSource
  private final BorrowedConnections borrowed; // null on the ledger's own pool
  private final LedgerUrls.Kind kind;
  private final String loggableUrl;
  private final String where;
  private final String password;
  private final String schemaVersion;

  private LedgerDatabase(
      HikariDataSource pool,
      BorrowedConnections borrowed,
      LedgerUrls.Kind kind,
      String loggableUrl,
      String where,
      String password,
      String schemaVersion) {
    this.pool = pool;
    this.borrowed = borrowed;
    this.kind = kind;
    this.loggableUrl = loggableUrl;
    this.where = where;
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
      migrated = migrate(migrationPool, config, "ledger.url=" + loggableUrl, password);
      pool = newPool(config, kind, config.schema(), config.maxPoolSize(), "ledger");
    }
    LOG.info(
        "Session ledger at {}{}: schema version {} ({} migration(s) applied now)",
        loggableUrl,
        config.schema() == null ? "" : " (schema " + config.schema() + ")",
        migrated.version(),
        migrated.applied());
    return new LedgerDatabase(
        pool, null, kind, loggableUrl, "ledger.url=" + loggableUrl, password, migrated.version());
  }

  /**
   * Opens the ledger on a {@link DataSource} the application owns (e.g. a Spring application's),
   * migrating the schema on it ({@code ledger.schema} when set, created if missing). The connection
   * settings of {@code config} are not used: {@code url}, {@code username}, {@code password},
   * {@code maxPoolSize} and {@code connectionTimeout} are the application's pool's business, as are
   * its time-outs (the ledger's own pool gives PostgreSQL's driver a {@code socketTimeout} of 30 s,
   * so that a database gone silent cannot hang a connect; give the application's pool one too).
   * {@link #close()} does not close {@code dataSource}.
   *
   * @throws dev.avatargateway.gateway.core.ConfigException for an invalid configuration
   * @throws LedgerException when no connection can be had from it, when it is not a PostgreSQL or
   *     H2 database, or when the schema cannot be migrated
   */
  public static LedgerDatabase open(LedgerConfig config, DataSource dataSource) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(dataSource, "dataSource");
    config.validate();
    String url;
    String product;
    boolean readCommitted;
    try (Connection c = dataSource.getConnection()) {
      url = Objects.requireNonNullElse(c.getMetaData().getURL(), "");
      product = c.getMetaData().getDatabaseProductName();
      readCommitted = c.getTransactionIsolation() == Connection.TRANSACTION_READ_COMMITTED;
    } catch (SQLException | RuntimeException e) {
      throw new LedgerException(
          "Cannot connect to the session ledger's DataSource ("
              + dataSource.getClass().getName()
              + "): "
              + reason(e, null),
          e);
    }
    String loggableUrl = LedgerUrls.loggable(url);
    LedgerUrls.Kind kind =
        LedgerUrls.kind(url)
            .orElseThrow(
                () ->
                    new LedgerException(
                        "The session ledger's DataSource is "
                            + product
                            + " ("
                            + loggableUrl
                            + "); the ledger runs on PostgreSQL or H2"));
    String where = "the application's DataSource at " + loggableUrl;
    Migrated migrated = migrate(dataSource, config, where, null);
    LOG.info(
        "Session ledger on {}{}: schema version {} ({} migration(s) applied now)",
        where,
        config.schema() == null ? "" : " (schema " + config.schema() + ")",
        migrated.version(),
        migrated.applied());
    return new LedgerDatabase(
        null,
        new BorrowedConnections(dataSource, config.schema(), !readCommitted),
        kind,
        loggableUrl,
        where,
        null,
        migrated.version());
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

  /**
   * @param where the database, for messages: {@code ledger.url=...} (password masked) or the
   *     application's DataSource
   */
  private static Migrated migrate(
      DataSource dataSource, LedgerConfig config, String where, String password) {
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
          "Cannot migrate the session ledger schema ("
              + where
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
    return dataSource().getConnection();
  }

  /**
   * A {@link LedgerException} for a statement that failed: what the ledger was doing, the URL
   * (password masked) and the database's reason.
   */
  LedgerException failure(String doing, Exception cause) {
    return new LedgerException(
        "The session ledger could not " + doing + " (" + where + "): " + reason(cause, password),
        cause);
  }

  /**
   * Where the ledger's connections come from (not in auto-commit mode, read committed, in the
   * ledger's schema), for the features that keep their tables beside the ledger's, and tools and
   * tests that query them directly.
   */
  public DataSource dataSource() {
    return pool != null ? pool : borrowed;
  }

  /** Whether the ledger is on a DataSource the application owns (and does not close it). */
  public boolean borrowed() {
    return borrowed != null;
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
    return pool != null ? pool.isClosed() : borrowed.isClosed();
  }

  /**
   * Closes every connection of the ledger's own pool (an H2 database closes with its last
   * connection); on an application's DataSource it only stops lending, and leaves that open.
   * Idempotent.
   */
  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    } else {
      borrowed.close();
    }
  }

  @Override
  public String toString() {
    return "LedgerDatabase[" + (borrowed == null ? loggableUrl : where) + "]";
  }
}
