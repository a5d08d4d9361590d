package dev.avatargateway.gateway.core;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The rule for request ids, the same in every adapter: the caller's {@value #HEADER} when it is
 * well-formed, else a new UUID. The id goes on the answer's {@value #HEADER}, into error bodies
 * ({@code requestId}) and into the log ({@link LogFields#REQUEST_ID}).
 */
public final class RequestIds {
  /** The header name, on requests and answers. */
  public static final String HEADER = "X-Request-Id";

  // Letters, digits and a few separators, at most 128: enough for UUIDs, ULIDs and trace ids, and
  // nothing that could break a log line or a header.
  private static final Pattern WELL_FORMED = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  private RequestIds() {}

  /**
   * The id of a request.
   *
   * @param fromCaller the request's {@value #HEADER}, null when absent
   * @return {@code fromCaller} when well-formed, else a new random UUID
   */
  public static String accept(String fromCaller) {
    if (fromCaller != null && WELL_FORMED.matcher(fromCaller).matches()) {
      return fromCaller;
    }
    return UUID.randomUUID().toString();
  }
}
