package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.internal.json.Json;
import dev.avatargateway.simulator.internal.validation.CreateSessionValidator;
import dev.avatargateway.simulator.internal.validation.Issue;
import dev.avatargateway.simulator.internal.world.Conversation;
import dev.avatargateway.simulator.internal.world.Outcomes.ConversationPage;
import dev.avatargateway.simulator.internal.world.SessionSpec;
import dev.avatargateway.simulator.internal.world.Usage;
import dev.avatargateway.simulator.internal.world.World;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/avatar_conversations[/{id}]} and {@code /v1/avatar_usage} (runway-api-additions.md,
 * Conversations and Usage; the OAS path items of the same names). Authentication and the version
 * header are checked before these run.
 */
final class ConversationRoutes {
  // OAS /v1/avatar_conversations `limit`: default 20, 1..100 (runway-api.md §3.4 agrees).
  private static final int DEFAULT_CONVERSATION_LIMIT = 20;
  // OAS /v1/avatar_usage: "The date range must not exceed 90 days."
  private static final Duration MAX_USAGE_RANGE = Duration.ofDays(90);
  // runway-api-additions.md, Usage: one source documents YYYY-MM-DD (UTC), another sends ISO-8601
  // instants; the simulator takes both. The date form is tried first: it is the shorter one.
  private static final Pattern DATE_ONLY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private final World world;

  ConversationRoutes(World world) {
    this.world = world;
  }

  // ---------------------------------------------------------------- routes

  Reply list(String rawQuery) {
    Map<String, String> q = Exchanges.query(rawQuery);
    List<Issue> issues = new ArrayList<>();
    Optional<Integer> limit = ApiHandler.limit(q, issues);
    Optional<String> cursor = ApiHandler.cursor(q, issues);
    Optional<String> avatar = avatar(q, issues);
    Optional<Instant> from = instant(q, "startDate", false, issues);
    Optional<Instant> to = instant(q, "endDate", false, issues);
    if (!issues.isEmpty()) {
      return ApiHandler.invalid(ApiHandler.INVALID_QUERY, issues);
    }
    Optional<String> afterId = Optional.empty();
    if (cursor.isPresent()) {
      afterId = ApiHandler.decodeCursor(cursor.get());
      if (afterId.isEmpty()) {
        return ApiHandler.invalidCursor();
      }
    }
    // runway-api-additions.md: `startDate` inclusive and `endDate` exclusive, on `createdAt`;
    // `avatar` is a custom avatar id. ASSUMPTION: endDate <= startDate is an empty page, not 400.
    Predicate<Conversation> filter =
        c ->
            from.map(f -> !c.createdAt().isBefore(f)).orElse(true)
                && to.map(t -> c.createdAt().isBefore(t)).orElse(true)
                && avatar
                    .map(a -> c.avatar() instanceof Conversation.Custom cu && cu.id().equals(a))
                    .orElse(true);
    Optional<ConversationPage> page =
        world.conversationPage(limit.orElse(DEFAULT_CONVERSATION_LIMIT), afterId, filter);
    if (page.isEmpty()) {
      return ApiHandler.invalidCursor();
    }
    ObjectNode out = Json.object();
    ArrayNode data = out.putArray("data");
    page.get().data().forEach(c -> data.add(summaryJson(c)));
    // The OAS requires hasMore beside nextCursor (runway-api-additions.md names only the cursor).
    out.put("hasMore", page.get().hasMore());
    page.get()
        .nextCursor()
        .ifPresentOrElse(
            id -> out.put("nextCursor", ApiHandler.encodeCursor(id)),
            () -> out.putNull("nextCursor"));
    return Reply.json(HttpStatus.OK, out);
  }

  Reply retrieve(String id) {
    return world
        .conversation(id)
        .map(c -> Reply.json(HttpStatus.OK, conversationJson(c)))
        .orElseGet(ConversationRoutes::notFound);
  }

  Reply delete(String id) {
    // runway-api-additions.md: "deletes it and its data; 204". ASSUMPTION: 404 when there is no
    // record (unknown id, not visible yet, or deleted before), as for a retrieve.
    return world.deleteConversation(id) ? Reply.noContent() : notFound();
  }

  Reply usage(String rawQuery) {
    Map<String, String> q = Exchanges.query(rawQuery);
    List<Issue> issues = new ArrayList<>();
    // OAS /v1/avatar_usage: both dates are required.
    Optional<Instant> from = instant(q, "startDate", true, issues);
    Optional<Instant> to = instant(q, "endDate", true, issues);
    if (issues.isEmpty()) {
      // ASSUMPTION: an empty or reversed range is a validation error like the 90-day limit.
      if (!to.orElseThrow().isAfter(from.orElseThrow())) {
        issues.add(custom("endDate", "endDate must be after startDate"));
      } else if (Duration.between(from.get(), to.get()).compareTo(MAX_USAGE_RANGE) > 0) {
        issues.add(custom("endDate", "The date range must not exceed 90 days"));
      }
    }
    if (!issues.isEmpty()) {
      return ApiHandler.invalid(ApiHandler.INVALID_QUERY, issues);
    }
    return Reply.json(
        HttpStatus.OK, usageJson(Usage.over(world.conversations(), from.get(), to.get())));
  }

