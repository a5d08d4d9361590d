package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Asynchronous starts and the session endpoints (docs/sessions.md): start a session without waiting
 * for it, follow its progress as events, read, list and end sessions, and read today's use. Every
 * method authenticates the caller from its headers, behind the same throttle of failed
 * authentications per client address as a connect ({@link ErrorCode#TOO_MANY_AUTH_FAILURES}); a
 * session of another principal is answered exactly like one that does not exist ({@link
 * ErrorCode#NOT_FOUND}). Thread-safe.
 */
public interface Sessions {
  /** The most sessions one listing page holds. */
  int MAX_PAGE_SIZE = 100;

  /** A listing page's size when the caller names none. */
  int DEFAULT_PAGE_SIZE = 20;

  /**
   * A listing's page size as a request names it (the {@code limit} query parameter): {@link
   * #DEFAULT_PAGE_SIZE} when absent; its range is checked by the listing itself.
   *
   * @throws GatewayException {@link ErrorCode#INVALID_REQUEST} when it is not a number
   */
  static int pageSize(Optional<String> limit) {
    if (limit.isEmpty()) {
      return DEFAULT_PAGE_SIZE;
    }
    try {
      return Integer.parseInt(limit.get().trim());
    } catch (NumberFormatException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "limit must be a number from 1 to " + MAX_PAGE_SIZE);
    }
  }

  /**
   * Starts a session as {@link GatewayCore#connect} would, and returns as soon as the start is
   * accepted (authentication, the body, the avatar and the limits passed): the rest runs on a
   * thread of its own, detached from the caller. The request's presence is not used: the start's
   * readers are its presence.
   *
   * @return the start's id (the gateway's id for the session)
   * @throws GatewayException when it is refused, as the connect would be
   */
  String start(ConnectRequest request);

  /**
   * Opens a reader of a start's events, for its owner.
   *
   * @param lastEventId the {@code Last-Event-ID} of a reconnecting reader: only later events are
   *     sent
   * @throws GatewayException {@code NOT_FOUND} for an unknown id or another principal's session
   */
  SessionEvents events(Caller caller, String id, Optional<String> lastEventId);

  /**
   * The session, for its owner.
   *
   * @throws GatewayException {@code NOT_FOUND} for an unknown id or another principal's session
   */
  SessionInfo get(Caller caller, String id);

  /**
   * The caller's own sessions, newest first.
   *
   * @param cursor from the previous page's {@link SessionPage#nextCursor()}
   * @param limit 1 to {@link #MAX_PAGE_SIZE}
   * @throws GatewayException {@code INVALID_REQUEST} for a cursor or limit that is not valid
   */
  SessionPage list(Caller caller, Optional<String> cursor, int limit);

  /**
   * Ends the session upstream, for its owner or an admin; a start still running is stopped and its
   * session cancelled, and one still waiting in the line leaves it (answered with no Runway id and
   * no instants: nothing was created). Idempotent: a session that has ended is answered as it is.
   *
   * @return the session after the end was recorded
   * @throws GatewayException {@code NOT_FOUND} as for {@link #get}; {@code SESSION_STARTING} when
   *     another gateway instance is still creating it
   */
  SessionInfo end(Caller caller, String id);

  /**
   * Every principal's sessions, newest first, for an admin.
   *
   * @param principal only this principal's
   * @param state only sessions in this ledger state (e.g. {@code running})
   * @throws GatewayException {@code UNAUTHENTICATED} without admin credentials
   */
  SessionPage listAll(
      Caller caller,
      Optional<String> principal,
      Optional<String> state,
      Optional<String> cursor,
      int limit);

  /**
   * The caller's use today (UTC) and what is left of each of its own budgets ({@code
   * budgets.perPrincipal.*}). The global budgets are left out: their use is the whole gateway's
   * spend, which is not the caller's to see (admins read it from {@link #usageOverview}).
   *
   * @throws GatewayException {@code LEDGER_UNAVAILABLE} when the ledger cannot be read
   */
  Usage usage(Caller caller);

  /** The most principals one usage overview lists. */
  int MAX_USAGE_PRINCIPALS = 1_000;

  /** How many principals a usage overview lists when the admin names no limit. */
  int DEFAULT_USAGE_PRINCIPALS = 100;

  /**
   * How many principals a usage overview should list, as a request names it (the {@code limit}
   * query parameter): {@link #DEFAULT_USAGE_PRINCIPALS} when absent; its range is checked by {@link
   * #usageOverview} itself.
   *
   * @throws GatewayException {@link ErrorCode#INVALID_REQUEST} when it is not a number
   */
  static int usagePrincipals(Optional<String> limit) {
    if (limit.isEmpty()) {
      return DEFAULT_USAGE_PRINCIPALS;
    }
    try {
      return Integer.parseInt(limit.get().trim());
    } catch (NumberFormatException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "limit must be a number from 1 to " + MAX_USAGE_PRINCIPALS);
    }
  }

  /**
   * The whole gateway's use today (UTC) with the global budgets, and the principals that used the
   * most minutes, for an admin.
   *
   * @param limit the most principals, 1 to {@link #MAX_USAGE_PRINCIPALS}
   * @throws GatewayException {@code UNAUTHENTICATED} without admin credentials; {@code
   *     INVALID_REQUEST} for a limit out of range; {@code LEDGER_UNAVAILABLE}
   */
  UsageOverview usageOverview(Caller caller, int limit);

  /** How often an idle event stream gets a keep-alive comment. */
  Duration heartbeatInterval();
}
