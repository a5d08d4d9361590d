package dev.avatargateway.gateway.core.internal.idempotency;

import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.getInstant;
import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.prepare;
import static dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc.setInstant;

import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code idempotency_keys} table (migration V3) in the ledger's database. A key is claimed
 * insert-first: the row's primary key is the (principal, key) digest, so of any number of requests
 * inserting it at once, on any number of gateway instances sharing the database, exactly one
 * succeeds; the others read the row. A running claim can be taken over once its lease has expired,
 * or its owner run (V1's {@code ledger_runs}) is retired, has no live lease, or is unknown: the
 * crashed connect's session is cancelled by the ledger's recovery, so the key is free again. Every
 * change of a claim is a compare-and-set on its {@code claim_id}, so a claim taken over cannot be
 * completed or released by its first owner. Every method is a short transaction; database failures
 * are {@link LedgerException}s. Instants are stored in UTC, to the microsecond.
 */
public final class IdempotencyStore {

  /**
   * A claim that keeps losing its row between the insert and the read (pruned or released at that
   * very moment) gives up after this many rounds and reports the key in use.
   */
  private static final int MAX_CLAIM_ROUNDS = 3;

  /** SQLSTATE class 23, integrity constraint violation (23505 on both H2 and PostgreSQL). */
  private static final String INTEGRITY_VIOLATION = "23";

  private static final String INSERT =
      """
      INSERT INTO idempotency_keys (
        scope_digest, principal_name, operation, fingerprint, state, claim_id, owner_run_id,
        created_at, lease_expires_at, expires_at)
      VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)
      """;

  /**
   * Takes a row over as a new claim when it is past its retention, or running with an expired lease
   * or a dead owner run.
   */
  private static final String TAKE_OVER =
      """
      UPDATE idempotency_keys
         SET principal_name = ?, operation = ?, fingerprint = ?, state = 'running', claim_id = ?,
             owner_run_id = ?, created_at = ?, lease_expires_at = ?, completed_at = NULL,
             expires_at = ?, answer_sealed = NULL
       WHERE scope_digest = ?
         AND (expires_at <= ?
              OR (state = 'running'
                  AND (lease_expires_at <= ?
                       OR NOT EXISTS (
                         SELECT 1 FROM ledger_runs r
                          WHERE r.run_id = idempotency_keys.owner_run_id
                            AND r.retired_at IS NULL AND r.lease_expires_at > ?))))
      """;

  private static final String FIND =
      """
      SELECT state, operation, fingerprint, claim_id, owner_run_id, created_at, lease_expires_at,
             completed_at, expires_at, answer_sealed
        FROM idempotency_keys
       WHERE scope_digest = ?
      """;

  private static final String COMPLETE =
      """
      UPDATE idempotency_keys
         SET state = 'done', answer_sealed = ?, completed_at = ?
       WHERE scope_digest = ? AND claim_id = ? AND state = 'running'
      """;

  private static final String RELEASE =
      "DELETE FROM idempotency_keys WHERE scope_digest = ? AND claim_id = ? AND state = 'running'";

  /** Oldest first, a bounded batch: a large backlog is pruned over several rounds. */
  private static final String PRUNE =
      """
      DELETE FROM idempotency_keys
       WHERE scope_digest IN (
         SELECT scope_digest FROM idempotency_keys
          WHERE expires_at <= ?
          ORDER BY expires_at
          LIMIT ?)
      """;

  private final LedgerDatabase database;

  /**
   * @param database the ledger's database, migrated to V3 or later
   */
  public IdempotencyStore(LedgerDatabase database) {
    this.database = Objects.requireNonNull(database, "database");
  }

  /**
   * What a request asks for: the key's row, what it would store, and how long its claim holds.
   *
   * @param scope the (principal, key) digest
   * @param principal the principal's name, for operators' queries
   * @param operation the operation's code
   * @param fingerprint the request's fingerprint
   * @param runId the claiming run (V1's {@code ledger_runs})
   * @param now the time
   * @param leaseExpiresAt until when the claim holds, unless its run dies first
   * @param expiresAt when the row is pruned
   */
  public record ClaimRequest(
      String scope,
      String principal,
      String operation,
      String fingerprint,
      String runId,
      Instant now,
      Instant leaseExpiresAt,
      Instant expiresAt) {}

  /** What a claim found. */
  public sealed interface Claim {}

  /**
   * This request holds the key: it runs, then completes or releases the claim.
   *
   * @param claimId the claim's id
   */
  public record Claimed(String claimId) implements Claim {}

  /**
   * Another request holds the key and is still running.
   *
   * @param operation its operation
   * @param fingerprint its fingerprint
   */
  public record Running(String operation, String fingerprint) implements Claim {}

  /**
   * A request with the key was carried out and its answer stored.
   *
   * @param operation its operation
   * @param fingerprint its fingerprint
   * @param sealed the stored answer, encrypted
   */
  public record Done(String operation, String fingerprint, String sealed) implements Claim {
    @Override
    public String toString() {
      return "Done[operation=" + operation + "]";
    }
  }

  /**
   * A row as stored (for operators and tests).
   *
   * @param state {@code running} or {@code done}
   * @param answerSealed the encrypted answer; null while running
   */
  public record Row(
      String state,
      String operation,
      String fingerprint,
      String claimId,
      String ownerRunId,
      Instant createdAt,
      Instant leaseExpiresAt,
      Instant completedAt,
      Instant expiresAt,
      String answerSealed) {
    @Override
    public String toString() {
      return "Row[state=" + state + ", operation=" + operation + ", claimId=" + claimId + "]";
    }
  }

  /** Claims the key, or tells who holds it. */
  public Claim claim(ClaimRequest request) {
    Objects.requireNonNull(request, "request");
    for (int round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      String claimId = UUID.randomUUID().toString();
      if (insert(request, claimId)) {
        return new Claimed(claimId);
      }
      if (takeOver(request, claimId)) {
        return new Claimed(claimId);
      }
      Optional<Row> row = find(request.scope());
      if (row.isPresent()) {
        Row r = row.get();
        return "done".equals(r.state())
            ? new Done(r.operation(), r.fingerprint(), r.answerSealed())
            : new Running(r.operation(), r.fingerprint());
      }
      // Deleted since the insert failed (released or pruned): try again.
    }
    return new Running(request.operation(), request.fingerprint());
  }

  /** Whether the insert won; false when the row exists. */
  private boolean insert(ClaimRequest r, String claimId) {
    try (Connection c = database.dataSource().getConnection()) {
      Savepoint before = c.setSavepoint();
      try (PreparedStatement s = prepare(c, INSERT)) {
        int i = 0;
        s.setString(++i, r.scope());
        s.setString(++i, r.principal());
        s.setString(++i, r.operation());
        s.setString(++i, r.fingerprint());
        s.setString(++i, claimId);
        s.setString(++i, r.runId());
        setInstant(s, ++i, r.now());
        setInstant(s, ++i, r.leaseExpiresAt());
        setInstant(s, ++i, r.expiresAt());
        s.executeUpdate();
        c.commit();
        return true;
      } catch (SQLException e) {
        rollback(c, before, e);
        if (e.getSQLState() != null && e.getSQLState().startsWith(INTEGRITY_VIOLATION)) {
          return false;
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failure("claim an idempotency key", e);
    }
  }

  private boolean takeOver(ClaimRequest r, String claimId) {
    return update(
            "take over an idempotency key",
            TAKE_OVER,
            s -> {
              int i = 0;
              s.setString(++i, r.principal());
              s.setString(++i, r.operation());
              s.setString(++i, r.fingerprint());
              s.setString(++i, claimId);
              s.setString(++i, r.runId());
              setInstant(s, ++i, r.now());
              setInstant(s, ++i, r.leaseExpiresAt());
              setInstant(s, ++i, r.expiresAt());
              s.setString(++i, r.scope());
              setInstant(s, ++i, r.now());
              setInstant(s, ++i, r.now());
              setInstant(s, ++i, r.now());
            })
        == 1;
  }

  /**
   * Stores the answer of the claim and ends it.
   *
   * @return false when the claim is no longer this one's (taken over after its lease)
   */
  public boolean complete(String scope, String claimId, String sealed, Instant now) {
    Objects.requireNonNull(sealed, "sealed");
    return update(
            "store an idempotent answer",
            COMPLETE,
            s -> {
              s.setString(1, sealed);
              setInstant(s, 2, now);
              s.setString(3, scope);
              s.setString(4, claimId);
            })
        == 1;
  }

  /**
   * Gives the key up: a request with it starts anew.
   *
   * @return false when the claim is no longer this one's
   */
  public boolean release(String scope, String claimId) {
    return update(
            "release an idempotency key",
            RELEASE,
            s -> {
              s.setString(1, scope);
              s.setString(2, claimId);
            })
        == 1;
  }

  /**
   * Deletes up to {@code limit} rows past their retention at {@code now}, oldest first.
   *
   * @return how many
   */
  public int prune(Instant now, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return update(
        "prune idempotency keys",
        PRUNE,
        s -> {
          setInstant(s, 1, now);
          s.setInt(2, limit);
        });
  }

  /** The row of this (principal, key) digest, if any. */
  public Optional<Row> find(String scope) {
    try (Connection c = database.dataSource().getConnection()) {
      Savepoint before = c.setSavepoint();
      try (PreparedStatement s = prepare(c, FIND)) {
        s.setString(1, scope);
        try (ResultSet rs = s.executeQuery()) {
          Optional<Row> row =
              rs.next()
                  ? Optional.of(
                      new Row(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          rs.getString(4),
                          rs.getString(5),
                          getInstant(rs, 6),
                          getInstant(rs, 7),
                          getInstant(rs, 8),
                          getInstant(rs, 9),
                          rs.getString(10)))
                  : Optional.empty();
          c.commit();
          return row;
        }
      } catch (SQLException e) {
        rollback(c, before, e);
        throw e;
      }
    } catch (SQLException e) {
      throw failure("read an idempotency key", e);
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement s) throws SQLException;
  }

  private int update(String doing, String sql, Binder binder) {
    try (Connection c = database.dataSource().getConnection()) {
      Savepoint before = c.setSavepoint();
      try (PreparedStatement s = prepare(c, sql)) {
        binder.bind(s);
        int count = s.executeUpdate();
        c.commit();
        return count;
      } catch (SQLException e) {
        rollback(c, before, e);
        throw e;
      }
    } catch (SQLException e) {
      throw failure(doing, e);
    }
  }

  private LedgerException failure(String doing, SQLException e) {
    return new LedgerException(
        "The session ledger could not "
            + doing
            + " ("
            + database.loggableUrl()
            + "): "
            + e.getClass().getSimpleName()
            + " "
            + e.getSQLState(),
        e);
  }

  /**
   * Undoes the transaction's own work only, back to a savepoint taken at its start, and commits
   * what came before it. On PostgreSQL the pool sets the connection's schema ({@code
   * ledger.schema}, a {@code SET search_path}) inside the first transaction of a new connection; a
   * full rollback of that transaction (here, typically, a claim that lost the insert race) would
   * undo it, and every later statement on the connection would miss the tables. Found by the
   * store's race test.
   */
  private static void rollback(Connection c, Savepoint before, Exception cause) {
    try {
      c.rollback(before);
      c.commit();
    } catch (SQLException e) {
      cause.addSuppressed(e);
      try {
        c.rollback();
      } catch (SQLException again) {
        cause.addSuppressed(again);
      }
    }
  }
}
