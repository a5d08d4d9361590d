package dev.avatargateway.gateway.internal.http;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: taken from the caller's {@code X-Request-Id} when well-formed, else made. */
public final class RequestIds {
  /** The header name, on requests and responses. */
  public static final String HEADER = "X-Request-Id";

  // Letters, digits and a few separators, at most 128: enough for UUIDs, ULIDs and trace ids, and
  // nothing that could break a log line or a header.
  private static final Pattern WELL_FORMED = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  private RequestIds() {}

  /** The caller's id when well-formed, else a new UUID. */
  public static String accept(String fromCaller) {
    if (fromCaller != null && WELL_FORMED.matcher(fromCaller).matches()) {
      return fromCaller;
    }
    return UUID.randomUUID().toString();
  }
}
