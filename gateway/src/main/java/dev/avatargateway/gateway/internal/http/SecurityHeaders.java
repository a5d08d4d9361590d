package dev.avatargateway.gateway.internal.http;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Headers every answer carries, the gateway's own and those Jetty writes itself: answers carry
 * credentials or errors, so they must never be cached, sniffed or framed.
 */
final class SecurityHeaders {
  private static final Map<String, String> ALL =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "Cache-Control", "no-store",
          "Referrer-Policy", "no-referrer",
          "X-Frame-Options", "DENY",
          "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
          "Strict-Transport-Security", "max-age=31536000");

  private SecurityHeaders() {}

  /** Sets every header with {@code setter} (name, value). */
  static void apply(BiConsumer<String, String> setter) {
    ALL.forEach(setter);
  }
}
