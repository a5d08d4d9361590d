package dev.avatargateway.runway.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A query string, built in the order the parameters are added, every value URL-encoded. The one
 * place where dates go on the wire.
 *
 * <p>Dates are sent as ISO-8601 UTC instants ({@code 2026-07-01T00:00:00Z}), never as bare {@code
 * YYYY-MM-DD}: runway-api-additions.md reports both forms, and Runway's own OpenAPI document
 * (shared/spec/runway-openapi.tryAGI.json, {@code /v1/avatar_conversations} and {@code
 * /v1/avatar_usage}) declares {@code startDate} and {@code endDate} as {@code format: date-time}
 * with a pattern that requires the time and the {@code Z}. A calendar day is sent as the instant it
 * starts in UTC, because the API keys its days by UTC calendar date.
 */
public final class Query {
  private final StringJoiner parts = new StringJoiner("&", "?", "").setEmptyValue("");

  /** An empty query. */
  public static Query of() {
    return new Query();
  }

  private Query() {}

  /** Adds {@code name=value}. */
  public Query add(String name, String value) {
    parts.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    return this;
  }

  /** Adds {@code name=value}. */
  public Query add(String name, long value) {
    return add(name, Long.toString(value));
  }

  /** Adds {@code name=value} when a value is present. */
  public Query add(String name, Optional<String> value) {
    value.ifPresent(v -> add(name, v));
    return this;
  }

  /** Adds an instant, e.g. {@code startDate=2026-07-01T12:30:00Z}, when present. */
  public Query instant(String name, Optional<Instant> value) {
    value.ifPresent(v -> add(name, format(v)));
    return this;
  }

  /** Adds a calendar day as the instant it starts in UTC, e.g. {@code 2026-07-01T00:00:00Z}. */
  public Query day(String name, LocalDate day) {
    return add(name, format(startOfUtcDay(day)));
  }

  /** The instant a calendar day starts in UTC, the zone the API keys its days by. */
  public static Instant startOfUtcDay(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** {@code 2026-07-01T00:00:00Z}: seconds always, fractions only when there are any. */
  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  /** {@code ?a=1&b=2}, or the empty string when nothing was added. */
  @Override
  public String toString() {
    return parts.toString();
  }
}
