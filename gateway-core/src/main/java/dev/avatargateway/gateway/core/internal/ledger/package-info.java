/**
 * The durable session ledger's storage: every upstream session the gateway starts is a row, written
 * ahead of each step, so that nothing paid is left running after a crash.
 *
 * <ul>
 *   <li>{@link dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase} opens the database
 *       named by {@link dev.avatargateway.gateway.core.LedgerConfig} (H2 embedded by default,
 *       PostgreSQL by URL) and migrates its schema ({@code db/ledger/V*.sql}).
 *   <li>{@link dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger} records a
 *       session's steps: the intent before {@code create} is sent, the upstream id as soon as it is
 *       known, each transition before the next step, as a compare-and-set on the state; and keeps
 *       the runs' leases.
 *   <li>On top of it a keeper takes over the sessions of runs whose lease expired ({@code
 *       claimOrphans}), cancels those never handed over, retries failed cancels with back-off and
 *       follows handed-over sessions until they end ({@code due}).
 * </ul>
 *
 * <p>A session moves through {@link dev.avatargateway.gateway.core.internal.ledger.SessionState}:
 * {@code pending → created → ready → consumed | handed_out → running}, with {@code cancelling}
 * possible from any of them, and ends {@code completed}, {@code failed}, {@code cancelled}, {@code
 * rejected} (create refused) or {@code lost} (create's outcome never recorded).
 */
package dev.avatargateway.gateway.core.internal.ledger;
