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

  /**
   * The {@code Allow} value for {@code path}, if the path is a route; a route's {@code {name}}
   * segment matches any one segment.
   */
  Optional<String> allow(String path) {
    String wanted = normalize(path);
    Set<String> methods = byPath.get(wanted);
    if (methods == null) {
      for (Map.Entry<String, Set<String>> route : byPath.entrySet()) {
        if (route.getKey().contains("{") && matches(route.getKey(), wanted)) {
          methods = route.getValue();
          break;
        }
      }
    }
    return methods == null ? Optional.empty() : Optional.of(String.join(", ", methods));
  }

  private static boolean matches(String template, String path) {
    String[] want = template.split("/", -1);
    String[] have = path.split("/", -1);
    if (want.length != have.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      boolean parameter = want[i].startsWith("{") && want[i].endsWith("}");
      if (parameter ? have[i].isEmpty() : !want[i].equals(have[i])) {
        return false;
      }
    }
    return true;
  }

  // The router ignores a trailing slash, so the lookup does too.
  private static String normalize(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
