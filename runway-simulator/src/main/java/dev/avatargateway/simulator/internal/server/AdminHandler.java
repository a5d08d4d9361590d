package dev.avatargateway.simulator.internal.server;

import com.sun.net.httpserver.HttpExchange;
import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.SimulatorException;
import dev.avatargateway.simulator.SimulatorStats;
import dev.avatargateway.simulator.internal.Durations;
import dev.avatargateway.simulator.internal.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code /_simulator/...} admin routes: JSON, no API key, never recorded, never faulted. See
 * README.md "Admin HTTP API".
 */
final class AdminHandler {
  private static final Set<String> FAULT_FIELDS =
      Set.of(
          "spec",
          "route",
          "kind",
          "status",
          "probability",
          "times",
          "retryAfterSeconds",
          "retryAfterMillis",
          "retryAfterDate",
          "shouldRetry",
          "afterCommit");
  private static final Set<String> CONFIG_FIELDS =
      Set.of(
          "readyAfter",
          "readyWindow",
          "sessionKeyTtl",
          "concurrencyCap",
          "maxSessionDuration",
          "creditsExhausted",
          "secondConsumeStatus",
          "livekitUrl",
          "conversationsForUnstartedSessions",
          "conversationRecordDelay",
          "consumeCorsOrigins");
  private static final String DEFAULT_FAILURE_CODE = "INTERNAL";
  private static final String DEFAULT_FAILURE = "Session failed (simulated)";

  private final SimulatorServer server;
  private final AdminFacade admin;

  AdminHandler(SimulatorServer server, AdminFacade admin) {
    this.server = server;
    this.admin = admin;
  }

  void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath().substring(SimulatorServer.ADMIN_PREFIX.length());
    Reply reply;
    try {
      byte[] body;
      try {
        body = Exchanges.readBody(ex);
      } catch (Exchanges.BodyTooLarge e) {
        Exchanges.send(ex, Reply.error(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large"));
        return;
      }
      reply = route(method, path, body);
    } catch (SimulatorException | JacksonException | IllegalArgumentException e) {
      reply = Reply.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    Exchanges.send(ex, reply);
  }

  private Reply route(String method, String path, byte[] body) {
    return switch (path) {
      case "/sessions" -> only(method, "GET", () -> sessions(admin.sessions()));
      case "/stats" -> only(method, "GET", () -> stats(admin.stats()));
      case "/requests" -> only(method, "GET", () -> requests(admin.requests()));
      case "/faults" ->
          switch (method) {
            case "POST" -> addFault(body);
            case "DELETE" -> {
              admin.clearFaults();
              yield Reply.noContent();
            }
            default -> notAllowed("POST, DELETE");
          };
      case "/config" ->
          switch (method) {
            case "GET" -> Reply.json(HttpStatus.OK, config(server.config()));
            case "PUT" -> updateConfig(body);
            default -> notAllowed("GET, PUT");
          };
      case "/fail-next" -> only(method, "POST", () -> failNext(body));
      case "/avatars" -> only(method, "POST", () -> createAvatar(body));
      case "/clock/advance" -> only(method, "POST", () -> advance(body));
      case "/reset" ->
          only(
              method,
              "POST",
              () -> {
                admin.reset();
                return Reply.noContent();
              });
      default -> {
        if (path.startsWith("/sessions/")) {
          yield sessionRoute(method, path.substring("/sessions/".length()), body);
        }
        if (path.startsWith("/avatars/")) {
          yield only(
              method, "PUT", () -> setAvatarStatus(path.substring("/avatars/".length()), body));
        }
        yield Reply.error(HttpStatus.NOT_FOUND, "Unknown admin route");
      }
    };
  }

  /** {@code /sessions/{id}} and the actions under it. */
  private Reply sessionRoute(String method, String rest, byte[] body) {
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return only(method, "GET", () -> session(rest));
    }
    String id = rest.substring(0, slash).toLowerCase(Locale.ROOT);
    return switch (rest.substring(slash + 1)) {
      case "end-call" -> only(method, "POST", () -> onRunning(id, () -> admin.endCall(id)));
      case "fail" -> only(method, "POST", () -> failRunning(id, body));
      default -> Reply.error(HttpStatus.NOT_FOUND, "Unknown admin route");
    };
  }

  private Reply failRunning(String id, byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, Set.of("failureCode", "failure"));
    String code = text(n, "failureCode").orElse(DEFAULT_FAILURE_CODE);
    String failure = text(n, "failure").orElse(DEFAULT_FAILURE);
    return onRunning(id, () -> admin.failRunningSession(id, code, failure));
  }

