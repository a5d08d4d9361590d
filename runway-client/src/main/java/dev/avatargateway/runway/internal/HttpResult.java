package dev.avatargateway.runway.internal;

import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * A response as the transports see it.
 *
 * @param status the HTTP status code
 * @param headers the response headers (case-insensitive look-up)
 * @param body the body as UTF-8 text; empty for none
 */
public record HttpResult(int status, HttpHeaders headers, String body) {
  /** Whether the status is 2xx. */
  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  /** The first value of the named header, if any. */
  public Optional<String> header(String name) {
    return headers.firstValue(name);
  }
}
