package dev.avatargateway.runway;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * Avatar usage over a date range, as {@code GET /v1/avatar_usage} reports it
 * (runway-api-additions.md "Usage"; OpenAPI). The API counts whole seconds ({@code totalSeconds},
 * {@code avgDurationSeconds}, {@code seconds}); they arrive here as {@link Duration}s of whole
 * seconds.
 *
 * @param totalSessions conversations started in the range, unfinished and failed ones included
 * @param totalDuration the summed duration of the conversations with a measured duration ({@code
 *     totalSeconds})
 * @param averageDuration the API's average over the conversations with a measured duration, zero if
 *     none completed ({@code avgDurationSeconds}); not {@code totalDuration / totalSessions},
 *     because unfinished conversations count as sessions but add no duration
 * @param byDay one entry per UTC calendar day of the range, days without sessions included
 */
public record AvatarUsage(
    long totalSessions, Duration totalDuration, Duration averageDuration, List<Day> byDay) {

  /** Copies the days; rejects nulls. */
  public AvatarUsage {
    Objects.requireNonNull(totalDuration, "totalDuration");
    Objects.requireNonNull(averageDuration, "averageDuration");
    byDay = List.copyOf(byDay);
  }

  /**
   * One UTC calendar day.
   *
   * @param date the day, in UTC
   * @param sessions conversations started that day
   * @param duration their summed measured duration ({@code seconds}, whole seconds upstream)
   */
  public record Day(LocalDate date, long sessions, Duration duration) {
    /** Rejects nulls. */
    public Day {
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(duration, "duration");
    }
  }
}
