package dev.avatargateway.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request received on the Runway API routes (admin routes are not recorded), exactly as it
 * arrived. Headers are kept verbatim, including {@code Authorization}, so tests can check what a
 * client sent; do not log these records in shared places.
 *
 * @param time simulated arrival time
 * @param method HTTP method
 * @param path raw path, e.g. {@code /v1/realtime_sessions}
 * @param query raw query string, empty when there is none
 * @param headers header values by lower-case name
 * @param body the request body as UTF-8 text, empty when there is none
 */
public record RecordedRequest(
    Instant time,
    String method,
    String path,
    String query,
    Map<String, List<String>> headers,
    String body) {

  /** Copies the header map so the record is immutable. */
  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header (name in any case), if present. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
