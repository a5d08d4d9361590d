package dev.avatargateway.gateway.core.internal.ledger;

/**
 * The ledger could not read or record something: the database is unreachable, closed, or refused
 * the statement. The message says what the ledger was doing and names {@code ledger.url} (with any
 * password masked); it never holds a password. A connect that meets it stops and cancels its
 * session rather than run a paid session the books do not know about.
 */
public final class LedgerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure without an underlying exception. */
  public LedgerException(String message) {
    super(message);
  }

  /** A failure caused by {@code cause} (usually a {@link java.sql.SQLException}). */
  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
