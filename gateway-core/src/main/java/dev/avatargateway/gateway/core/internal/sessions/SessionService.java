package dev.avatargateway.gateway.core.internal.sessions;

import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.BudgetUse;
import dev.avatargateway.gateway.core.Caller;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.SessionInfo;
import dev.avatargateway.gateway.core.SessionPage;
import dev.avatargateway.gateway.core.Sessions;
import dev.avatargateway.gateway.core.SessionsConfig;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.Usage;
import dev.avatargateway.gateway.core.UsageOverview;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.SessionRow;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import dev.avatargateway.gateway.core.internal.limits.AuthFailureLimiter;
import dev.avatargateway.gateway.core.internal.limits.ClientAddressResolver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The session endpoints over the ledger and this process's {@link AsyncStarts}: who is asking,
 * whose the session is, and what to answer. Another principal's session is answered like one that
 * does not exist, so that ids cannot be probed.
 */
public final class SessionService implements Sessions {
  /**
   * How long {@code DELETE} waits for a start it stopped to cancel its session: the flow's own
   * clean-up budget (one cancel with one retry, 5 s) and a margin.
   */
  static final Duration END_WAIT = Duration.ofSeconds(6);

  private static final String CURSOR_VERSION = "v1";

  /**
   * The prefix of the budgets a caller may see of its own ({@link BudgetUse#budget()} is the
   * setting below {@code budgets.}); the others are the whole gateway's.
   */
  static final String OWN_BUDGETS = "perPrincipal.";

  /** Today's use, as the core reads it (a ledger that cannot be read is {@code 503}). */
  public interface UsageReads {
    /** A principal's use, with every budget that applies to it. */
    Usage of(String principal);

    /** The whole gateway's use, with the global budgets. */
    Usage global();

    /** The principals with the most minutes, most first. */
    List<Usage> top(int limit);
  }

  /**
   * What a Runway session id may look like before the ledger is asked: its column holds 128
   * characters, and Runway's ids are UUIDs; anything else names no session without a query.
   */
  private static final Pattern UPSTREAM_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final AsyncStarts starts;
  private final JdbcSessionLedger ledger;
  private final SessionEnder ender;
  private final Authenticator callers;
  private final Optional<Authenticator> admins;
  private final SessionsConfig config;
  private final ClientAddressResolver addresses;
  private final AuthFailureLimiter authFailures;
  private final UsageReads usage;

  /**
   * @param starts this process's asynchronous starts
   * @param ledger the books
   * @param ender ends sessions upstream and in the ledger
   * @param callers the callers' authenticator (as for connect)
   * @param admins the admins' authenticator; empty when nobody can be an admin
   * @param config the heartbeat interval
   * @param addresses the client's address, behind trusted proxies
   * @param authFailures the connects' throttle of failed authentications per client address (the
   *     same instance: one bucket per address for every endpoint)
   * @param usage today's use, from the budgets
   */
  public SessionService(
      AsyncStarts starts,
      JdbcSessionLedger ledger,
      SessionEnder ender,
      Authenticator callers,
      Optional<Authenticator> admins,
      SessionsConfig config,
      ClientAddressResolver addresses,
      AuthFailureLimiter authFailures,
      UsageReads usage) {
    this.starts = starts;
    this.ledger = ledger;
    this.ender = ender;
    this.callers = callers;
    this.admins = admins;
    this.config = config;
    this.addresses = addresses;
    this.authFailures = authFailures;
    this.usage = usage;
  }

  @Override
  public String start(ConnectRequest request) {
    return starts.start(request);
  }

  @Override
  public SessionEvents events(Caller caller, String id, Optional<String> lastEventId) {
    Principal who = authenticate(caller);
    Optional<String> owner = Optional.of(who.name());
    Optional<Start> local = local(id, owner);
    if (local.isPresent()) {
      return local.get().open(lastEventId);
    }
    SessionRow row = owned(who, id);
    local = local(row.gatewayId(), owner);
    if (local.isPresent()) {
      return local.get().open(lastEventId);
    }
    return new LedgerOnly(row, lastEventId.filter(SessionEvent.END_ID::equals).isPresent());
  }

  @Override
  public SessionInfo get(Caller caller, String id) {
    Principal who = authenticate(caller);
    Optional<SessionRow> row = lookup(id).filter(r -> r.principal().equals(who.name()));
    if (row.isPresent()) {
      return info(row.get());
    }
    // A start in the waiting line has no ledger row yet; this process knows it.
    return local(id, Optional.of(who.name()))
        .map(Start::unrecorded)
        .orElseThrow(SessionService::notFound);
  }

