package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ParamsValidator;
import dev.avatargateway.runway.internal.Query;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The query of {@code GET /v1/avatar_conversations} (runway-api-additions.md "Conversations";
 * OpenAPI). Every field is optional; the limits the OpenAPI document declares are checked on
 * construction, so an invalid value fails here, before any request, with an {@link
 * InvalidParamsException}.
 *
 * <p>Dates are sent as ISO-8601 UTC instants ({@code 2026-07-01T00:00:00Z}), the {@code date-time}
 * form the OpenAPI document declares; a {@link LocalDate} given to the builder stands for the
 * instant that day starts in UTC.
 *
 * @param limit conversations per page, 1-{@value AvatarConversations#MAX_PAGE_SIZE}; empty for
 *     {@value AvatarConversations#DEFAULT_PAGE_SIZE}, the API's default (always sent, because the
 *     OpenAPI document marks it required)
 * @param cursor start from this page (a {@link ConversationPage#nextCursor()}), 1-1000 characters;
 *     empty for the first page
 * @param avatar only conversations with this custom avatar (its UUID)
 * @param startDate only conversations created at or after this instant (inclusive)
 * @param endDate only conversations created before this instant (exclusive); after {@code
 *     startDate} when both are set
 */
public record ConversationListParams(
    OptionalInt limit,
    Optional<String> cursor,
    Optional<String> avatar,
    Optional<Instant> startDate,
    Optional<Instant> endDate) {

  // OpenAPI, GET /v1/avatar_conversations: cursor minLength 1, maxLength 1000.
  static final int MAX_CURSOR_CHARS = 1000;

  private static final ConversationListParams NONE = builder().build();

  /** Checks every limit. */
  public ConversationListParams {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(avatar, "avatar");
    Objects.requireNonNull(startDate, "startDate");
    Objects.requireNonNull(endDate, "endDate");
    if (limit.isPresent()
        && (limit.getAsInt() < 1 || limit.getAsInt() > AvatarConversations.MAX_PAGE_SIZE)) {
      throw new InvalidParamsException(
          "limit", "must be between 1 and " + AvatarConversations.MAX_PAGE_SIZE);
    }
    if (cursor.isPresent()
        && (cursor.get().isEmpty() || cursor.get().length() > MAX_CURSOR_CHARS)) {
      throw new InvalidParamsException(
          "cursor", "must be 1 to " + MAX_CURSOR_CHARS + " characters long");
    }
    if (avatar.isPresent() && !ParamsValidator.UUID_V4.matcher(avatar.get()).matches()) {
      throw new InvalidParamsException(
          "avatar", "must be a custom avatar's UUID (version 4), was '" + avatar.get() + "'");
    }
    if (startDate.isPresent() && endDate.isPresent() && !endDate.get().isAfter(startDate.get())) {
      // endDate is exclusive: a range that ends where it starts can hold nothing.
      throw new InvalidParamsException("endDate", "must be after startDate");
    }
  }

  /** No filter, the API's page size, from the first page. */
  public static ConversationListParams none() {
    return NONE;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these params. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    limit.ifPresent(builder::limit);
    cursor.ifPresent(builder::cursor);
    avatar.ifPresent(builder::avatar);
    startDate.ifPresent(builder::startDate);
    endDate.ifPresent(builder::endDate);
    return builder;
  }

  /** The page size these params ask for: the {@link #limit()}, else the API's default. */
  public int pageSize() {
    return limit.orElse(AvatarConversations.DEFAULT_PAGE_SIZE);
  }

  /** A copy that starts from this cursor; the first page when empty. */
  ConversationListParams withCursor(Optional<String> cursor) {
    return new ConversationListParams(limit, cursor, avatar, startDate, endDate);
  }

  /** Builds {@link ConversationListParams}; not thread-safe. */
  public static final class Builder {
    private Integer limit;
    private String cursor;
    private String avatar;
    private Instant startDate;
    private Instant endDate;

    private Builder() {}

    /** Conversations per page, 1-100. Default: 20, the API's default. */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /** Start from this page: a {@link ConversationPage#nextCursor()}. Default: the first page. */
    public Builder cursor(String cursor) {
      this.cursor = Objects.requireNonNull(cursor, "cursor");
      return this;
    }

    /** Only conversations with this custom avatar (its UUID). Default: every avatar. */
    public Builder avatar(String customAvatarId) {
      this.avatar = Objects.requireNonNull(customAvatarId, "customAvatarId");
      return this;
    }

    /** Only conversations created at or after this instant (inclusive). Default: no bound. */
    public Builder startDate(Instant startDate) {
      this.startDate = Objects.requireNonNull(startDate, "startDate");
      return this;
    }

    /** Only conversations created at or after the start of this UTC day (inclusive). */
    public Builder startDate(LocalDate startDate) {
      return startDate(Query.startOfUtcDay(Objects.requireNonNull(startDate, "startDate")));
    }

    /** Only conversations created before this instant (exclusive). Default: no bound. */
    public Builder endDate(Instant endDate) {
      this.endDate = Objects.requireNonNull(endDate, "endDate");
      return this;
    }

    /**
     * Only conversations created before the start of this UTC day (exclusive): {@code
     * startDate(day).endDate(day.plusDays(1))} is that one day.
     */
    public Builder endDate(LocalDate endDate) {
      return endDate(Query.startOfUtcDay(Objects.requireNonNull(endDate, "endDate")));
    }

    /**
     * Builds the params.
     *
     * @throws InvalidParamsException when a value breaks a documented limit
     */
    public ConversationListParams build() {
      return new ConversationListParams(
          limit == null ? OptionalInt.empty() : OptionalInt.of(limit),
          Optional.ofNullable(cursor),
          Optional.ofNullable(avatar),
          Optional.ofNullable(startDate),
          Optional.ofNullable(endDate));
    }
  }
}
