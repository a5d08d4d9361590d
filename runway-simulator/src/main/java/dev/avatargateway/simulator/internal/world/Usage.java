package dev.avatargateway.simulator.internal.world;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/avatar_usage} (runway-api-additions.md, Usage; OAS descriptions
 * quoted below).
 *
 * @param totalSessions "Number of conversations started in the date range. Includes unfinished and
 *     failed conversations."
 * @param totalSeconds "Total seconds across conversations with a measured duration"
 * @param avgDurationSeconds "Average duration in seconds across conversations with a measured
 *     duration, or 0 if none completed"
 * @param byDay one entry per UTC date of the range, "Days with no sessions are included with
 *     zeroes"
 */
public record Usage(
    long totalSessions, long totalSeconds, long avgDurationSeconds, List<Day> byDay) {

  /** Copies the day list. */
  public Usage {
    byDay = List.copyOf(byDay);
  }

  /**
   * One UTC calendar day.
   *
   * @param date the UTC date
   * @param sessions conversations on that date
   * @param seconds their measured seconds
   */
  public record Day(LocalDate date, long sessions, long seconds) {}

  /**
   * Aggregates the conversations created in {@code [from, to)}.
   *
   * <p>ASSUMPTIONS (the spec does not say): only records visible now count (a deleted one drops
   * out, one the record delay still hides is not counted yet); a conversation belongs to the UTC
   * day of its {@code createdAt} (the instant the list filters on), all its seconds on that day; a
   * "measured duration" is that of an ended or failed record with a non-null duration (in-progress
   * ones count as sessions only, as the OAS says of unfinished ones); the average is rounded half
   * up.
   *
   * @param conversations the records visible now
   * @param to after {@code from}
   */
  public static Usage over(List<Conversation> conversations, Instant from, Instant to) {
    Map<LocalDate, long[]> days = new LinkedHashMap<>();
    LocalDate last = LocalDate.ofInstant(to.minusNanos(1), ZoneOffset.UTC);
    for (LocalDate d = LocalDate.ofInstant(from, ZoneOffset.UTC);
        !d.isAfter(last);
        d = d.plusDays(1)) {
      days.put(d, new long[2]);
    }
    long sessions = 0;
    long seconds = 0;
    long measured = 0;
    for (Conversation c : conversations) {
      if (c.createdAt().isBefore(from) || !c.createdAt().isBefore(to)) {
        continue;
      }
      long[] day = days.get(LocalDate.ofInstant(c.createdAt(), ZoneOffset.UTC));
      sessions++;
      day[0]++;
      if (c.status() != Conversation.Status.IN_PROGRESS && c.durationSeconds() != null) {
        seconds += c.durationSeconds();
        day[1] += c.durationSeconds();
        measured++;
      }
    }
    List<Day> byDay = new ArrayList<>();
    days.forEach((date, counts) -> byDay.add(new Day(date, counts[0], counts[1])));
    long average = measured == 0 ? 0 : Math.round((double) seconds / measured);
    return new Usage(sessions, seconds, average, byDay);
  }
}
