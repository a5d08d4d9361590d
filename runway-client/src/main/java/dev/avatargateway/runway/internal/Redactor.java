package dev.avatargateway.runway.internal;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Removes anything that looks like a credential from text that came from the upstream, before it is
 * stored in an exception: upstream bodies are not ours, and an exception message ends up in logs
 * and error pages.
 */
public final class Redactor {
  static final String MASK = "***";

  private static final Pattern SECRETS =
      Pattern.compile(
          String.join(
              "|",
              // Runway API keys: key_ + 128 hex (runway-api.md §1); shorter test keys too.
              "key_[A-Za-z0-9_]+",
              // Session keys: stk_ + a JWT (official-sdk-behaviour.md §3).
              "stk_[A-Za-z0-9._~+/=-]+",
              // Any JWT, such as a LiveKit token.
              "eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*",
              "(?i)bearer\\s+[^\\s\"',]+"));

  private final String apiKey;

  /**
   * @param apiKey the client's own API key, removed wherever it appears, whatever its shape
   */
  public Redactor(String apiKey) {
    this.apiKey = apiKey;
  }

  /** The text with every credential-like part replaced by {@value #MASK}; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String cleaned = apiKey.isEmpty() ? text : text.replace(apiKey, MASK);
    return SECRETS.matcher(cleaned).replaceAll(MASK);
  }

  /**
   * A URL for {@code toString()}: without its query, which in a pre-signed URL (a recording, an
   * image) is the signature that grants access; {@code null} when absent.
   */
  public static String withoutQuery(Optional<URI> url) {
    if (url.isEmpty()) {
      return null;
    }
    String text = url.get().toString();
    int query = text.indexOf('?');
    return query < 0 ? text : text.substring(0, query) + "?" + MASK;
  }
}
