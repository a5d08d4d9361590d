package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.Durations;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * Reads a connect request's body: at most the configured bytes, as JSON, within the configured
 * time. Every way a body can go wrong is an answer, never an unexpected failure: too large (413),
 * not JSON or sent with a Content-Type other than JSON, even when empty (415), cut off by the
 * client or with broken chunked framing (400 {@code incomplete_body}), or stalled (408 {@code
 * request_timeout}).
 *
 * <p>The time limit is enforced through the connection's idle time-out, lowered to what is left of
 * the budget before each read and restored after the body: a blocked servlet read has no time-out
 * of its own, and the connection's usual one must stay long enough for connects that wait a minute
 * or more for their session.
 */
final class RequestBody {
  private static final String JSON = "application/json";

  /** Bytes asked for per read: a connect body usually arrives in one packet. */
  private static final int CHUNK = 4096;

  /**
   * A body too large is still read, up to this much, before the 413 goes out: closing a socket with
   * unread bytes makes the kernel answer with a reset, and the client then sees a broken connection
   * instead of the 413. Beyond this the gateway would do real work for a client sending garbage, so
   * it answers at once and closes.
   */
  private static final long MAX_DRAINED_BYTES = 1024 * 1024;

  private final int maxBytes;
  private final Duration readTimeout;

  /**
   * @param maxBytes the largest body accepted
   * @param readTimeout how long the whole body may take to arrive
   */
  RequestBody(int maxBytes, Duration readTimeout) {
    this.maxBytes = maxBytes;
    this.readTimeout = readTimeout;
  }

  /**
   * Reads the body.
   *
   * @throws GatewayException with the answer for a body that cannot be used
   */
  byte[] read(Context ctx) {
    Optional<EndPoint> endPoint = endPoint(ctx);
    long declared = declaredLength(ctx.header("Content-Length"));
    if (declared > maxBytes) {
      drain(ctx, endPoint, declared);
      throw tooLarge();
    }
    long usualIdleTimeout = endPoint.map(EndPoint::getIdleTimeout).orElse(0L);
    long deadline = System.nanoTime() + readTimeout.toNanos();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[Math.min(CHUNK, maxBytes + 1)];
    try (InputStream in = ctx.req().getInputStream()) {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw timedOut();
        }
        endPoint.ifPresent(e -> e.setIdleTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        int n = in.read(chunk, 0, Math.min(chunk.length, maxBytes + 1 - body.size()));
        if (n < 0) {
          break;
        }
        body.write(chunk, 0, n);
        if (body.size() > maxBytes) {
          drain(ctx, endPoint, MAX_DRAINED_BYTES);
          throw tooLarge();
        }
      }
    } catch (IOException e) {
      // Jetty reports a stall as an idle time-out; an early end, or chunked framing so broken
      // that the end cannot be found, as an end of stream: either way the body is incomplete.
      throw causedBy(e, TimeoutException.class) ? timedOut() : cutOff();
    } finally {
      endPoint.ifPresent(e -> e.setIdleTimeout(usualIdleTimeout));
    }
    // A Content-Type that is sent must be JSON, even on an empty body (the default avatar): a
    // form or text/plain post is what another site can send without a CORS preflight.
    String contentType = ctx.header("Content-Type");
    if (contentType != null ? !isJson(contentType) : body.size() > 0) {
      throw new GatewayException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Send the request body as JSON (Content-Type: application/json).");
    }
    return body.toByteArray();
  }

  /** The declared length, or -1 when none is declared. */
  private static long declaredLength(String length) {
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "The Content-Length header is not a number.");
    }
  }

  /**
   * Reads and discards what is left of a body too large, up to {@link #MAX_DRAINED_BYTES} and
   * within the read time-out, so that the answer reaches the client; beyond either, the connection
   * is closed after the answer.
   */
  private void drain(Context ctx, Optional<EndPoint> endPoint, long expected) {
    if (expected > MAX_DRAINED_BYTES) {
      ctx.header("Connection", "close");
      return;
    }
    long usualIdleTimeout = endPoint.map(EndPoint::getIdleTimeout).orElse(0L);
    long deadline = System.nanoTime() + readTimeout.toNanos();
    byte[] scratch = new byte[CHUNK];
    long discarded = 0;
    try {
      InputStream in = ctx.req().getInputStream();
      while (discarded <= MAX_DRAINED_BYTES) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          ctx.header("Connection", "close");
          return;
        }
        endPoint.ifPresent(e -> e.setIdleTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        int n = in.read(scratch);
        if (n < 0) {
          return;
        }
        discarded += n;
      }
      ctx.header("Connection", "close");
    } catch (IOException e) {
      ctx.header("Connection", "close");
    } finally {
      endPoint.ifPresent(e -> e.setIdleTimeout(usualIdleTimeout));
    }
  }

  private static Optional<EndPoint> endPoint(Context ctx) {
    return Optional.ofNullable(ServletContextRequest.getServletContextRequest(ctx.req()))
        .map(request -> request.getConnectionMetaData().getConnection().getEndPoint());
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private GatewayException tooLarge() {
    return new GatewayException(
        ErrorCode.BODY_TOO_LARGE, "The request body is larger than " + maxBytes + " bytes.");
  }

  private GatewayException timedOut() {
    return new GatewayException(
        ErrorCode.REQUEST_TIMEOUT,
        "The request body did not arrive within " + Durations.format(readTimeout) + ".");
  }

  private static GatewayException cutOff() {
    return new GatewayException(
        ErrorCode.INCOMPLETE_BODY, "The request body ended before it was complete.");
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals(JSON) || (type.startsWith("application/") && type.endsWith("+json"));
  }
}
