package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ApiClient;
import dev.avatargateway.runway.internal.ApiClient.Call;
import dev.avatargateway.runway.internal.Json;
import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.Query;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Avatar usage: session counts and seconds per UTC day ({@code GET /v1/avatar_usage},
 * runway-api-additions.md "Usage"; runway-api.md §3.1). Obtain it from {@link
 * RunwayClient#avatarUsage()}.
 */
public final class AvatarUsageReports {
  private static final String PATH = "/v1/avatar_usage";
  private static final String JSON = "application/json";

  /** The longest range the API serves, in days (OpenAPI: "must not exceed 90 days"). */
  public static final int MAX_RANGE_DAYS = 90;

  private final ApiClient api;
  private final String apiKey;

  AvatarUsageReports(ApiClient api, String apiKey) {
    this.api = api;
    this.apiKey = apiKey;
  }

  /**
   * Usage from the start of {@code startDate} (inclusive) to the start of {@code endDate}
   * (exclusive), both UTC days: {@code retrieve(LocalDate.of(2026, 7, 1), LocalDate.of(2026, 8,
   * 1))} is July. The days are sent as the instants they start in UTC ({@code
   * 2026-07-01T00:00:00Z}), the {@code date-time} form the OpenAPI document declares.
   *
   * @throws InvalidParamsException when {@code endDate} is not after {@code startDate} or more than
   *     {@value #MAX_RANGE_DAYS} days after it
   */
  public AvatarUsage retrieve(LocalDate startDate, LocalDate endDate) {
    return retrieve(startDate, endDate, RequestOptions.none());
  }

  /** {@link #retrieve(LocalDate, LocalDate)} with per-call options. */
  public AvatarUsage retrieve(LocalDate startDate, LocalDate endDate, RequestOptions options) {
    Objects.requireNonNull(startDate, "startDate");
    Objects.requireNonNull(endDate, "endDate");
    Objects.requireNonNull(options, "options");
    if (!endDate.isAfter(startDate)) {
      throw new InvalidParamsException("endDate", "must be after startDate (it is exclusive)");
    }
    if (ChronoUnit.DAYS.between(startDate, endDate) > MAX_RANGE_DAYS) {
      throw new InvalidParamsException(
          "endDate", "must be at most " + MAX_RANGE_DAYS + " days after startDate");
    }
    String query = Query.of().day("startDate", startDate).day("endDate", endDate).toString();
    return Json.usage(
        api.execute(
            new Call(
                "GET",
                PATH + query,
                Optional.empty(),
                apiKey,
                JSON,
                RetrySafety.IDEMPOTENT,
                "avatar_usage.retrieve"),
            options));
  }
}
