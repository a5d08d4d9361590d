package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.util.List;

/**
 * One reader of an asynchronous start's events. While it is open the start counts as watched (see
 * {@link SessionsConfig#readerGrace()}); close it when the reader leaves, from any thread (a
 * disconnect noticed elsewhere also ends a {@link #next} that waits). Read by one thread.
 */
public interface SessionEvents extends AutoCloseable {
  /**
   * The events the reader has not had yet, waiting at most {@code timeout} for one.
   *
   * @return empty when none came in time (a transport then sends its keep-alive), or when the
   *     stream is {@link #finished()}
   */
  List<SessionEvent> next(Duration timeout) throws InterruptedException;

  /** Whether the stream's last event was returned: nothing more will come. */
  boolean finished();

  /**
   * The transport could not send the events {@link #next} returned last (the reader is gone). If
   * they held the credentials, nobody can use the session any more, and it is ended upstream.
   */
  void notSent();

  /** The reader left. */
  @Override
  void close();
}
