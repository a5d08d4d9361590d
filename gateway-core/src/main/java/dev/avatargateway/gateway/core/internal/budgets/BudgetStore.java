package dev.avatargateway.gateway.core.internal.budgets;

import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.prepare;
import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.setInstant;

import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The budgets' SQL (tables of V2__budgets.sql, beside the ledger's), on a connection the caller's
 * transaction owns. What a session costs is derived from its ledger row each time use is read (see
 * {@link #COST}), so settling a session needs no write of its own.
 */
final class BudgetStore {
  /** The scope of the global budgets' lock row. */
  static final String GLOBAL_SCOPE = "global";

  /** A unique key already present: the same SQLState in H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private static final String NON_TERMINAL = quoted(SessionState.nonTerminal());

  /**
   * Seconds a reserved session counts, from its ledger row {@code s} and its reservation {@code r}:
   *
   * <ul>
   *   <li>{@code rejected} (create refused with a 4xx: nothing was created): 0;
   *   <li>live (not terminal, {@code pending} included: its create is on its way): the reservation;
   *   <li>ended with a duration (Runway's, confirmed by the conversation record where the keeper
   *       got it): that duration;
   *   <li>{@code lost} (create's answer never came: maybe created, id unknown): the reservation.
   *       ASSUMPTION: Runway fails such a session unused after its READY window, of unknown length
   *       (runway-api.md, open questions), so the safe reading is to keep what was reserved;
   *   <li>ended without a duration (cancelled before the hand-over, or failed): from creation to
   *       the recorded end, whole seconds rounded up, at most the reservation (the keeper may
   *       notice an end late; the call cannot outlast its {@code maxDuration});
   *   <li>anything else (never created): 0.
   * </ul>
   */
  static final String COST =
      """
      CASE
        WHEN s.state = 'rejected' THEN 0
        WHEN s.state IN (%s) THEN r.reserved_seconds
        WHEN s.duration_seconds IS NOT NULL THEN s.duration_seconds
        WHEN s.state = 'lost' THEN r.reserved_seconds
        WHEN s.created_at IS NOT NULL AND s.ended_at IS NOT NULL THEN
          LEAST(CAST(r.reserved_seconds AS BIGINT), CAST(CEILING(
            EXTRACT(EPOCH FROM s.ended_at) - EXTRACT(EPOCH FROM s.created_at)) AS BIGINT))
        ELSE 0
      END\
      """
          .formatted(NON_TERMINAL);

  /** Sessions that count: all but those refused at create. */
  private static final String COUNTED = "CASE WHEN s.state = 'rejected' THEN 0 ELSE 1 END";

  private static final String LOCK =
      "SELECT scope FROM ledger_budget_scopes WHERE scope = ? FOR UPDATE";

  private static final String INSERT_SCOPE =
      "INSERT INTO ledger_budget_scopes (scope, created_at) VALUES (?, ?)";

  private static final String PRINCIPAL_DAY =
      """
      SELECT COALESCE(SUM(%s), 0), COALESCE(SUM(%s), 0)
        FROM ledger_budget_reservations r
        JOIN ledger_sessions s ON s.gateway_id = r.gateway_id
       WHERE r.principal_key = ? AND r.usage_day = ?
      """
          .formatted(COUNTED, COST);

  private static final String GLOBAL_DAY =
      """
      SELECT COALESCE(SUM(%s), 0), COALESCE(SUM(%s), 0)
        FROM ledger_budget_reservations r
        JOIN ledger_sessions s ON s.gateway_id = r.gateway_id
       WHERE r.usage_day = ?
      """
          .formatted(COUNTED, COST);

  /** Through the ledger's (state, accepted_at) index: live rows are few. */
  private static final String LIVE =
      "SELECT COUNT(*) FROM ledger_sessions WHERE state IN (%s) AND principal_name = ?"
          .formatted(NON_TERMINAL);

  private static final String TOP_PRINCIPALS =
      """
      SELECT s.principal_name, COALESCE(SUM(%s), 0) AS counted, COALESCE(SUM(%s), 0) AS seconds
        FROM ledger_budget_reservations r
        JOIN ledger_sessions s ON s.gateway_id = r.gateway_id
       WHERE r.usage_day = ?
       GROUP BY s.principal_name
       ORDER BY seconds DESC, counted DESC, s.principal_name
       LIMIT ?
      """
          .formatted(COUNTED, COST);

  private static final String RESERVE =
      """
      INSERT INTO ledger_budget_reservations (gateway_id, principal_key, usage_day, reserved_seconds)
      VALUES (?, ?, ?, ?)
      """;

  private BudgetStore() {}

  /** A principal's scope and reservation key: a fixed size, and no name in the key. */
  static String principalKey(String principalName) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(principalName.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The lock row's scope of a principal. */
  static String principalScope(String principalKey) {
    return "principal:" + principalKey;
  }

  /**
   * Locks the scope's row until the transaction ends, creating it first if missing. Creating
   * commits on {@code c}, so call it before the transaction writes anything.
   */
  static void lock(Connection c, String scope, Instant now) throws SQLException {
    if (selectForUpdate(c, scope)) {
      return;
    }
    // Two connects may create it at once: the second one's insert fails, and it locks the first's.
    c.commit();
    try (PreparedStatement s = prepare(c, INSERT_SCOPE)) {
      s.setString(1, scope);
      setInstant(s, 2, now);
      s.executeUpdate();
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
    }
    if (!selectForUpdate(c, scope)) {
      throw new SQLException("the budget lock row " + scope + " vanished");
    }
  }

  private static boolean selectForUpdate(Connection c, String scope) throws SQLException {
    try (PreparedStatement s = prepare(c, LOCK)) {
      s.setString(1, scope);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Sessions that count, and their seconds. */
  record DayUse(long sessions, long seconds) {}

  static DayUse principalDay(Connection c, String principalKey, LocalDate day) throws SQLException {
    try (PreparedStatement s = prepare(c, PRINCIPAL_DAY)) {
      s.setString(1, principalKey);
      s.setObject(2, day);
      return readDayUse(s);
    }
  }

  static DayUse globalDay(Connection c, LocalDate day) throws SQLException {
    try (PreparedStatement s = prepare(c, GLOBAL_DAY)) {
      s.setObject(1, day);
      return readDayUse(s);
    }
  }

  private static DayUse readDayUse(PreparedStatement s) throws SQLException {
    try (ResultSet rs = s.executeQuery()) {
      rs.next();
      return new DayUse(rs.getLong(1), rs.getLong(2));
    }
  }

  static int live(Connection c, String principalName) throws SQLException {
    try (PreparedStatement s = prepare(c, LIVE)) {
      s.setString(1, principalName);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** A principal's day. */
  record PrincipalDay(String principal, DayUse use) {}

  /** The principals with the most seconds of the day, most first. */
  static List<PrincipalDay> topPrincipals(Connection c, LocalDate day, int limit)
      throws SQLException {
    List<PrincipalDay> top = new ArrayList<>();
    try (PreparedStatement s = prepare(c, TOP_PRINCIPALS)) {
      s.setObject(1, day);
      s.setInt(2, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          top.add(new PrincipalDay(rs.getString(1), new DayUse(rs.getLong(2), rs.getLong(3))));
        }
      }
    }
    return top;
  }

  static void reserve(
      Connection c, String gatewayId, String principalKey, LocalDate day, int seconds)
      throws SQLException {
    try (PreparedStatement s = prepare(c, RESERVE)) {
      s.setString(1, gatewayId);
      s.setString(2, principalKey);
      s.setObject(3, day);
      s.setInt(4, seconds);
      s.executeUpdate();
    }
  }

  private static String quoted(java.util.Set<SessionState> states) {
    return states.stream().map(state -> "'" + state.code() + "'").collect(Collectors.joining(", "));
  }
}
