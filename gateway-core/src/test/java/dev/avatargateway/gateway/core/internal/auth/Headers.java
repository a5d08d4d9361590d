package dev.avatargateway.gateway.core.internal.auth;

import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Request headers for tests, with case-insensitive names as HTTP has them. */
final class Headers {
  private Headers() {}

  /** Headers from name, value, name, value, ... */
  static RequestHeaders of(String... namesAndValues) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return name -> Optional.ofNullable(map.get(name));
  }

  static RequestHeaders bearer(String token) {
    return of("Authorization", "Bearer " + token);
  }

  static RequestHeaders none() {
    return of();
  }
}
