package dev.avatargateway.simulator.internal.server;

import com.sun.net.httpserver.HttpExchange;
import dev.avatargateway.simulator.internal.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Low-level reading and writing of {@link HttpExchange}s. */
final class Exchanges {
  /** Create bodies are a few KB at most; 1 MiB leaves room for 20 tools at full length. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private static final String CONTENT_TYPE_JSON = "application/json";
  private static final byte[] NO_BODY = new byte[0];

  private Exchanges() {}

  /** Thrown when a body exceeds {@link #MAX_BODY_BYTES}. */
  static final class BodyTooLarge extends Exception {
    private static final long serialVersionUID = 1L;
  }

  static byte[] readBody(HttpExchange ex) throws IOException, BodyTooLarge {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if ((length == null || length.equals("0"))
        && !ex.getRequestHeaders().containsKey("Transfer-Encoding")) {
      // Bodiless requests (every status poll): skip readNBytes' buffer allocation.
      return NO_BODY;
    }
    byte[] body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new BodyTooLarge();
    }
    return body;
  }

  /** Request headers keyed by lower-case name (JDK {@code Headers} capitalises them). */
  static Map<String, List<String>> headers(HttpExchange ex) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    ex.getRequestHeaders()
        .forEach((name, values) -> out.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return out;
  }

  static Optional<String> first(Map<String, List<String>> headers, String lowerCaseName) {
    List<String> values = headers.get(lowerCaseName);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The token of an {@code Authorization: Bearer <token>} header. */
  static Optional<String> bearer(Map<String, List<String>> headers) {
    return first(headers, "authorization")
        .map(String::strip)
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length()))
        .map(v -> v.substring("Bearer ".length()).strip())
        .filter(v -> !v.isEmpty());
  }

  /** Decoded query parameters; the first value wins when a name repeats. */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  static void send(HttpExchange ex, Reply reply) throws IOException {
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (reply.body() == null) {
      ex.sendResponseHeaders(reply.status(), -1);
      ex.close();
      return;
    }
    byte[] bytes = Json.bytes(reply.body());
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE_JSON);
    ex.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A broken %-escape: keep the raw text, validation will then reject the value if it matters.
      return s;
    }
  }
}
