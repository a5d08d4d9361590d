package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's answers as JSON, the default {@link AnswerRenderer}: the one rendering every
 * adapter (the standalone server, the Spring Boot starter) answers with, and that an idempotent
 * start stores, so that a replay is the same bytes and every adapter's answers are the gateway's.
 * Only headers that belong to the answer itself are part of it ({@code Retry-After}, an
 * asynchronous start's {@code Location}); per-request ones ({@code X-Request-Id}, CORS, {@code
 * WWW-Authenticate} of an authentication failure, which is never stored) are the adapter's.
 * Thread-safe.
 *
 * <ul>
 *   <li>a connect: {@code 200 {sessionId, serverUrl, token, roomName}} or {@code {sessionId,
 *       sessionKey[, baseUrl]}}
 *   <li>an error: its status, {@code {error, code, requestId}} and its details, {@code Retry-After}
 *       when it has one (docs/errors.md)
 *   <li>an asynchronous start: {@code 202 {id, events}} with {@code Location} (docs/sessions.md)
 * </ul>
 *
 * <p>The other answers' bodies (sessions, listings, today's use) are built here too, as maps in
 * their members' order, for {@link #json(Object)}.
 */
public final class JsonAnswers implements AnswerRenderer {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final String sessionsPath;

  /**
   * @param sessionsPath where the session endpoints are, such as {@code /api/avatar/sessions}: a
   *     202's {@code Location} is {@code <sessionsPath>/<id>}, its events {@code
   *     <sessionsPath>/<id>/events}
   */
  public JsonAnswers(String sessionsPath) {
    this.sessionsPath = Objects.requireNonNull(sessionsPath, "sessionsPath");
  }

  @Override
  public RenderedAnswer success(ConnectResult result) {
    return new RenderedAnswer(200, write(body(result)), Map.of());
  }

  @Override
  public RenderedAnswer failure(GatewayException failure, String requestId) {
    Map<String, String> headers = new LinkedHashMap<>();
    failure
        .retryAfter()
        .ifPresent(d -> headers.put("Retry-After", Long.toString(retryAfterSeconds(d))));
    return new RenderedAnswer(
        failure.code().status(), write(errorBody(failure, requestId)), headers);
  }

  @Override
  public RenderedAnswer started(String id) {
    String location = sessionsPath + "/" + id;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("events", location + "/events");
    return new RenderedAnswer(202, write(body), Map.of("Location", location));
  }

  /**
   * A listing page's JSON (docs/sessions.md): {@code {"sessions": [...], "nextCursor"}}, each
   * session as {@link #session(SessionInfo)}.
   */
  public Map<String, Object> sessions(SessionPage page) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessions", page.sessions().stream().map(this::session).toList());
    body.put("nextCursor", page.nextCursor().orElse(null));
    return body;
  }

  /**
   * One session's JSON (docs/sessions.md): its ids, state, avatar, instants (ISO-8601, null until
   * reached), duration in whole seconds, outcome, and the address of its events under the sessions
   * path.
   */
  public Map<String, Object> session(SessionInfo s) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", s.id());
    body.put("principal", s.principal());
    body.put("sessionId", s.sessionId());
    body.put("state", s.state());
    body.put("avatarId", s.avatarId());
    body.put("avatarType", s.avatarType());
    body.put("responseMode", s.responseMode());
    body.put("acceptedAt", text(s.acceptedAt()));
    body.put("createdAt", text(s.createdAt()));
    body.put("readyAt", text(s.readyAt()));
    body.put("handedOverAt", text(s.handedOverAt()));
    body.put("runningAt", text(s.runningAt()));
    body.put("endedAt", text(s.endedAt()));
    body.put("durationSeconds", s.duration() == null ? null : s.duration().toSeconds());
    body.put("durationConfirmed", s.durationConfirmed());
    body.put("outcome", s.outcome());
    body.put("failureCode", s.failureCode());
    body.put("events", sessionsPath + "/" + s.id() + "/events");
    return body;
  }

  /**
   * One principal's or the whole gateway's use today (docs/budgets.md, "Reading the use"): {@code
   * {principal (null for the gateway), day, resetsAt, sessions, minutes, spend, liveSessions,
   * budgets: [{budget, unit, limit, used, remaining, resetsAt}]}}; instants ISO-8601, a budget's
   * {@code resetsAt} null when it does not reset daily.
   */
  public static Map<String, Object> usage(Usage usage) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("principal", usage.principal().orElse(null));
    body.put("day", usage.day().toString());
    body.put("resetsAt", usage.resetsAt().toString());
    body.put("sessions", usage.sessions());
    body.put("minutes", usage.minutes());
    body.put("spend", usage.spend());
    body.put("liveSessions", usage.liveSessions());
    body.put("budgets", usage.budgets().stream().map(JsonAnswers::budget).toList());
    return body;
  }

  /**
   * The admins' overview ({@code GET /api/admin/usage}): {@code {"global": ..., "principals":
   * [...]}}, each as {@link #usage(Usage)}, the principals in the overview's order.
   */
  public static Map<String, Object> usageOverview(UsageOverview overview) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("global", usage(overview.global()));
    body.put("principals", overview.principals().stream().map(JsonAnswers::usage).toList());
    return body;
  }

  private static Map<String, Object> budget(BudgetUse use) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("budget", use.budget());
    body.put("unit", use.unit());
    body.put("limit", use.limit());
    body.put("used", use.used());
    body.put("remaining", use.remaining());
    body.put("resetsAt", use.resetsAt().map(Object::toString).orElse(null));
    return body;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /**
   * A connect's members: {@code {sessionId, serverUrl, token, roomName}} or {@code {sessionId,
   * sessionKey[, baseUrl]}}, in that order.
   */
  public static Map<String, Object> body(ConnectResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", result.sessionId());
    switch (result) {
      case ConnectResult.Credentials credentials -> {
        body.put("serverUrl", credentials.serverUrl());
        body.put("token", credentials.token());
        body.put("roomName", credentials.roomName());
      }
      case ConnectResult.SessionKey key -> {
        body.put("sessionKey", key.sessionKey());
        key.baseUrl().ifPresent(url -> body.put("baseUrl", url));
      }
    }
    return body;
  }

  /**
   * The members of the error answer to {@code e}: {@code {error, code, requestId}}, its details.
   */
  public static Map<String, Object> errorBody(GatewayException e, String requestId) {
    Map<String, Object> body = errorBody(e.code(), e.getMessage(), requestId);
    body.putAll(e.details());
    return body;
  }

  /**
   * The members of an error answer with this code and sentence: {@code {error, code, requestId}}.
   */
  public static Map<String, Object> errorBody(ErrorCode code, String message, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("code", code.code());
    body.put("requestId", requestId);
    return body;
  }

  /**
   * A {@code Retry-After} value in whole seconds, rounded up, at least 1: a zero would invite an
   * immediate retry storm.
   */
  public static long retryAfterSeconds(Duration delay) {
    long seconds = delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }

  private static String write(Map<String, ?> members) {
    return MAPPER.writeValueAsString(members);
  }

  /**
   * The JSON text of any other answer of an adapter (a session, a listing, the presets), written as
   * these answers are: one mapper, members in their map's order.
   */
  public static String json(Object value) {
    return MAPPER.writeValueAsString(value);
  }
}