  // ---------------------------------------------------------------- query parameters

  private static Optional<String> avatar(Map<String, String> q, List<Issue> issues) {
    String text = q.get("avatar");
    if (text == null) {
      return Optional.empty();
    }
    if (!CreateSessionValidator.UUID_V4.matcher(text).matches()) {
      issues.add(
          new Issue(
              "invalid_format",
              List.of("avatar"),
              "Invalid UUID",
              Map.of("origin", "string", "format", "uuid")));
      return Optional.empty();
    }
    return Optional.of(text.toLowerCase(Locale.ROOT));
  }

  /**
   * A date query parameter: {@code YYYY-MM-DD} (midnight UTC) or an ISO-8601 date-time with {@code
   * Z} (seconds and fraction optional, as the OAS pattern allows) or, ASSUMPTION, an offset.
   */
  private static Optional<Instant> instant(
      Map<String, String> q, String name, boolean required, List<Issue> issues) {
    String text = q.get(name);
    if (text == null) {
      if (required) {
        issues.add(
            new Issue(
                "invalid_type",
                List.of(name),
                "Invalid input: expected string, received undefined",
                Map.of("expected", "string")));
      }
      return Optional.empty();
    }
    try {
      if (DATE_ONLY.matcher(text).matches()) {
        return Optional.of(
            LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant());
      }
      return Optional.of(
          OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      // Zod 4's z.iso.datetime() issue.
      issues.add(
          new Issue(
              "invalid_format",
              List.of(name),
              "Invalid ISO datetime",
              Map.of("origin", "string", "format", "datetime")));
      return Optional.empty();
    }
  }

  private static Issue custom(String name, String message) {
    return new Issue("custom", List.of(name), message, Map.of());
  }

  private static Reply notFound() {
    // ASSUMPTION: worded like the observed "Could not find Avatar" (client-contract.md §6.8).
    return Reply.error(HttpStatus.NOT_FOUND, "Could not find Conversation");
  }

  // ---------------------------------------------------------------- JSON shapes

  /** OAS ConversationListItem: exactly its seven members (closed schema). */
  static ObjectNode summaryJson(Conversation c) {
    ObjectNode n = Json.object();
    n.put("id", c.id());
    n.put("name", c.name());
    n.put("status", c.status().wire());
    ObjectNode avatar = n.putObject("avatar");
    switch (c.avatar()) {
      case Conversation.Preset p -> {
        avatar.put("type", "runway-preset");
        avatar.put("presetId", p.presetId());
        avatar.put("name", p.name());
      }
      case Conversation.Custom cu -> {
        avatar.put("type", "custom");
        avatar.put("id", cu.id());
        avatar.put("name", cu.name());
      }
    }
    n.put("createdAt", Json.timestamp(c.createdAt()));
    n.put("duration", c.durationSeconds());
    n.put("hasTools", !c.tools().isEmpty());
    return n;
  }

  /** The OAS retrieve variant of {@code c.status()}: exactly its members (closed schemas). */
  static ObjectNode conversationJson(Conversation c) {
    ObjectNode n = Json.object();
    n.put("id", c.id());
    n.put("name", c.name());
    ObjectNode avatar = n.putObject("avatar");
    switch (c.avatar()) {
      case Conversation.Preset p -> {
        avatar.put("type", "runway-preset");
        avatar.put("presetId", p.presetId());
      }
      case Conversation.Custom cu -> {
        avatar.put("type", "custom");
        avatar.put("id", cu.id());
        avatar.put("name", cu.name());
        avatar.put("imageUrl", cu.imageUrl());
      }
    }
    n.put("createdAt", Json.timestamp(c.createdAt()));
    n.put("maxDuration", c.maxDurationSeconds());
    // ASSUMPTION: the simulator hears nothing and records nothing, so the transcript is empty and
    // there is no recording.
    n.putArray("transcript");
    n.putNull("recordingUrl");
    ArrayNode tools = n.putArray("tools");
    for (SessionSpec.Tool t : c.tools()) {
      tools
          .addObject()
          .put("type", t.type())
          .put("name", t.name())
          .put("description", t.description());
    }
    n.put("status", c.status().wire());
    n.put("startedAt", c.startedAt() == null ? null : Json.timestamp(c.startedAt()));
    if (c.status() != Conversation.Status.IN_PROGRESS) {
      n.put("endedAt", c.endedAt() == null ? null : Json.timestamp(c.endedAt()));
    }
    n.put("duration", c.durationSeconds());
    if (c.status() == Conversation.Status.FAILED) {
      n.put("failure", c.failure());
      n.put("failureCode", c.failureCode());
    }
    return n;
  }

  static ObjectNode usageJson(Usage u) {
    ObjectNode n = Json.object();
    n.put("totalSessions", u.totalSessions());
    n.put("totalSeconds", u.totalSeconds());
    n.put("avgDurationSeconds", u.avgDurationSeconds());
    ArrayNode days = n.putArray("byDay");
    for (Usage.Day d : u.byDay()) {
      days.addObject()
          .put("date", d.date().toString())
          .put("sessions", d.sessions())
          .put("seconds", d.seconds());
    }
    return n;
  }
}
