package dev.avatargateway.gateway.core.internal.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * How every table of the ledger's database is read and written, the session ledger's and those of
 * the features that keep their rows beside it (budgets, idempotency keys): one statement time-out,
 * and instants as {@code TIMESTAMP WITH TIME ZONE} in UTC at the microseconds both H2 and
 * PostgreSQL keep.
 */
public final class LedgerJdbc {
  /**
   * How long one statement may run before the driver gives up on it, in seconds. Ledger statements
   * take milliseconds; one still running after this waits on a lock or a stalled database, and the
   * connect it serves should fail (and cancel its session) while its deadline still allows.
   */
  public static final int STATEMENT_TIMEOUT_SECONDS = 10;

  private LedgerJdbc() {}

  /** A statement with the ledger's time-out. */
  public static PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    s.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
    return s;
  }

  /** Binds an instant in UTC, truncated to the microseconds both databases keep. */
  public static void setInstant(PreparedStatement s, int index, Instant instant)
      throws SQLException {
    s.setObject(
        index,
        OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC),
        Types.TIMESTAMP_WITH_TIMEZONE);
  }

  /** The instant in a column, or null for SQL NULL. */
  public static Instant getInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** The instant in a column, by its 1-based index, or null for SQL NULL. */
  public static Instant getInstant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
