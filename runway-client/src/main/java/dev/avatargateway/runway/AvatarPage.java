package dev.avatargateway.runway;

import java.util.List;
import java.util.Optional;

/**
 * One page of {@code GET /v1/avatars} (runway-api.md §3.4).
 *
 * @param data the avatars on this page
 * @param hasMore whether another page follows
 * @param nextCursor the cursor of the next page; empty on the last page
 */
public record AvatarPage(List<Avatar> data, boolean hasMore, Optional<String> nextCursor) {
  /** Copies the data. */
  public AvatarPage {
    data = List.copyOf(data);
  }
}
