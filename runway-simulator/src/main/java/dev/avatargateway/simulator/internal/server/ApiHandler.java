package dev.avatargateway.simulator.internal.server;

import com.sun.net.httpserver.HttpExchange;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.internal.json.Json;
import dev.avatargateway.simulator.internal.token.LiveKitTokens;
import dev.avatargateway.simulator.internal.validation.CreateSessionValidator;
import dev.avatargateway.simulator.internal.validation.Issue;
import dev.avatargateway.simulator.internal.validation.Validation;
import dev.avatargateway.simulator.internal.world.Avatar;
import dev.avatargateway.simulator.internal.world.Outcomes;
import dev.avatargateway.simulator.internal.world.Outcomes.AvatarPage;
import dev.avatargateway.simulator.internal.world.SessionSpec;
import dev.avatargateway.simulator.internal.world.World;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Serves the Runway API routes ({@code /v1/...}). */
final class ApiHandler {
  /** runway-api.md §1: the only version, required on every documented operation. */
  static final String RUNWAY_VERSION = "2024-11-06";

  /** The method of a CORS preflight. */
  private static final String PREFLIGHT_METHOD = "OPTIONS";

  /** The {@code error} of a 400 that lists query parameter issues. */
  static final String INVALID_QUERY = "Invalid query parameters";