  @Override
  public SessionPage list(Caller caller, Optional<String> cursor, int limit) {
    Principal who = authenticate(caller);
    return page(who.name(), Set.of(), cursor, limit);
  }

  @Override
  public SessionInfo end(Caller caller, String id) {
    String address = address(caller);
    authFailures.check(address);
    // An admin may end anyone's session; everyone else only their own.
    Optional<String> owner =
        isAdmin(caller) ? Optional.empty() : Optional.of(authenticate(caller, address).name());
    Optional<Start> local = local(id, owner);
    if (local.isEmpty()) {
      SessionRow row =
          lookup(id)
              .filter(r -> owner.isEmpty() || r.principal().equals(owner.get()))
              .orElseThrow(SessionService::notFound);
      local = local(row.gatewayId(), owner);
      if (local.isEmpty()) {
        return info(ender.end(row.gatewayId(), StopReason.END_REQUESTED));
      }
    }
    Start start = local.get();
    String key = start.id();
    boolean endInLedger = start.requestEnd();
    if (!endInLedger) {
      try {
        start.awaitFlowDone(END_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Optional<SessionRow> row = ledger.find(key);
    if (row.isEmpty()) {
      // Stopped before its intent was recorded (while it waited in the line): nothing was ever
      // created upstream, so there is nothing to end; the start itself says how it ended.
      return start.unrecorded();
    }
    return info(endInLedger ? ender.end(key, StopReason.END_REQUESTED) : row.get());
  }

  @Override
  public SessionPage listAll(
      Caller caller,
      Optional<String> principal,
      Optional<String> state,
      Optional<String> cursor,
      int limit) {
    requireAdmin(caller);
    Set<SessionState> states = state.map(SessionService::state).map(Set::of).orElse(Set.of());
    return page(principal.orElse(null), states, cursor, limit);
  }

  @Override
  public Usage usage(Caller caller) {
    Usage all = usage.of(authenticate(caller).name());
    return new Usage(
        all.principal(),
        all.day(),
        all.resetsAt(),
        all.sessions(),
        all.minutes(),
        all.spend(),
        all.liveSessions(),
        all.budgets().stream().filter(b -> b.budget().startsWith(OWN_BUDGETS)).toList());
  }

  @Override
  public UsageOverview usageOverview(Caller caller, int limit) {
    requireAdmin(caller);
    if (limit < 1 || limit > MAX_USAGE_PRINCIPALS) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "limit must be 1 to " + MAX_USAGE_PRINCIPALS + ".");
    }
    return new UsageOverview(usage.global(), usage.top(limit));
  }

  @Override
  public Duration heartbeatInterval() {
    return config.heartbeatInterval();
  }

  // ----- Inside

  private String address(Caller caller) {
    return addresses.resolve(caller.peerAddress(), caller.forwardedFor());
  }

  /** The caller, behind the throttle of failed authentications (as a connect's). */
  private Principal authenticate(Caller caller) {
    String address = address(caller);
    authFailures.check(address);
    return authenticate(caller, address);
  }

  /** The caller, whose address was checked already; a failure is counted against it. */
  private Principal authenticate(Caller caller, String address) {
    try {
      return callers.authenticate(caller.headers());
    } catch (GatewayException e) {
      if (e.code() == ErrorCode.UNAUTHENTICATED) {
        authFailures.failed(address);
      }
      throw e;
    }
  }

  /** Refuses a caller without admin credentials, counting the failure against its address. */
  private void requireAdmin(Caller caller) {
    String address = address(caller);
    authFailures.check(address);
    if (!isAdmin(caller)) {
      authFailures.failed(address);
      throw new GatewayException(
          ErrorCode.UNAUTHENTICATED, "Admin credentials are missing or not valid.");
    }
  }

  /**
   * Whether the headers carry an admin key (tried first: an admin key is no caller's key). Counts
   * nothing: a caller's key is not an admin's, and the caller's check that follows counts.
   */
  private boolean isAdmin(Caller caller) {
    if (admins.isEmpty()) {
      return false;
    }
    try {
      admins.get().authenticate(caller.headers());
      return true;
    } catch (GatewayException e) {
      return false;
    }
  }

  private SessionRow owned(Principal who, String id) {
    return lookup(id)
        .filter(row -> row.principal().equals(who.name()))
        .orElseThrow(SessionService::notFound);
  }

  /**
   * The session an id names: the gateway's own id, or Runway's, which is what every connect answer
   * and both SDKs carry as {@code sessionId} (so a page that has only the answer can end its call).
   * Ids of the two kinds cannot collide: each is a random UUID.
   */
  private Optional<SessionRow> lookup(String id) {
    if (isCanonicalUuid(id)) {
      Optional<SessionRow> own = ledger.find(id);
      if (own.isPresent()) {
        return own;
      }
    }
    return UPSTREAM_ID.matcher(id).matches() ? ledger.findByUpstreamId(id) : Optional.empty();
  }

  /** The start this process follows under the gateway's id {@code id}, if {@code owner}'s. */
  private Optional<Start> local(String id, Optional<String> owner) {
    return starts.find(id).filter(s -> owner.isEmpty() || s.principal().equals(owner));
  }

  /** Whether {@code id} is a UUID in the canonical lower-case form the gateway's ids take. */
  private static boolean isCanonicalUuid(String id) {
    try {
      return UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static GatewayException notFound() {
    return new GatewayException(ErrorCode.NOT_FOUND, "There is no such session.");
  }

  private SessionPage page(
      String principal, Set<SessionState> states, Optional<String> cursor, int limit) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "limit must be 1 to " + MAX_PAGE_SIZE + ".");
    }
    JdbcSessionLedger.PageKey after = cursor.map(SessionService::decode).orElse(null);
    // One more than asked tells whether a next page exists.
    List<SessionRow> rows = ledger.newestFirst(principal, states, after, limit + 1);
    boolean more = rows.size() > limit;
    List<SessionRow> shown = more ? rows.subList(0, limit) : rows;
    Optional<String> next =
        more
            ? Optional.of(encode(JdbcSessionLedger.PageKey.of(shown.getLast())))
            : Optional.empty();
    return new SessionPage(shown.stream().map(SessionService::info).toList(), next);
  }

