package dev.avatargateway.gateway.core.internal.auth;

import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.Locale;
import java.util.Optional;

/** Reads credentials from request headers. */
final class Credentials {
  static final String AUTHORIZATION = "Authorization";
  static final String X_API_KEY = "X-Api-Key";
  private static final String BEARER = "bearer";

  private Credentials() {}

  /**
   * The token of an {@code Authorization: Bearer <token>} header (the scheme is case-insensitive,
   * RFC 7235 §2.1).
   *
   * @return empty when there is no Authorization header or it uses another scheme
   * @throws AuthFailure {@code INVALID} for a Bearer header without a token
   */
  static Optional<String> bearer(RequestHeaders headers) {
    Optional<String> header = headers.get(AUTHORIZATION).map(String::strip);
    if (header.isEmpty() || header.get().isEmpty()) {
      return Optional.empty();
    }
    String value = header.get();
    int space = firstWhitespace(value);
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.toLowerCase(Locale.ROOT).equals(BEARER)) {
      return Optional.empty();
    }
    String token = space < 0 ? "" : value.substring(space).strip();
    if (token.isEmpty()) {
      throw new AuthFailure(AuthFailure.Reason.INVALID);
    }
    return Optional.of(token);
  }

  /** The value of a non-blank {@code X-Api-Key} header, stripped. */
  static Optional<String> apiKeyHeader(RequestHeaders headers) {
    return headers.get(X_API_KEY).map(String::strip).filter(value -> !value.isEmpty());
  }

  private static int firstWhitespace(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == ' ' || value.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }
}
