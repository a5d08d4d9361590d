package dev.avatargateway.spring.internal.web;

import java.nio.ByteBuffer;

/** A client's connection, looked at without blocking to learn whether the client is still there. */
interface ClientConnection {
  /** What one look found. */
  enum Look {
    /** Nothing to read: the client waits for its answer. */
    WAITING,
    /** The client closed or reset its connection. */
    GONE,
    /** The client sent bytes (a pipelined next request); they were given back to the container. */
    SENT_BYTES,
    /** The client sent bytes that could not be given back: its next request lost them. */
    LOST_BYTES,
    /** The look failed for another reason: nothing can be told about this connection. */
    CANNOT_TELL
  }

  /**
   * One non-blocking look; called on one thread at a time, never while the request's own thread
   * reads.
   *
   * @param scratch a buffer to read into (its content is not kept)
   */
  Look look(ByteBuffer scratch);
}
