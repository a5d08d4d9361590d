package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.Optional;

/**
 * The {@code Idempotency-Key} request header. The IETF draft (draft-ietf-httpapi-idempotency-key-
 * header, §2.1) makes it a Structured Field String, quoted ({@code "8e03978e-..."}); Stripe's
 * clients send it bare. Both are accepted and mean the same key: a quoted value is unquoted (with
 * its {@code \"} and {@code \\} escapes) first. The key is then 1 to {@value #MAX_LENGTH} visible
 * ASCII characters ({@code !} to {@code ~}): Stripe's limit is 255 characters, and anything else
 * (control characters, spaces, non-ASCII) is refused rather than normalised, so that two spellings
 * never name one key.
 */
public final class IdempotencyKeyHeader {
  /** The header's name. */
  public static final String NAME = "Idempotency-Key";

  /** Stripe's limit; the draft sets none. */
  public static final int MAX_LENGTH = 255;

  private IdempotencyKeyHeader() {}

  /**
   * The request's key, if it sent one.
   *
   * @throws GatewayException 400 {@code invalid_idempotency_key} for a header that is present but
   *     not a valid key (the message never repeats the value)
   */
  public static Optional<String> read(RequestHeaders headers) {
    Optional<String> value = headers.get(NAME);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(parse(value.get()));
  }

  /**
   * The key in a header value.
   *
   * @throws GatewayException 400 {@code invalid_idempotency_key}
   */
  static String parse(String value) {
    String key = value.strip();
    if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
      key = unquote(key.substring(1, key.length() - 1));
    }
    if (key.isEmpty() || key.length() > MAX_LENGTH) {
      throw invalid();
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '!' || c > '~') {
        throw invalid();
      }
    }
    return key;
  }

  /** A Structured Field String's content (RFC 8941 §3.3.3): only {@code \"} and {@code \\}. */
  private static String unquote(String quoted) {
    StringBuilder key = new StringBuilder(quoted.length());
    for (int i = 0; i < quoted.length(); i++) {
      char c = quoted.charAt(i);
      if (c == '\\') {
        if (i + 1 == quoted.length()
            || (quoted.charAt(i + 1) != '"' && quoted.charAt(i + 1) != '\\')) {
          throw invalid();
        }
        key.append(quoted.charAt(++i));
      } else if (c == '"') {
        throw invalid();
      } else {
        key.append(c);
      }
    }
    return key.toString();
  }

  private static GatewayException invalid() {
    return new GatewayException(
        ErrorCode.INVALID_IDEMPOTENCY_KEY,
        "The Idempotency-Key header must be 1 to "
            + MAX_LENGTH
            + " visible ASCII characters, such as a UUID.");
  }
}
