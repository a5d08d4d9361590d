package dev.avatargateway.gateway.core.internal.observability;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Keeps a tag's set of values small whatever callers pass: each series costs memory in the registry
 * and in Prometheus for ever, so a value that is not a short identifier, or one beyond the first
 * {@link #MAX_DISTINCT} distinct values, becomes {@link #OTHER}.
 */
final class BoundedTagValues {
  /** The value recorded instead of a rejected one. */
  static final String OTHER = "other";

  /**
   * Callers pass a handful of fixed names (7 upstream operations, a few limits and reasons); 32
   * leaves room for new ones while keeping a bug that passes ids from minting a series per call.
   */
  static final int MAX_DISTINCT = 32;

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z0-9_.-]{1,64}");

  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /** The value itself when it is allowed, else {@link #OTHER}. */
  String of(String value) {
    if (value == null) {
      return OTHER;
    }
    if (seen.contains(value)) {
      return value;
    }
    if (!IDENTIFIER.matcher(value).matches()) {
      return OTHER;
    }
    synchronized (seen) {
      if (seen.contains(value) || seen.size() < MAX_DISTINCT) {
        seen.add(value);
        return value;
      }
      return OTHER;
    }
  }
}
