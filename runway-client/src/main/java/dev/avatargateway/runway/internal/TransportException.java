package dev.avatargateway.runway.internal;

/** No response was received. {@link #kind()} says how far the request got. */
public final class TransportException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Kind kind;

  /**
   * @param kind how the attempt failed
   * @param message what failed
   * @param cause the I/O failure, or null
   */
  public TransportException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** How the attempt failed. */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether the upstream provably never saw the request: the connection was never made, or the
   * attempt never got one.
   */
  public boolean neverSent() {
    return kind == Kind.CONNECT_REFUSED
        || kind == Kind.CONNECT_TIMEOUT
        || kind == Kind.DEADLINE
        || kind == Kind.NO_FREE_CONNECTION;
  }

  /** Whether this is a time-out rather than a broken or refused connection. */
  public boolean isTimeout() {
    return kind == Kind.CONNECT_TIMEOUT
        || kind == Kind.TIMEOUT
        || kind == Kind.DEADLINE
        || kind == Kind.NO_FREE_CONNECTION;
  }

  /** How an attempt failed. */
  public enum Kind {
    /** The TCP connection was refused: nothing was sent. */
    CONNECT_REFUSED,
    /** The TCP connection was not made in time: nothing was sent. */
    CONNECT_TIMEOUT,
    /** The caller's deadline passed before the attempt started: nothing was sent. */
    DEADLINE,
    /**
     * Every connection the client may hold stayed busy for the attempt's whole time-out: the
     * attempt waited in the client and nothing was sent.
     */
    NO_FREE_CONNECTION,
    /** The request may have been sent, but no response came in time. */
    TIMEOUT,
    /** The connection broke after it was made: the request may have been processed. */
    IO
  }
}
