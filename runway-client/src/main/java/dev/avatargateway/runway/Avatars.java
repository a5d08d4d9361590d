package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ApiClient;
import dev.avatargateway.runway.internal.ApiClient.Call;
import dev.avatargateway.runway.internal.Json;
import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.ParamsValidator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The organisation's custom avatars (runway-api.md §3). Preset avatars are not served here; they
 * are the {@link AvatarPreset} constants. Obtain it from {@link RunwayClient#avatars()}.
 */
public final class Avatars {
  private static final String PATH = "/v1/avatars";
  private static final String JSON = "application/json";

  /** The largest page the API serves (runway-api.md §3.4: limit 1-100). */
  public static final int MAX_PAGE_SIZE = 100;

  /** The API's default page size for avatars (runway-api.md §3.4). */
  public static final int DEFAULT_PAGE_SIZE = 50;

  private final ApiClient api;
  private final String apiKey;

  Avatars(ApiClient api, String apiKey) {
    this.api = api;
    this.apiKey = apiKey;
  }

  /**
   * One avatar: {@code GET /v1/avatars/{id}}.
   *
   * @throws NotFoundException when no avatar of the organisation has this id
   */
  public Avatar retrieve(String id) {
    return retrieve(id, RequestOptions.none());
  }

  /** {@link #retrieve(String)} with per-call options. */
  public Avatar retrieve(String id, RequestOptions options) {
    Objects.requireNonNull(id, "id");
    if (!ParamsValidator.UUID_V4.matcher(id).matches()) {
      throw new InvalidParamsException("id", "must be a UUID (version 4), was '" + id + "'");
    }
    return Json.avatar(api.execute(get(PATH + "/" + id, "avatars.retrieve"), options));
  }

  /**
   * One page: {@code GET /v1/avatars?limit=...&cursor=...}.
   *
   * @param limit avatars per page, 1-100
   * @param cursor the {@link AvatarPage#nextCursor()} of the previous page; empty for the first
   */
  public AvatarPage listPage(int limit, Optional<String> cursor, RequestOptions options) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidParamsException("limit", "must be between 1 and " + MAX_PAGE_SIZE);
    }
    String query =
        "?limit="
            + limit
            + cursor.map(c -> "&cursor=" + URLEncoder.encode(c, StandardCharsets.UTF_8)).orElse("");
    return Json.avatarPage(api.execute(get(PATH + query, "avatars.list"), options));
  }

  /** Every avatar, fetching pages of {@value #DEFAULT_PAGE_SIZE} lazily as you iterate. */
  public Iterable<Avatar> list() {
    return list(DEFAULT_PAGE_SIZE);
  }

  /**
   * Every avatar, fetching pages of {@code pageSize} lazily as you iterate. Each iteration starts
   * again from the first page. Errors surface from {@code hasNext()}.
   */
  public Iterable<Avatar> list(int pageSize) {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new InvalidParamsException("pageSize", "must be between 1 and " + MAX_PAGE_SIZE);
    }
    return () -> new PageIterator(pageSize);
  }

  private Call get(String path, String operation) {
    return new Call("GET", path, Optional.empty(), apiKey, JSON, RetrySafety.IDEMPOTENT, operation);
  }

  private final class PageIterator implements Iterator<Avatar> {
    private final int pageSize;
    private Iterator<Avatar> current;
    private Optional<String> nextCursor = Optional.empty();
    private boolean lastPageFetched;

    PageIterator(int pageSize) {
      this.pageSize = pageSize;
    }

    @Override
    public boolean hasNext() {
      // Loops because a page may be empty while the API still says another follows.
      while (current == null || !current.hasNext()) {
        if (lastPageFetched) {
          return false;
        }
        AvatarPage page = listPage(pageSize, nextCursor, RequestOptions.none());
        current = page.data().iterator();
        nextCursor = page.nextCursor();
        // The SDK stops when nextCursor is empty, whatever hasMore says (runway-api.md §3.4).
        lastPageFetched = nextCursor.isEmpty() || nextCursor.get().isEmpty();
      }
      return true;
    }

    @Override
    public Avatar next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
