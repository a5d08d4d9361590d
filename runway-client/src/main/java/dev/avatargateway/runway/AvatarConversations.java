package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ApiClient;
import dev.avatargateway.runway.internal.ApiClient.Call;
import dev.avatargateway.runway.internal.Json;
import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.ParamsValidator;
import dev.avatargateway.runway.internal.Query;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * Avatar conversations: the record of each realtime session, with its transcript and recording
 * (runway-api-additions.md "Conversations"; runway-api.md §3.5). A conversation's id is its
 * session's id. Obtain it from {@link RunwayClient#avatarConversations()}.
 *
 * <p>Every call is a read or a delete, so every retryable failure is retried, as for {@link
 * Avatars}.
 */
public final class AvatarConversations {
  private static final String PATH = "/v1/avatar_conversations";
  private static final String JSON = "application/json";
  // The official SDK sends Accept: */* on DELETE (official-sdk-behaviour.md §1.3).
  private static final String ANY = "*/*";

  /** The largest page the API serves (OpenAPI: limit 1-100). */
  public static final int MAX_PAGE_SIZE = 100;

  /** The API's default page size for conversations (runway-api.md §3.4: 20). */
  public static final int DEFAULT_PAGE_SIZE = 20;

  private final ApiClient api;
  private final String apiKey;

  AvatarConversations(ApiClient api, String apiKey) {
    this.api = api;
    this.apiKey = apiKey;
  }

  /**
   * One conversation, with its transcript: {@code GET /v1/avatar_conversations/{id}}.
   *
   * @param id the conversation id, which is the realtime session's id
   * @throws NotFoundException when no conversation of the organisation has this id; the API does
   *     not document how soon a conversation appears after its session starts, so a 404 right after
   *     is not proof that there will never be one
   * @throws UnexpectedResponseException when the status is none of the three documented ones
   */
  public AvatarConversation retrieve(String id) {
    return retrieve(id, RequestOptions.none());
  }

  /** {@link #retrieve(String)} with per-call options. */
  public AvatarConversation retrieve(String id, RequestOptions options) {
    Objects.requireNonNull(options, "options");
    return Json.conversation(
        api.execute(call("GET", path(id), JSON, "avatar_conversations.retrieve"), options));
  }

  /**
   * Deletes a conversation and its data (transcript, recording): {@code DELETE
   * /v1/avatar_conversations/{id}} (204). This does not end a running session; {@link
   * RealtimeSessions#cancel(String)} does.
   */
  public void delete(String id) {
    delete(id, RequestOptions.none());
  }

  /** {@link #delete(String)} with per-call options. */
  public void delete(String id, RequestOptions options) {
    Objects.requireNonNull(options, "options");
    api.execute(call("DELETE", path(id), ANY, "avatar_conversations.delete"), options);
  }

  /**
   * One page: {@code GET /v1/avatar_conversations?limit=...&cursor=...&avatar=...&startDate=...
   * &endDate=...}. Pass the page's {@link ConversationPage#nextCursor()} as the next params' {@code
   * cursor}.
   */
  public ConversationPage listPage(ConversationListParams params, RequestOptions options) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(options, "options");
    String query =
        Query.of()
            .add("limit", params.pageSize())
            .add("cursor", params.cursor())
            .add("avatar", params.avatar())
            .instant("startDate", params.startDate())
            .instant("endDate", params.endDate())
            .toString();
    return Json.conversationPage(
        api.execute(call("GET", PATH + query, JSON, "avatar_conversations.list"), options));
  }

  /** Every conversation, fetching pages of {@value #DEFAULT_PAGE_SIZE} lazily as you iterate. */
  public Iterable<AvatarConversation.Summary> list() {
    return list(ConversationListParams.none());
  }

  /**
   * Every conversation that matches {@code params}, fetching pages lazily as you iterate: no
   * request is sent before the first {@code hasNext()}. Each iteration starts again from the
   * params' cursor (the first page when none). Errors surface from {@code hasNext()}.
   */
  public Iterable<AvatarConversation.Summary> list(ConversationListParams params) {
    Objects.requireNonNull(params, "params");
    return () -> new PageIterator(params);
  }

  private Call call(String method, String path, String accept, String operation) {
    return new Call(
        method, path, Optional.empty(), apiKey, accept, RetrySafety.IDEMPOTENT, operation);
  }

  private static String path(String id) {
    Objects.requireNonNull(id, "id");
    // Checked here so that no id can change the request's path (OpenAPI: a UUID v4).
    if (!ParamsValidator.UUID_V4.matcher(id).matches()) {
      throw new InvalidParamsException("id", "must be a UUID (version 4), was '" + id + "'");
    }
    return PATH + "/" + id;
  }

  private final class PageIterator implements Iterator<AvatarConversation.Summary> {
    private ConversationListParams nextPage;
    private Iterator<AvatarConversation.Summary> current;
    private boolean lastPageFetched;

    PageIterator(ConversationListParams firstPage) {
      this.nextPage = firstPage;
    }

    @Override
    public boolean hasNext() {
      // Loops because a page may be empty while the API still says another follows.
      while (current == null || !current.hasNext()) {
        if (lastPageFetched) {
          return false;
        }
        ConversationPage page = listPage(nextPage, RequestOptions.none());
        current = page.data().iterator();
        // The SDK stops when nextCursor is empty, whatever hasMore says (runway-api.md §3.4).
        lastPageFetched = page.nextCursor().isEmpty();
        nextPage = nextPage.withCursor(page.nextCursor());
      }
      return true;
    }

    @Override
    public AvatarConversation.Summary next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
