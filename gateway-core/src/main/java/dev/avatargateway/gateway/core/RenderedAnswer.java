package dev.avatargateway.gateway.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An answer as the transport sends it: the status, the JSON body's exact text and the headers that
 * belong to the answer itself (such as {@code Retry-After} or {@code Location}; not per-request
 * ones such as {@code X-Request-Id}). What an idempotent start stores and replays, byte for byte.
 * {@code toString()} shows no body: it may hold a token.
 *
 * @param status the HTTP status
 * @param json the body, JSON text
 * @param headers header names and values, in order
 */
public record RenderedAnswer(int status, String json, Map<String, String> headers) {
  /** Copies the headers, keeping their order. */
  public RenderedAnswer {
    Objects.requireNonNull(json, "json");
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  @Override
  public String toString() {
    return "RenderedAnswer[status=" + status + ", headers=" + headers.keySet() + "]";
  }
}
