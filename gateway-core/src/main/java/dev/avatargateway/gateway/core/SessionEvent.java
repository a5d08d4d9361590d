package dev.avatargateway.gateway.core;

import java.util.Map;
import java.util.Objects;

/**
 * One event of an asynchronous start's stream (docs/sessions.md), as a transport sends it: an id
 * for {@code Last-Event-ID}, a name and a JSON object. Only a {@value #CREDENTIALS} event carries a
 * secret, is sent at most once and is never kept; {@code toString()} hides its data.
 *
 * @param id the event's id within its start ({@value #END_ID} for the one event that stands for a
 *     start this instance no longer follows)
 * @param name {@value #QUEUED}, {@value #CREATED}, {@value #READY}, {@value #CREDENTIALS}, {@value
 *     #FAILED}, {@value #CANCELLED} or {@value #STATE}
 * @param data the JSON members, in order
 */
public record SessionEvent(String id, String name, Map<String, Object> data) {
  /** Waiting for capacity: {@code position}, {@code etaSeconds} (null when unknown). */
  public static final String QUEUED = "queued";

  /** Runway created the session: {@code sessionId}, the upstream id. */
  public static final String CREATED = "created";

  /** The session is READY. */
  public static final String READY = "ready";

  /** The connect answer, once: credentials or the session key, as {@code POST /connect} gives. */
  public static final String CREDENTIALS = "credentials";

  /**
   * The start failed: {@code code}, {@code error} (and {@code failureCode} when Runway gave one).
   */
  public static final String FAILED = "failed";

  /** The session was cancelled: {@code reason}. */
  public static final String CANCELLED = "cancelled";

  /**
   * In place of the credentials when they cannot be sent (already delivered, or the start is not
   * followed by this instance): {@code state}, the ledger's, and {@code sessionId}.
   */
  public static final String STATE = "state";

  /** The id of a {@value #STATE} event that ends a stream answered from the ledger alone. */
  public static final String END_ID = "end";

  /** Copies the data. */
  public SessionEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
  }

  /** Whether this event ends the stream. */
  public boolean terminal() {
    return switch (name) {
      case CREDENTIALS, FAILED, CANCELLED, STATE -> true;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return "SessionEvent[id="
        + id
        + ", name="
        + name
        + ", data="
        + (CREDENTIALS.equals(name) ? "***" : data)
        + "]";
  }
}