  private static SessionState state(String code) {
    try {
      return SessionState.fromCode(code);
    } catch (IllegalArgumentException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST,
          "state must be one of "
              + EnumSet.allOf(SessionState.class).stream().map(SessionState::code).toList()
              + ".");
    }
  }

  /**
   * The cursor: the last row's {@code accepted_at} (epoch microseconds) and id, base64url. It only
   * narrows a query that is already limited to what the caller may see, so it need not be signed.
   */
  static String encode(JdbcSessionLedger.PageKey key) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, key.acceptedAt());
    String text = CURSOR_VERSION + ":" + micros + ":" + key.gatewayId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static JdbcSessionLedger.PageKey decode(String cursor) {
    try {
      String text =
          new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
      String[] parts = text.split(":", 3);
      if (parts.length != 3 || !CURSOR_VERSION.equals(parts[0])) {
        throw new IllegalArgumentException("unknown cursor form");
      }
      Instant acceptedAt = Instant.EPOCH.plus(Long.parseLong(parts[1]), ChronoUnit.MICROS);
      String id = UUID.fromString(parts[2]).toString();
      if (!id.equals(parts[2])) {
        throw new IllegalArgumentException("not a canonical id");
      }
      return new JdbcSessionLedger.PageKey(acceptedAt, id);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "The cursor is not valid; start again without one.");
    }
  }

  static SessionInfo info(SessionRow row) {
    return new SessionInfo(
        row.gatewayId(),
        row.principal(),
        row.upstreamId(),
        row.state().code(),
        row.avatarId(),
        row.avatarType(),
        row.responseMode(),
        row.acceptedAt(),
        row.createdAt(),
        row.readyAt(),
        row.handedOverAt(),
        row.runningAt(),
        row.endedAt(),
        row.duration(),
        row.durationConfirmed(),
        row.outcomeCode(),
        row.failureCode());
  }

  /**
   * The stream of a start this process does not follow (another instance's, one from before a
   * restart, or one past its retention): one {@value SessionEvent#STATE} event from the ledger. A
   * reader that already had it ({@code Last-Event-ID} {@value SessionEvent#END_ID}) gets nothing.
   */
  private static final class LedgerOnly implements SessionEvents {
    private final SessionRow row;
    private final boolean hadIt;
    private boolean finished;

    LedgerOnly(SessionRow row, boolean hadIt) {
      this.row = row;
      this.hadIt = hadIt;
    }

    @Override
    public List<SessionEvent> next(Duration timeout) {
      if (finished) {
        return List.of();
      }
      finished = true;
      if (hadIt) {
        return List.of();
      }
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("sessionId", row.upstreamId());
      data.put("state", row.state().code());
      data.put("outcome", row.outcomeCode());
      return List.of(new SessionEvent(SessionEvent.END_ID, SessionEvent.STATE, data));
    }

    @Override
    public boolean finished() {
      return finished;
    }

    @Override
    public void notSent() {}

    @Override
    public void close() {}
  }
}
