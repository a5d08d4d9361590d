package dev.avatargateway.runway.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One HTTP request as the transports see it.
 *
 * @param method the HTTP method
 * @param uri the absolute URI
 * @param headers header name and value pairs, in sending order
 * @param body the body; empty for none
 * @param timeout the time-out of one attempt
 * @param deadline nothing of this request may run past it
 * @param maxRetries how many retries are allowed
 * @param retrySafety which failures may be retried
 * @param operation the API call's name for observers, e.g. {@code realtime_sessions.create}
 * @param retry 0 for the first attempt, then 1, 2, ... (set by the retrying transport)
 * @param connectionWait how long this attempt waited for a free connection before it was sent (set
 *     by the connection-limiting transport; zero before)
 */
public record OutgoingRequest(
    String method,
    URI uri,
    List<Header> headers,
    Optional<byte[]> body,
    Duration timeout,
    Optional<Instant> deadline,
    int maxRetries,
    RetrySafety retrySafety,
    String operation,
    int retry,
    Duration connectionWait) {

  /** Copies the headers. */
  public OutgoingRequest {
    headers = List.copyOf(headers);
  }

  /** A copy with another per-attempt time-out. */
  public OutgoingRequest withTimeout(Duration timeout) {
    return new OutgoingRequest(
        method,
        uri,
        headers,
        body,
        timeout,
        deadline,
        maxRetries,
        retrySafety,
        operation,
        retry,
        connectionWait);
  }

  /** A copy for attempt number {@code retry} (0 for the first). */
  public OutgoingRequest withRetry(int retry) {
    return new OutgoingRequest(
        method,
        uri,
        headers,
        body,
        timeout,
        deadline,
        maxRetries,
        retrySafety,
        operation,
        retry,
        connectionWait);
  }

  /** A copy that records how long the attempt waited for a free connection. */
  public OutgoingRequest withConnectionWait(Duration connectionWait) {
    return new OutgoingRequest(
        method,
        uri,
        headers,
        body,
        timeout,
        deadline,
        maxRetries,
        retrySafety,
        operation,
        retry,
        connectionWait);
  }

  /** The first value of the named header (case-insensitive), if any. */
  public Optional<String> header(String name) {
    return headers.stream()
        .filter(h -> h.name().equalsIgnoreCase(name))
        .map(Header::value)
        .findFirst();
  }

  /**
   * One header. {@code toString()} hides the value of {@code Authorization}.
   *
   * @param name the header name
   * @param value the header value
   */
  public record Header(String name, String value) {
    @Override
    public String toString() {
      return name + ": " + (name.equalsIgnoreCase("authorization") ? "***" : value);
    }
  }

  /** Which failures may be retried without risk of doing the work twice. */
  public enum RetrySafety {
    /**
     * Repeating the request does no harm (GET, DELETE) or no worse than failing (consume): every
     * retryable failure is retried.
     */
    IDEMPOTENT,
    /**
     * Repeating the request could do paid work twice (create). Retried only when the upstream
     * provably did nothing: the connection was never made, or it answered 429.
     */
    NOT_IDEMPOTENT
  }
}
