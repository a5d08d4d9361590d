package dev.avatargateway.simulator.internal.server;

import com.sun.net.httpserver.Headers;
import dev.avatargateway.simulator.internal.Origins;
import dev.avatargateway.simulator.internal.json.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * CORS for consume, the one route a browser calls: core {@code streamTo}/{@code connect} and the
 * React SDK in session-key mode send {@code POST {baseUrl}/v1/realtime_sessions/{id}/consume} with
 * {@code Content-Type: application/json} and {@code Authorization: Bearer <sessionKey>} straight
 * from the page (client-contract.md §1.5), so the browser preflights it.
 *
 * <p>ASSUMPTION (client-contract.md "Open questions" 5: undocumented): Runway admits any origin
 * there; {@code consumeCorsOrigins} restricts or disables it. Every other route needs the API
 * secret, which must never reach a browser, so they get no CORS headers and their {@code OPTIONS}
 * stays a 405: a page calling them is a bug the simulator should make fail.
 */
final class Cors {
  static final String ALLOW_METHODS = "POST";

  /**
   * What the SDK sends, plus {@code X-Runway-Version}: harmless, and a page that copies the
   * server-side samples' headers (client-contract.md §1.5) should not fail on it.
   */
  static final String ALLOW_HEADERS = "Content-Type, Authorization, X-Runway-Version";

  /**
   * The non-safelisted response headers the simulator sends on consume (request id, and the
   * fault-injection retry hints), so page code can read them like a server client can.
   */
  static final String EXPOSE_HEADERS = "x-request-id, Retry-After, retry-after-ms, x-should-retry";

  /**
   * How long a browser may reuse a preflight answer, in seconds: a page's later consumes skip the
   * preflight, yet a changed {@code consumeCorsOrigins} reaches an open page within minutes
   * (Chromium caps the value at 7200 anyway).
   */
  static final long MAX_AGE_SECONDS = 600;

  /** What the configuration says about one request's {@code Origin}. */
  sealed interface Decision {}

  /** {@code consumeCorsOrigins} is empty: no CORS at all. */
  record Off() implements Decision {}

  /**
   * The origin is admitted.
   *
   * @param allowOrigin the {@code Access-Control-Allow-Origin} value: {@code *} or the echoed
   *     origin
   * @param varies whether the answer depends on {@code Origin} (an echoed origin)
   */
  record Allowed(String allowOrigin, boolean varies) implements Decision {}

  /** A list of origins is configured and the request's is missing or not on it. */
  record Refused() implements Decision {}

  private static final Off OFF = new Off();
  private static final Refused REFUSED = new Refused();
  private static final Allowed ANY = new Allowed(Origins.ANY, false);

  private Cors() {}

  /** No CORS; what every route but consume gets. */
  static Decision off() {
    return OFF;
  }

  static Decision decide(List<String> admitted, Optional<String> origin) {
    if (admitted.isEmpty()) {
      return OFF;
    }
    if (admitted.contains(Origins.ANY)) {
      // Sent whether or not the request has an Origin: the answer is then the same for every
      // client, so caches need no Vary.
      return ANY;
    }
    return origin
        .map(String::strip)
        // Browsers send the serialised origin (RFC 6454 §6.1), already lower case; admitted
        // entries were normalised to that form.
        .filter(o -> admitted.contains(o.toLowerCase(Locale.ROOT)))
        .<Decision>map(o -> new Allowed(o, true))
        .orElse(REFUSED);
  }

  /** Adds the headers an actual (non-preflight) consume answer carries, whatever its status. */
  static void annotate(Headers response, Decision decision) {
    switch (decision) {
      case Off off -> {}
      case Refused r -> response.set("Vary", "Origin");
      case Allowed a -> {
        response.set("Access-Control-Allow-Origin", a.allowOrigin());
        response.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        if (a.varies()) {
          response.set("Vary", "Origin");
        }
      }
    }
  }

  /**
   * The answer to {@code OPTIONS} on consume. No authentication: browsers never send credentials on
   * a preflight (Fetch standard, CORS-preflight request).
   */
  static Reply preflight(Decision decision) {
    return switch (decision) {
      // As if CORS did not exist: the route serves POST only.
      case Off off ->
          new Reply(
              HttpStatus.METHOD_NOT_ALLOWED,
              Json.error("Method not allowed"),
              Map.of("Allow", ALLOW_METHODS));
      // ASSUMPTION: a refused origin gets 403 and no CORS headers; the browser fails the
      // preflight on the missing headers whatever the status, 403 only tells a human why.
      case Refused r ->
          new Reply(
              HttpStatus.FORBIDDEN, Json.error("Origin not allowed"), Map.of("Vary", "Origin"));
      case Allowed a -> {
        Map<String, String> h =
            new HashMap<>(
                Map.of(
                    "Access-Control-Allow-Origin",
                    a.allowOrigin(),
                    "Access-Control-Allow-Methods",
                    ALLOW_METHODS,
                    "Access-Control-Allow-Headers",
                    ALLOW_HEADERS,
                    "Access-Control-Max-Age",
                    Long.toString(MAX_AGE_SECONDS)));
        if (a.varies()) {
          h.put("Vary", "Origin");
        }
        yield new Reply(HttpStatus.NO_CONTENT, null, h);
      }
    };
  }
}
