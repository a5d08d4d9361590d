package dev.avatargateway.gateway.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Writes a start's {@link SessionEvents} as Server-Sent Events ({@code text/event-stream}, HTML
 * Living Standard §9.2.4) to an adapter's response: every adapter streams through this, so that the
 * frames, the heartbeats and what a reader that leaves does are the same everywhere.
 */
public final class EventStreamWriter {
  /** A comment line: keeps proxies from closing an idle stream, and finds a reader that left. */
  private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

  private EventStreamWriter() {}

  /**
   * Writes {@code first}, then each batch the events give, and a heartbeat whenever {@code
   * heartbeat} passes without one, until the events are finished or the reader is gone. A batch
   * that cannot be written is given back ({@link SessionEvents#notSent()}), for the reader's next
   * connection to have. Returns normally in every case but an interrupt.
   *
   * @param out the response body, headers already set; flushed after each batch
   * @param heartbeat how long the stream may stay silent ({@link Sessions#heartbeatInterval()})
   * @param gone whether the adapter saw the reader leave (checked between batches)
   * @throws InterruptedException when the calling thread is interrupted while it waits
   */
  public static void pump(
      SessionEvents events,
      List<SessionEvent> first,
      OutputStream out,
      Duration heartbeat,
      BooleanSupplier gone)
      throws InterruptedException {
    Objects.requireNonNull(events, "events");
    List<SessionEvent> batch = first;
    try {
      out.flush();
      while (!gone.getAsBoolean()) {
        if (!batch.isEmpty()) {
          try {
            for (SessionEvent event : batch) {
              out.write(frame(event));
            }
            out.flush();
          } catch (IOException e) {
            events.notSent();
            return;
          }
        }
        if (events.finished()) {
          return;
        }
        batch = events.next(heartbeat);
        if (batch.isEmpty() && !events.finished() && !gone.getAsBoolean()) {
          out.write(HEARTBEAT);
          out.flush();
        }
      }
    } catch (IOException e) {
      // The reader is gone: the adapter closes the events, which starts the reader grace.
    }
  }

  /** One event as a frame; the JSON is written on one line, so that one data line carries it. */
  public static byte[] frame(SessionEvent event) {
    return ("id: "
            + event.id()
            + "\nevent: "
            + event.name()
            + "\ndata: "
            + JsonAnswers.json(event.data())
            + "\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