  // runway-api.md §3.4: avatar page size; every list's limit is 1..100.
  private static final int DEFAULT_AVATAR_LIMIT = 50;
  private static final int MAX_PAGE_LIMIT = 100;
  private static final int MAX_CURSOR_LENGTH = 1_000;
  private static final String CURSOR_PREFIX = "after:";
  // IMF-fixdate (RFC 9110 §5.6.7): two-digit day, unlike DateTimeFormatter.RFC_1123_DATE_TIME.
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);
  private static final String CLIENT_IDENTITY_PREFIX = "client-";
  private static final String BACKEND_IDENTITY_PREFIX = "backend-";
  // Eight hex digits tell participants of one room apart; identities stay short in logs.
  private static final int IDENTITY_SUFFIX_LENGTH = 8;

  private final SimulatorServer server;
  private final World world;
  private final LiveKitTokens tokens;
  private final ConversationRoutes conversations;

  ApiHandler(SimulatorServer server) {
    this.server = server;
    this.world = server.world;
    this.tokens = server.tokens;
    this.conversations = new ConversationRoutes(server.world);
  }

  void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    boolean consumePath = Router.isConsumePath(path);
    Cors.Decision cors =
        consumePath
            ? Cors.decide(
                world.config().consumeCorsOrigins(),
                Optional.ofNullable(ex.getRequestHeaders().getFirst("Origin")))
            : Cors.off();
    boolean preflight = consumePath && method.equals(PREFLIGHT_METHOD);
    if (!preflight) {
      // Set before anything can answer, so every consume answer carries them: a page cannot read
      // an error's status or body without them (413, faults, 401, 404, 409, the catch-all 500).
      Cors.annotate(ex.getResponseHeaders(), cors);
    }
    byte[] body;
    try {
      body = Exchanges.readBody(ex);
    } catch (Exchanges.BodyTooLarge e) {
      server.stats.request(false);
      respond(ex, Stats.UNROUTED, Reply.error(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large"));
      return;
    }
    Map<String, List<String>> headers = Exchanges.headers(ex);
    String query = Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse("");
    server.log.add(
        new RecordedRequest(
            world.now(), method, path, query, headers, new String(body, StandardCharsets.UTF_8)));
    if (preflight) {
      // Counted apart and never faulted: a preflight is the browser's question, not a consume, so
      // it must neither show in the consume counts nor use up a consume fault's budget.
      server.stats.preflight();
      Exchanges.send(ex, Cors.preflight(cors));
      return;
    }
    server.stats.request(isClientRetry(headers));

    switch (Router.match(method, path)) {
      case Router.NotFound n ->
          respond(ex, Stats.UNROUTED, Reply.error(HttpStatus.NOT_FOUND, "Not found"));
      case Router.MethodNotAllowed m ->
          respond(
              ex,
              Stats.UNROUTED,
              new Reply(
                  HttpStatus.METHOD_NOT_ALLOWED,
                  Json.error("Method not allowed"),
                  Map.of("Allow", m.allow())));
      case Router.Api api -> {
        Optional<FaultRule> before = server.faults.pick(api.route(), false);
        if (before.isPresent()) {
          inject(ex, api.route(), before.get());
          return;
        }
        Reply reply = dispatch(api, headers, body, query);
        if (reply.successful()) {
          Optional<FaultRule> after = server.faults.pick(api.route(), true);
          if (after.isPresent()) {
            inject(ex, api.route(), after.get());
            return;
          }
        }
        respond(ex, api.route().name(), reply);
      }
    }
  }

  private Reply dispatch(
      Router.Api api, Map<String, List<String>> headers, byte[] body, String query) {
    if (api.route() == Route.CONSUME) {
      // runway-api.md §2.5, official-sdk-behaviour.md §1.3: consume is authenticated by the
      // session key, and the official browser client sends no X-Runway-Version, so neither the
      // API key nor the version header is required here.
      return consume(api.id(), headers, body);
    }
    Optional<Reply> denied = checkApiKeyAndVersion(headers);
    if (denied.isPresent()) {
      return denied.get();
    }
    return switch (api.route()) {
      case CREATE -> create(body);
      case RETRIEVE -> withSessionId(api.id(), this::retrieve);
      case CANCEL -> withSessionId(api.id(), this::cancel);
      case CONNECT_BACKEND -> withSessionId(api.id(), this::connectBackend);
      case AVATAR_LIST -> listAvatars(query);
      case AVATAR_RETRIEVE -> withSessionId(api.id(), this::retrieveAvatar);
      case CONVERSATION_LIST -> conversations.list(query);
      case CONVERSATION_RETRIEVE -> withSessionId(api.id(), conversations::retrieve);
      case CONVERSATION_DELETE -> withSessionId(api.id(), conversations::delete);
      case USAGE -> conversations.usage(query);
      case CONSUME, ANY -> throw new IllegalStateException("unreachable: " + api.route());
    };
  }

  /**
   * runway-api.md §1: {@code Authorization: Bearer <API key>} on every route but consume (401
   * otherwise, §4.2), then the required {@code X-Runway-Version} (ASSUMPTION: 400, checked after
   * authentication).
   */
  private Optional<Reply> checkApiKeyAndVersion(Map<String, List<String>> headers) {
    Optional<String> key = Exchanges.bearer(headers);
    if (key.isEmpty() || !world.config().apiKeys().contains(key.get())) {
      // Never echo the presented key (runway-api.md §4.1 bodies carry only a message).
      return Optional.of(Reply.error(HttpStatus.UNAUTHORIZED, "Invalid or missing API key"));
    }
    Optional<String> version = Exchanges.first(headers, "x-runway-version");
    if (version.isEmpty() || !version.get().strip().equals(RUNWAY_VERSION)) {
      return Optional.of(
          Reply.error(
              HttpStatus.BAD_REQUEST,
              "Missing or unsupported X-Runway-Version header; use " + RUNWAY_VERSION));
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- realtime sessions

  private Reply create(byte[] body) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      return Reply.error(HttpStatus.BAD_REQUEST, "Malformed JSON in request body");
    }
    if (json == null || json.isMissingNode()) {
      return Reply.error(HttpStatus.BAD_REQUEST, "Malformed JSON in request body");
    }
    Validation v = CreateSessionValidator.validate(json);
    if (!v.valid()) {
      return invalid("Invalid request body", v.issues());
    }
    String raw = new String(body, StandardCharsets.UTF_8);
    return switch (world.create(sessionSpec(raw, json, v))) {
      case Outcomes.Created c -> Reply.json(HttpStatus.OK, Json.object().put("id", c.id()));
      // client-contract.md §6.8: the live API says "Could not find Avatar" for a foreign UUID.
      case Outcomes.AvatarNotFound n -> Reply.error(HttpStatus.NOT_FOUND, "Could not find Avatar");
      // ASSUMPTION: 400 for an avatar that exists but is not READY (runway-api.md §3.2 leaves it
      // open; only READY is "ready for use in sessions").
      case Outcomes.AvatarNotReady r ->
          Reply.error(
              HttpStatus.BAD_REQUEST,
              "Avatar is not ready for use in sessions (status " + r.status() + ")");
      // ASSUMPTION: the seed guide's 402; runway-api.md §7 item 1 says it is undocumented.
      case Outcomes.CreditsExhausted x ->
          Reply.error(HttpStatus.PAYMENT_REQUIRED, "Insufficient credits");
    };
  }

  /** The parts of a valid body that the session's conversation record shows. */
  private static SessionSpec sessionSpec(String raw, JsonNode json, Validation v) {
    List<SessionSpec.Tool> tools = new ArrayList<>();
    JsonNode list = json.get("tools");
    if (list != null) {
      for (JsonNode t : list) {
        tools.add(
            new SessionSpec.Tool(
                t.get("type").stringValue(),
                t.get("name").stringValue(),
                t.get("description").stringValue()));
      }
    }
    Optional<String> presetId =
        v.customAvatarId().isPresent()
            ? Optional.empty()
            : Optional.of(json.get("avatar").get("presetId").stringValue());
    return new SessionSpec(raw, v.maxDurationSeconds(), presetId, v.customAvatarId(), tools);
  }

  private Reply retrieve(String id) {
    return world
        .retrieve(id)
        .map(s -> Reply.json(HttpStatus.OK, sessionJson(s)))
        .orElseGet(ApiHandler::sessionNotFound);
  }

  private Reply cancel(String id) {
    return world.cancel(id).map(s -> Reply.noContent()).orElseGet(ApiHandler::sessionNotFound);
  }

  private Reply consume(String rawId, Map<String, List<String>> headers, byte[] body) {
    if (!isEmptyOrJson(body)) {
      return Reply.error(HttpStatus.BAD_REQUEST, "Malformed JSON in request body");
    }
    return withSessionId(
        rawId,
        id ->
            credentials(
                world.consume(id, Exchanges.bearer(headers)),
                CLIENT_IDENTITY_PREFIX,
                "Runway avatar client"));
  }

  private Reply connectBackend(String id) {
    return credentials(world.connectBackend(id), BACKEND_IDENTITY_PREFIX, "Backend RPC handler");
  }

  private Reply credentials(
      Outcomes.CredentialsOutcome outcome, String identityPrefix, String displayName) {
    return switch (outcome) {
      case Outcomes.Granted g -> {
        String identity = identityPrefix + RequestIds.next().substring(0, IDENTITY_SUFFIX_LENGTH);
        String token =
            tokens.issue(identity, displayName, g.roomName(), g.issuedAt(), g.expiresAt());
        yield Reply.json(
            HttpStatus.OK,
            Json.object()
                .put("url", world.config().livekitUrl())
                .put("token", token)
                .put("roomName", g.roomName()));
      }
      case Outcomes.SessionNotFound n -> sessionNotFound();
      // ASSUMPTION (runway-api.md §8): 401 for a bearer that is not this session's key.
      case Outcomes.WrongSessionKey w ->
          Reply.error(HttpStatus.UNAUTHORIZED, "Invalid session key");
      // ASSUMPTION (official-sdk-behaviour.md §3): configurable, 409 by default.
      case Outcomes.AlreadyConsumed a ->
          Reply.error(world.config().secondConsumeStatus(), "Session was already consumed");
      // ASSUMPTION (runway-api.md §8): 409 when the session is not in a status that allows it.
      case Outcomes.WrongStatus w ->
          Reply.error(HttpStatus.CONFLICT, "Session is " + w.status() + ", not READY");
    };
  }

  // ---------------------------------------------------------------- avatars

  private Reply retrieveAvatar(String id) {
    return world
        .avatar(id)
        .map(a -> Reply.json(HttpStatus.OK, avatarJson(a)))
        .orElseGet(() -> Reply.error(HttpStatus.NOT_FOUND, "Could not find Avatar"));
  }

  private Reply listAvatars(String rawQuery) {
    Map<String, String> q = Exchanges.query(rawQuery);
    List<Issue> issues = new ArrayList<>();
    Optional<Integer> limit = limit(q, issues);
    Optional<String> cursor = cursor(q, issues);
    if (!issues.isEmpty()) {
      return invalid(INVALID_QUERY, issues);
    }
    Optional<String> afterId = Optional.empty();
    if (cursor.isPresent()) {
      afterId = decodeCursor(cursor.get());
      if (afterId.isEmpty()) {
        return invalidCursor();
      }
    }
    Optional<AvatarPage> page = world.avatarPage(limit.orElse(DEFAULT_AVATAR_LIMIT), afterId);
    if (page.isEmpty()) {
      return invalidCursor();
    }
    ObjectNode out = Json.object();
    ArrayNode data = out.putArray("data");
    page.get().data().forEach(a -> data.add(avatarJson(a)));
    out.put("hasMore", page.get().hasMore());
    page.get()
        .nextCursor()
        .ifPresentOrElse(
            id -> out.put("nextCursor", encodeCursor(id)), () -> out.putNull("nextCursor"));
    return Reply.json(HttpStatus.OK, out);
  }

  /**
   * The {@code limit} query parameter (runway-api.md §3.4: integer 1..100), when present and valid;
   * adds an issue to {@code issues} when it is present and invalid.
   */
  static Optional<Integer> limit(Map<String, String> query, List<Issue> issues) {
    String text = query.get("limit");
    if (text == null) {
      return Optional.empty();
    }
    Optional<Issue> issue = limitIssue(text);
    issue.ifPresent(issues::add);
    return issue.isPresent() ? Optional.empty() : Optional.of(Integer.parseInt(text.strip()));
  }

  /**
   * The {@code cursor} query parameter (runway-api.md §3.4: string 1..1000), when present and
   * within its length bounds; adds an issue to {@code issues} otherwise.
   */
  static Optional<String> cursor(Map<String, String> query, List<Issue> issues) {
    String cursor = query.get("cursor");
    if (cursor == null) {
      return Optional.empty();
    }
    if (cursor.isEmpty() || cursor.length() > MAX_CURSOR_LENGTH) {
      issues.add(
          new Issue(
              cursor.isEmpty() ? "too_small" : "too_big",
              List.of("cursor"),
              cursor.isEmpty()
                  ? "Too small: expected string to have >=1 characters"
                  : "Too big: expected string to have <=1000 characters",
              Map.of("origin", "string")));
      return Optional.empty();
    }
    return Optional.of(cursor);
  }

  static Reply invalidCursor() {
    return Reply.error(HttpStatus.BAD_REQUEST, "Invalid cursor");
  }

  private static Optional<Issue> limitIssue(String text) {
    List<Object> path = List.of("limit");
    int value;
    try {
      value = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      return Optional.of(
          new Issue(
              "invalid_type",
              path,
              "Invalid input: expected int, received string",
              Map.of("expected", "int")));
    }
    if (value < 1) {
      return Optional.of(
          new Issue(
              "too_small",
              path,
              "Too small: expected number to be >=1",
              Map.of("origin", "number", "minimum", 1, "inclusive", true)));
    }
    if (value > MAX_PAGE_LIMIT) {
      return Optional.of(
          new Issue(
              "too_big",
              path,
              "Too big: expected number to be <=" + MAX_PAGE_LIMIT,
              Map.of("origin", "number", "maximum", MAX_PAGE_LIMIT, "inclusive", true)));
    }
    return Optional.empty();
  }

  /** An opaque cursor naming the last item (avatar or session id) of a page. */
  static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((CURSOR_PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
  }

  static Optional<String> decodeCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      return text.startsWith(CURSOR_PREFIX)
          ? Optional.of(text.substring(CURSOR_PREFIX.length()))
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- JSON shapes

  /** runway-api.md §2.3: exactly the members of the variant, nothing else (closed schemas). */
  static ObjectNode sessionJson(SessionRecord s) {
    ObjectNode n = Json.object();
    n.put("id", s.id());
    n.put("status", s.status());
    n.put("createdAt", Json.timestamp(s.createdAt()));
    switch (s.status()) {
      // ASSUMPTION: `queued` is always sent as a boolean (the spec makes it optional).
      case "NOT_READY" -> n.put("queued", s.queued());
      case "READY" -> {
        n.put("expiresAt", Json.timestamp(s.expiresAt().orElseThrow()));
        n.put("sessionKey", s.sessionKey().orElseThrow());
      }
      case "COMPLETED" -> n.put("duration", s.durationSeconds().orElseThrow());
      case "FAILED" -> {
        n.put("failure", s.failure().orElseThrow());
        n.put("failureCode", s.failureCode().orElseThrow());
      }
      default -> {
        // RUNNING and CANCELLED carry only id, status and createdAt.
      }
    }
    return n;
  }

  /** runway-api.md §3.2: the avatar object, every required member present. */
  static ObjectNode avatarJson(Avatar a) {
    ObjectNode n = Json.object();
    n.put("id", a.id());
    n.put("name", a.name());
    n.put("personality", a.personality());
    n.put("startScript", a.startScript());
    ObjectNode voice = n.putObject("voice");
    voice.put("type", "runway-live-preset");
    voice.put("presetId", a.voice().presetId());
    voice.put("name", a.voice().name());
    voice.put("description", a.voice().description());
    n.put("referenceImageUri", a.referenceImageUri());
    n.put("processedImageUri", a.processedImageUri());
    n.putArray("documentIds");
    n.put("createdAt", Json.timestamp(a.createdAt()));
    n.put("updatedAt", Json.timestamp(a.updatedAt()));
    n.put("status", a.status().name());
    if (a.failureReason() != null) {
      n.put("failureReason", a.failureReason());
    }
    return n;
  }

  // ---------------------------------------------------------------- faults and plumbing

  private void inject(HttpExchange ex, Route route, FaultRule rule) throws IOException {
    server.stats.faultInjected();
    switch (rule.kind()) {
      case STATUS -> {
        Map<String, String> h = new HashMap<>();
        switch (rule.retryAfter()) {
          case RetryAfter.None none -> {}
          case RetryAfter.Seconds s -> h.put("Retry-After", Long.toString(s.seconds()));
          case RetryAfter.Millis m -> h.put("retry-after-ms", Long.toString(m.millis()));
          case RetryAfter.HttpDate d ->
              h.put("Retry-After", HTTP_DATE.format(world.now().plus(d.delay())));
        }
        if (rule.shouldRetry() != null) {
          h.put("x-should-retry", rule.shouldRetry().toString());
        }
        respond(
            ex,
            route.name(),
            new Reply(
                rule.status(),
                Json.error(HttpStatus.reason(rule.status()) + " (simulated fault)"),
                h));
      }
      case RESET -> {
        server.stats.response(route.name(), Stats.NO_RESPONSE);
        // Closing an exchange before its response headers are sent closes the TCP connection
        // (com.sun.net.httpserver ExchangeImpl.close): the client sees the connection drop.
        ex.close();
      }
      case HANG -> {
        server.stats.response(route.name(), Stats.NO_RESPONSE);
        hang(ex);
      }
    }
  }

  private void hang(HttpExchange ex) {
    CountDownLatch released = new CountDownLatch(1);
    server.hangs.add(released);
    try {
      boolean unused =
          released.await(server.startConfig.maxHang().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.hangs.remove(released);
      ex.close();
    }
  }

  private void respond(HttpExchange ex, String route, Reply reply) throws IOException {
    server.stats.response(route, reply.status());
    Exchanges.send(ex, reply);
  }

  /** Validates a path id against the OAS UUID v4 pattern (runway-api.md §1). */
  static Reply withSessionId(String rawId, Function<String, Reply> then) {
    if (!CreateSessionValidator.UUID_V4.matcher(rawId).matches()) {
      // ASSUMPTION (runway-api.md §8 leaves 400 vs 404 open): a malformed id is a validation
      // error of the path parameter, reported Zod-style.
      return invalid(
          "Invalid path parameters",
          List.of(
              new Issue(
                  "invalid_format",
                  List.of("id"),
                  "Invalid UUID",
                  Map.of("origin", "string", "format", "uuid"))));
    }
    return then.apply(rawId.toLowerCase(Locale.ROOT));
  }

  static Reply invalid(String error, List<Issue> issues) {
    ObjectNode n = Json.error(error);
    ArrayNode list = n.putArray("issues");
    for (Issue i : issues) {
      ObjectNode o = list.addObject();
      o.put("code", i.code());
      ArrayNode path = o.putArray("path");
      for (Object segment : i.path()) {
        if (segment instanceof Integer index) {
          path.add(index);
        } else {
          path.add(segment.toString());
        }
      }
      o.put("message", i.message());
      i.details().forEach((k, v) -> o.set(k, Json.MAPPER.valueToTree(v)));
    }
    return Reply.json(HttpStatus.BAD_REQUEST, n);
  }

  private static Reply sessionNotFound() {
    return Reply.error(HttpStatus.NOT_FOUND, "Realtime session not found");
  }

  private static boolean isEmptyOrJson(byte[] body) {
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return true;
    }
    try {
      Json.MAPPER.readTree(body);
      return true;
    } catch (JacksonException e) {
      return false;
    }
  }

  /** official-sdk-behaviour.md §1.5: a retry is an {@code x-stainless-retry-count} above 0. */
  private static boolean isClientRetry(Map<String, List<String>> headers) {
    return Exchanges.first(headers, "x-stainless-retry-count")
        .map(
            v -> {
              try {
                return Integer.parseInt(v.strip()) > 0;
              } catch (NumberFormatException e) {
                return false;
              }
            })
        .orElse(false);
  }
}
