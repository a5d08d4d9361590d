package dev.avatargateway.runway;

import java.util.List;
import java.util.Optional;

/**
 * One page of {@code GET /v1/avatar_conversations} (runway-api-additions.md "Conversations").
 *
 * <p>The API also sends {@code hasMore}; it is not kept because paging ends when {@code nextCursor}
 * is empty, whatever {@code hasMore} says, as the official SDK's {@code CursorPage} does
 * (runway-api.md §3.4).
 *
 * @param data the conversations on this page, in the order the API sent them
 * @param nextCursor the cursor of the next page; empty on the last page (an empty or null cursor
 *     from the API reads as empty)
 */
public record ConversationPage(List<AvatarConversation.Summary> data, Optional<String> nextCursor) {
  /** Copies the data. */
  public ConversationPage {
    data = List.copyOf(data);
  }

  /** Whether another page follows. */
  public boolean hasNextPage() {
    return nextCursor.isPresent();
  }
}