  /** 204 after {@code action}; 404 for an unknown session, 409 when it is not RUNNING. */
  private Reply onRunning(String id, Runnable action) {
    if (admin.session(id).isEmpty()) {
      return Reply.error(HttpStatus.NOT_FOUND, "No such session");
    }
    try {
      action.run();
    } catch (IllegalStateException e) {
      return Reply.error(HttpStatus.CONFLICT, e.getMessage());
    }
    return Reply.noContent();
  }

  private Reply session(String id) {
    return admin
        .session(id.toLowerCase(Locale.ROOT))
        .map(s -> Reply.json(HttpStatus.OK, session(s)))
        .orElseGet(() -> Reply.error(HttpStatus.NOT_FOUND, "No such session"));
  }

  private Reply addFault(byte[] body) {
    FaultRule rule = faultRule(object(body));
    admin.injectFault(rule);
    return Reply.json(HttpStatus.OK, fault(rule));
  }

  private Reply updateConfig(byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, CONFIG_FIELDS);
    server.world.updateConfig(
        b -> {
          text(n, "readyAfter").map(DelayDistribution::parse).ifPresent(b::readyAfter);
          duration(n, "readyWindow").ifPresent(b::readyWindow);
          duration(n, "sessionKeyTtl").ifPresent(b::sessionKeyTtl);
          duration(n, "maxSessionDuration").ifPresent(b::maxSessionDuration);
          if (n.has("concurrencyCap")) {
            JsonNode cap = n.get("concurrencyCap");
            b.concurrencyCap(
                cap.isNull() || cap.asString().equalsIgnoreCase("unlimited")
                    ? SimulatorConfig.UNLIMITED
                    : integer(cap, "concurrencyCap"));
          }
          if (n.has("creditsExhausted")) {
            b.creditsExhausted(bool(n.get("creditsExhausted"), "creditsExhausted"));
          }
          if (n.has("secondConsumeStatus")) {
            b.secondConsumeStatus(integer(n.get("secondConsumeStatus"), "secondConsumeStatus"));
          }
          text(n, "livekitUrl").ifPresent(b::livekitUrl);
          if (n.has("conversationsForUnstartedSessions")) {
            b.conversationsForUnstartedSessions(
                bool(
                    n.get("conversationsForUnstartedSessions"),
                    "conversationsForUnstartedSessions"));
          }
          duration(n, "conversationRecordDelay").ifPresent(b::conversationRecordDelay);
          if (n.has("consumeCorsOrigins")) {
            b.consumeCorsOrigins(strings(n.get("consumeCorsOrigins"), "consumeCorsOrigins"));
          }
          return b;
        });
    return Reply.json(HttpStatus.OK, config(server.config()));
  }

  private Reply failNext(byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, Set.of("count", "failureCode", "failure"));
    if (!n.has("count")) {
      throw new SimulatorException("count is required");
    }
    admin.failNextSessions(
        integer(n.get("count"), "count"),
        text(n, "failureCode").orElse(DEFAULT_FAILURE_CODE),
        text(n, "failure").orElse(DEFAULT_FAILURE));
    return Reply.noContent();
  }

  private Reply createAvatar(byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, Set.of("name", "status", "personality", "startScript"));
    String name = text(n, "name").orElseThrow(() -> new SimulatorException("name is required"));
    AvatarStatus status =
        text(n, "status").map(AdminHandler::avatarStatus).orElse(AvatarStatus.READY);
    String id =
        server.world.createAvatar(name, status, text(n, "personality"), text(n, "startScript"));
    return Reply.json(HttpStatus.OK, Json.object().put("id", id));
  }

  private Reply setAvatarStatus(String id, byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, Set.of("status"));
    AvatarStatus status =
        avatarStatus(
            text(n, "status").orElseThrow(() -> new SimulatorException("status is required")));
    if (server.world.avatar(id).isEmpty()) {
      return Reply.error(HttpStatus.NOT_FOUND, "No such avatar");
    }
    admin.setAvatarStatus(id, status);
    return Reply.noContent();
  }

  private Reply advance(byte[] body) {
    JsonNode n = object(body);
    requireOnly(n, Set.of("millis", "by"));
    Duration by;
    if (n.has("millis")) {
      JsonNode m = n.get("millis");
      if (!m.isIntegralNumber()) {
        throw new SimulatorException("millis must be an integer");
      }
      by = Duration.ofMillis(m.longValue());
    } else {
      by = duration(n, "by").orElseThrow(() -> new SimulatorException("millis or by is required"));
    }
    admin.advanceClock(by);
    return Reply.json(HttpStatus.OK, Json.object().put("now", Json.timestamp(server.world.now())));
  }

  // ---------------------------------------------------------------- JSON out

  private static Reply sessions(List<SessionRecord> all) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    all.forEach(s -> a.add(session(s)));
    return Reply.json(HttpStatus.OK, a);
  }

  static ObjectNode session(SessionRecord s) {
    ObjectNode n = Json.object();
    n.put("id", s.id());
    n.put("status", s.status());
    n.put("queued", s.queued());
    n.put("createdAt", Json.timestamp(s.createdAt()));
    putInstant(n, "provisioningStartedAt", s.provisioningStartedAt());
    putInstant(n, "readyAt", s.readyAt());
    putInstant(n, "expiresAt", s.expiresAt());
    putInstant(n, "consumedAt", s.consumedAt());
    putInstant(n, "cancelledAt", s.cancelledAt());
    putInstant(n, "endedAt", s.endedAt());
    n.put("sessionKey", s.sessionKey().orElse(null));
    n.put("failureCode", s.failureCode().orElse(null));
    n.put("failure", s.failure().orElse(null));
    n.put("durationSeconds", s.durationSeconds().orElse(null));
    n.put("maxDurationSeconds", s.maxDurationSeconds());
    n.put("leaked", s.leaked());
    n.put("getCount", s.getCount());
    n.put("consumeAttempts", s.consumeAttempts());
    n.put("cancelRequests", s.cancelRequests());
    n.put("createBody", s.createBody());
    return n;
  }

  private static Reply stats(SimulatorStats s) {
    ObjectNode n = Json.object();
    n.put("requests", s.requests());
    ObjectNode responses = n.putObject("responses");
    s.responses().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              ObjectNode byStatus = responses.putObject(e.getKey());
              e.getValue().entrySet().stream()
                  .sorted(Map.Entry.comparingByKey())
                  .forEach(c -> byStatus.put(Integer.toString(c.getKey()), c.getValue()));
            });
    n.put("clientRetries", s.clientRetries());
    n.put("sessionsCreated", s.sessionsCreated());
    n.put("leaked", s.leaked());
    n.put("open", s.open());
    n.put("faultsInjected", s.faultsInjected());
    n.put("preflights", s.preflights());
    return Reply.json(HttpStatus.OK, n);
  }

  private static Reply requests(List<RecordedRequest> all) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (RecordedRequest r : all) {
      ObjectNode n = a.addObject();
      n.put("time", Json.timestamp(r.time()));
      n.put("method", r.method());
      n.put("path", r.path());
      n.put("query", r.query());
      ObjectNode headers = n.putObject("headers");
      r.headers().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              h -> {
                ArrayNode values = headers.putArray(h.getKey());
                h.getValue().forEach(values::add);
              });
      n.put("body", r.body());
    }
    return Reply.json(HttpStatus.OK, a);
  }

  static ObjectNode fault(FaultRule r) {
    ObjectNode n = Json.object();
    n.put("route", r.route().name());
    n.put("kind", r.kind().name());
    if (r.kind() == FaultRule.Kind.STATUS) {
      n.put("status", r.status());
    }
    n.put("probability", r.probability());
    if (r.times() == FaultRule.UNLIMITED) {
      n.putNull("times");
    } else {
      n.put("times", r.times());
    }
    switch (r.retryAfter()) {
      case RetryAfter.None none -> {}
      case RetryAfter.Seconds s -> n.put("retryAfterSeconds", s.seconds());
      case RetryAfter.Millis m -> n.put("retryAfterMillis", m.millis());
      case RetryAfter.HttpDate d -> n.put("retryAfterDate", Durations.format(d.delay()));
    }
    if (r.shouldRetry() != null) {
      n.put("shouldRetry", r.shouldRetry());
    }
    n.put("afterCommit", r.afterCommit());
    return n;
  }

  static ObjectNode config(SimulatorConfig c) {
    ObjectNode n = Json.object();
    n.put("port", c.port());
    n.put("apiKeyCount", c.apiKeys().size());
    n.put("readyAfter", c.readyAfter().toString());
    n.put("readyWindow", Durations.format(c.readyWindow()));
    n.put("sessionKeyTtl", Durations.format(c.sessionKeyTtl()));
    if (c.concurrencyCap() == SimulatorConfig.UNLIMITED) {
      n.putNull("concurrencyCap");
    } else {
      n.put("concurrencyCap", c.concurrencyCap());
    }
    n.put("maxSessionDuration", Durations.format(c.maxSessionDuration()));
    n.put("creditsExhausted", c.creditsExhausted());
    n.put("secondConsumeStatus", c.secondConsumeStatus());
    n.put("livekitUrl", c.livekitUrl());
    n.put("conversationsForUnstartedSessions", c.conversationsForUnstartedSessions());
    n.put("conversationRecordDelay", Durations.format(c.conversationRecordDelay()));
    ArrayNode origins = n.putArray("consumeCorsOrigins");
    c.consumeCorsOrigins().forEach(origins::add);
    n.put("maxHang", Durations.format(c.maxHang()));
    n.put("seed", c.seed());
    ArrayNode faults = n.putArray("faults");
    c.faults().forEach(f -> faults.add(fault(f)));
    return n;
  }

  // ---------------------------------------------------------------- JSON in

  static FaultRule faultRule(JsonNode n) {
    requireOnly(n, FAULT_FIELDS);
    if (n.has("spec")) {
      if (n.size() != 1) {
        throw new SimulatorException("spec cannot be combined with other fields");
      }
      return FaultRule.parse(text(n, "spec").orElseThrow());
    }
    FaultRule.Builder b = FaultRule.builder();
    text(n, "route")
        .map(r -> FaultRule.Route.valueOf(r.toUpperCase(Locale.ROOT).replace('-', '_')))
        .ifPresent(b::route);
    text(n, "kind").map(k -> FaultRule.Kind.valueOf(k.toUpperCase(Locale.ROOT))).ifPresent(b::kind);
    if (n.has("status")) {
      b.status(integer(n.get("status"), "status"));
    }
    if (n.has("probability")) {
      JsonNode p = n.get("probability");
      if (!p.isNumber()) {
        throw new SimulatorException("probability must be a number");
      }
      b.probability(p.doubleValue());
    }
    if (n.has("times") && !n.get("times").isNull()) {
      b.times(integer(n.get("times"), "times"));
    }
    int delays = 0;
    if (n.has("retryAfterSeconds")) {
      b.retryAfter(RetryAfter.seconds(integer(n.get("retryAfterSeconds"), "retryAfterSeconds")));
      delays++;
    }
    if (n.has("retryAfterMillis")) {
      b.retryAfter(RetryAfter.millis(integer(n.get("retryAfterMillis"), "retryAfterMillis")));
      delays++;
    }
    Optional<Duration> date = duration(n, "retryAfterDate");
    if (date.isPresent()) {
      b.retryAfter(RetryAfter.httpDate(date.get()));
      delays++;
    }
    if (delays > 1) {
      throw new SimulatorException("Give at most one of retryAfterSeconds/Millis/Date");
    }
    if (n.has("shouldRetry") && !n.get("shouldRetry").isNull()) {
      b.shouldRetry(bool(n.get("shouldRetry"), "shouldRetry"));
    }
    if (n.has("afterCommit")) {
      b.afterCommit(bool(n.get("afterCommit"), "afterCommit"));
    }
    return b.build();
  }

  private static JsonNode object(byte[] body) {
    if (body.length == 0) {
      return Json.object();
    }
    JsonNode n = Json.MAPPER.readTree(body);
    if (n == null || !n.isObject()) {
      throw new SimulatorException("Body must be a JSON object");
    }
    return n;
  }

  private static void requireOnly(JsonNode n, Set<String> known) {
    for (String name : n.propertyNames()) {
      if (!known.contains(name)) {
        throw new SimulatorException("Unknown field '" + name + "'; known: " + known);
      }
    }
  }

  private static Optional<String> text(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isString()) {
      throw new SimulatorException(name + " must be a string");
    }
    return Optional.of(v.stringValue());
  }

  /** A duration given as compact text ("25s") or as a number of milliseconds. */
  private static Optional<Duration> duration(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (v.isIntegralNumber()) {
      return Optional.of(Durations.requireNonNegative(Duration.ofMillis(v.longValue()), name));
    }
    if (v.isString()) {
      return Optional.of(Durations.parse(v.stringValue()));
    }
    throw new SimulatorException(name + " must be a duration string or milliseconds");
  }

  private static List<String> strings(JsonNode v, String name) {
    if (!v.isArray()) {
      throw new SimulatorException(name + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isString()) {
        throw new SimulatorException(name + " must be an array of strings");
      }
      out.add(e.stringValue());
    }
    return out;
  }

  private static int integer(JsonNode v, String name) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new SimulatorException(name + " must be an integer");
    }
    return v.intValue();
  }

  private static boolean bool(JsonNode v, String name) {
    if (!v.isBoolean()) {
      throw new SimulatorException(name + " must be a boolean");
    }
    return v.booleanValue();
  }

  private static AvatarStatus avatarStatus(String s) {
    try {
      return AvatarStatus.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SimulatorException("status must be PROCESSING, READY or FAILED");
    }
  }

  private static void putInstant(ObjectNode n, String name, Optional<Instant> value) {
    n.put(name, value.map(Json::timestamp).orElse(null));
  }

  private static Reply only(String method, String allowed, Supplier<Reply> then) {
    return method.equals(allowed) ? then.get() : notAllowed(allowed);
  }

  private static Reply notAllowed(String allow) {
    return new Reply(
        HttpStatus.METHOD_NOT_ALLOWED, Json.error("Method not allowed"), Map.of("Allow", allow));
  }
}
