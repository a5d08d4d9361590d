package dev.avatargateway.gateway.internal.http;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The methods each route accepts, so that a known path asked with another method answers 405 {@code
 * method_not_allowed} with an {@code Allow} header (RFC 9110 §15.5.6) rather than the router's 404.
 */
final class AllowedMethods {
  private final Map<String, Set<String>> byPath = new LinkedHashMap<>();

  /** Records that {@code path} accepts {@code method}. */
  void add(String path, String method) {
    byPath.computeIfAbsent(normalize(path), p -> new LinkedHashSet<>()).add(method);
  }

  /** The {@code Allow} value for {@code path}, if the path is a route. */
  Optional<String> allow(String path) {
    Set<String> methods = byPath.get(normalize(path));
    return methods == null ? Optional.empty() : Optional.of(String.join(", ", methods));
  }

  // The router ignores a trailing slash, so the lookup does too.
  private static String normalize(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
