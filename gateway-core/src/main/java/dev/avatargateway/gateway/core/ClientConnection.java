package dev.avatargateway.gateway.core;

import java.nio.ByteBuffer;

/**
 * A client's connection as its server exposes it, looked at without blocking to learn whether the
 * client is still there; {@link ConnectionWatcher} looks at it while a request waits. Each server
 * adapter implements it for its own transport.
 */
@FunctionalInterface
public interface ClientConnection {
  /** What one look found. */
  enum Look {
    /** Nothing to read: the client waits for its answer. */
    WAITING,
    /** The client closed or reset its connection. */
    GONE,
    /**
     * The client sent bytes (a pipelined next request) that were given back to the server: nothing
     * more can be told until the answer, and nothing is lost.
     */
    SENT_BYTES,
    /**
     * The client sent bytes that could not be given back: its next request lost them, so the
     * connection must be closed after this answer.
     */
    LOST_BYTES,
    /** The look failed for another reason: nothing can be told about this connection. */
    CANNOT_TELL
  }

  /**
   * One non-blocking look; called on one thread at a time, never after the watch was closed.
   *
   * @param scratch a heap buffer of at least one byte to read into, in no particular state (prepare
   *     it before reading); its content is not kept
   * @return what the look found; a look that throws counts as {@link Look#CANNOT_TELL}
   */
  Look look(ByteBuffer scratch);
}
