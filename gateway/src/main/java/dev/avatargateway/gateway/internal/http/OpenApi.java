package dev.avatargateway.gateway.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI 3.1 description of the gateway's own API, kept as the resource {@code openapi.json}
 * (edited by hand, next to the routes; a test fails when a route is missing from it).
 */
final class OpenApi {
  static final String PATH = "/openapi.json";

  private static final String DOCUMENT = load();

  private OpenApi() {}

  /** The document's text. */
  static String document() {
    return DOCUMENT;
  }

  private static String load() {
    try (InputStream in = OpenApi.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the gateway's resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
