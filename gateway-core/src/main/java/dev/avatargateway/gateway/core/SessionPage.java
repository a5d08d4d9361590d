package dev.avatargateway.gateway.core;

import java.util.List;
import java.util.Optional;

/**
 * One page of a session listing, newest first.
 *
 * @param sessions the sessions on this page
 * @param nextCursor the opaque cursor of the next page; empty on the last
 */
public record SessionPage(List<SessionInfo> sessions, Optional<String> nextCursor) {
  /** Copies the list. */
  public SessionPage {
    sessions = List.copyOf(sessions);
  }
}
