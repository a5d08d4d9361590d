package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.Avatar;
import dev.avatargateway.runway.AvatarConversation;
import dev.avatargateway.runway.AvatarPage;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.AvatarUsage;
import dev.avatargateway.runway.ConversationAvatar;
import dev.avatargateway.runway.ConversationPage;
import dev.avatargateway.runway.Integration;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RunwayException;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.runway.SessionCredentials;
import dev.avatargateway.runway.Tool;
import dev.avatargateway.runway.ToolParameter;
import dev.avatargateway.runway.UnexpectedResponseException;
import dev.avatargateway.runway.ValidationIssue;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the upstream's JSON by hand, field by field, so that the public records carry no
 * Jackson annotations and every shape is checked against runway-api.md where it is read.
 */
public final class Json {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  /** The create request body (runway-api.md §2.1), fields in the order the API documents them. */
  public static String createBody(RealtimeSessionCreateParams params) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("model", RealtimeSessionCreateParams.MODEL);
    ObjectNode avatar = root.putObject("avatar");
    switch (params.avatar()) {
      case SessionAvatar.Preset preset -> {
        avatar.put("type", "runway-preset");
        avatar.put("presetId", preset.presetId().id());
      }
      case SessionAvatar.Custom custom -> {
        avatar.put("type", "custom");
        avatar.put("avatarId", custom.avatarId());
      }
    }
    params.maxDuration().ifPresent(seconds -> root.put("maxDuration", seconds));
    params.personality().ifPresent(p -> root.put("personality", p));
    params.startScript().ifPresent(s -> root.put("startScript", s));
    if (!params.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      params.tools().forEach(tool -> writeTool(tools.addObject(), tool));
    }
    params.integration().ifPresent(i -> writeIntegration(root.putObject("integration"), i));
    return MAPPER.writeValueAsString(root);
  }

  private static void writeTool(ObjectNode node, Tool tool) {
    node.put("type", tool instanceof Tool.BackendRpc ? "backend_rpc" : "client_event");
    node.put("name", tool.name());
    node.put("description", tool.description());
    ArrayNode parameters = node.putArray("parameters");
    tool.parameters().forEach(p -> writeParameter(parameters.addObject(), p));
    if (tool instanceof Tool.BackendRpc rpc && rpc.timeoutSeconds() != null) {
      node.put("timeoutSeconds", rpc.timeoutSeconds());
    }
  }

  private static void writeParameter(ObjectNode node, ToolParameter parameter) {
    String type =
        switch (parameter) {
          case ToolParameter.StringParam s -> "string";
          case ToolParameter.IntegerParam i -> "integer";
          case ToolParameter.NumberParam n -> "number";
          case ToolParameter.BooleanParam b -> "boolean";
          case ToolParameter.ArrayParam a -> "array";
          case ToolParameter.ObjectParam o -> "object";
        };
    node.put("type", type);
    node.put("name", parameter.name());
    node.put("description", parameter.description());
    node.put("required", parameter.required());
    switch (parameter) {
      case ToolParameter.StringParam s when !s.enumValues().isEmpty() -> {
        ArrayNode values = node.putArray("enum");
        s.enumValues().forEach(values::add);
      }
      case ToolParameter.ArrayParam a ->
          node.putObject("items").put("type", a.itemType().name().toLowerCase(Locale.ROOT));
      case ToolParameter.ObjectParam o ->
          node.set("properties", MAPPER.valueToTree(o.properties()));
      default -> {}
    }
  }

  private static void writeIntegration(ObjectNode node, Integration integration) {
    switch (integration) {
      case Integration.ElevenLabs e -> {
        node.put("type", "elevenlabs");
        node.put("signedUrl", e.signedUrl().toString());
      }
      case Integration.LiveKit l -> {
        node.put("type", "livekit");
        node.put("url", l.url().toString());
        node.put("token", l.token());
        node.put("roomName", l.roomName());
        if (l.agentIdentity() != null) {
          node.put("agentIdentity", l.agentIdentity());
        }
      }
    }
  }

  /** The id from a create response ({@code {"id": ...}}, runway-api.md §2.2). */
  public static String createdId(String body) {
    return text(parse(body), "id");
  }

  /** A status response (runway-api.md §2.3). */
  public static RealtimeSession session(String body) {
    JsonNode node = parse(body);
    String id = text(node, "id");
    Instant createdAt = instant(node, "createdAt");
    String status = text(node, "status");
    return switch (status) {
      case "NOT_READY" ->
          new RealtimeSession.NotReady(id, createdAt, node.path("queued").asBoolean(false));
      case "READY" ->
          new RealtimeSession.Ready(
              id, createdAt, text(node, "sessionKey"), instant(node, "expiresAt"));
      case "RUNNING" -> new RealtimeSession.Running(id, createdAt);
      case "COMPLETED" ->
          new RealtimeSession.Completed(
              id, createdAt, Duration.ofMillis(Math.round(number(node, "duration") * 1000)));
      case "FAILED" ->
          new RealtimeSession.Failed(
              id, createdAt, text(node, "failure"), text(node, "failureCode"));
      case "CANCELLED" -> new RealtimeSession.Cancelled(id, createdAt);
      default -> throw unexpected("unknown session status '" + status + "'");
    };
  }

  /** A consume or connect_backend response (runway-api.md §2.5). */
  public static SessionCredentials credentials(String body) {
    JsonNode node = parse(body);
    return new SessionCredentials(text(node, "url"), text(node, "token"), text(node, "roomName"));
  }

  /** An avatar (runway-api.md §3.2). */
  public static Avatar avatar(String body) {
    return avatar(parse(body));
  }

  /** A page of avatars (runway-api.md §3.4). */
  public static AvatarPage avatarPage(String body) {
    JsonNode node = parse(body);
    List<Avatar> avatars = new ArrayList<>();
    for (JsonNode item : array(node, "data")) {
      avatars.add(avatar(item));
    }
    return new AvatarPage(
        avatars, node.path("hasMore").asBoolean(false), optionalText(node, "nextCursor"));
  }

  private static Avatar avatar(JsonNode node) {
    String status = text(node, "status");
    Avatar.Status parsed;
    try {
      parsed = Avatar.Status.valueOf(status);
    } catch (IllegalArgumentException e) {
      throw unexpected("unknown avatar status '" + status + "'");
    }
    JsonNode voice = node.path("voice");
    String voiceType = text(voice, "type");
    String voiceId = "custom".equals(voiceType) ? text(voice, "id") : text(voice, "presetId");
    List<String> documentIds = new ArrayList<>();
    for (JsonNode documentId : array(node, "documentIds")) {
      documentIds.add(documentId.asString());
    }
    return new Avatar(
        text(node, "id"),
        text(node, "name"),
        text(node, "personality"),
        optionalText(node, "startScript"),
        new Avatar.Voice(
            voiceType, voiceId, optionalText(voice, "name"), optionalText(voice, "description")),
        optionalText(node, "referenceImageUri"),
        optionalText(node, "processedImageUri"),
        documentIds,
        instant(node, "createdAt"),
        instant(node, "updatedAt"),
        parsed,
        optionalText(node, "failureReason"));
  }

  /**
   * A conversation (runway-api-additions.md "Conversations"; OpenAPI {@code GET
   * /v1/avatar_conversations/{id}}). Fields beyond the documented ones are ignored; absent {@code
   * tools} or {@code transcript} read as empty.
   */
  public static AvatarConversation conversation(String body) {
    JsonNode node = parse(body);
    String id = text(node, "id");
    // First, so that a status of unknown shape is reported as such, not as a missing member.
    AvatarConversation.Status status = conversationStatus(text(node, "status"), id);
    String name = text(node, "name");
    Optional<ConversationAvatar> avatar = conversationAvatar(node.get("avatar"));
    Instant createdAt = instant(node, "createdAt");
    Optional<Instant> startedAt = optionalInstant(node, "startedAt");
    Optional<Duration> duration = optionalSeconds(node, "duration");
    Optional<Duration> maxDuration = optionalSeconds(node, "maxDuration");
    Optional<URI> recordingUrl = optionalUri(node, "recordingUrl");
    List<AvatarConversation.ToolSummary> tools = new ArrayList<>();
    for (JsonNode tool : optionalArray(node, "tools")) {
      tools.add(
          new AvatarConversation.ToolSummary(
              text(tool, "name"), text(tool, "description"), text(tool, "type")));
    }
    List<AvatarConversation.TranscriptEntry> transcript = new ArrayList<>();
    for (JsonNode entry : optionalArray(node, "transcript")) {
      transcript.add(transcriptEntry(entry));
    }
    return switch (status) {
      case IN_PROGRESS ->
          new AvatarConversation.InProgress(
              id,
              name,
              avatar,
              createdAt,
              startedAt,
              duration,
              maxDuration,
              recordingUrl,
              tools,
              transcript);
      case ENDED ->
          new AvatarConversation.Ended(
              id,
              name,
              avatar,
              createdAt,
              startedAt,
              optionalInstant(node, "endedAt"),
              duration,
              maxDuration,
              recordingUrl,
              tools,
              transcript);
      case FAILED ->
          new AvatarConversation.Failed(
              id,
              name,
              avatar,
              createdAt,
              startedAt,
              optionalInstant(node, "endedAt"),
              duration,
              maxDuration,
              recordingUrl,
              tools,
              transcript,
              text(node, "failure"),
              text(node, "failureCode"));
    };
  }

  /**
   * A page of conversations (runway-api-additions.md "Conversations"). An empty or null {@code
   * nextCursor} means the last page; {@code hasMore} is not read (runway-api.md §3.4).
   */
  public static ConversationPage conversationPage(String body) {
    JsonNode node = parse(body);
    List<AvatarConversation.Summary> summaries = new ArrayList<>();
    for (JsonNode item : array(node, "data")) {
      String id = text(item, "id");
      summaries.add(
          new AvatarConversation.Summary(
              id,
              text(item, "name"),
              conversationStatus(text(item, "status"), id),
              conversationAvatar(item.get("avatar")),
              instant(item, "createdAt"),
              optionalSeconds(item, "duration"),
              item.path("hasTools").asBoolean(false)));
    }
    return new ConversationPage(
        summaries, optionalText(node, "nextCursor").filter(cursor -> !cursor.isEmpty()));
  }

  /** Avatar usage (runway-api-additions.md "Usage"; OpenAPI {@code GET /v1/avatar_usage}). */
  public static AvatarUsage usage(String body) {
    JsonNode node = parse(body);
    List<AvatarUsage.Day> days = new ArrayList<>();
    for (JsonNode day : array(node, "byDay")) {
      days.add(
          new AvatarUsage.Day(
              date(day, "date"), wholeNumber(day, "sessions"), seconds(day, "seconds")));
    }
    return new AvatarUsage(
        wholeNumber(node, "totalSessions"),
        seconds(node, "totalSeconds"),
        seconds(node, "avgDurationSeconds"),
        days);
  }

  private static AvatarConversation.Status conversationStatus(String status, String id) {
    for (AvatarConversation.Status known : AvatarConversation.Status.values()) {
      if (known.apiName().equals(status)) {
        return known;
      }
    }
    throw unexpected(
        "unknown conversation status '"
            + status
            + "' (conversation "
            + id
            + "; documented: in_progress, ended, failed)");
  }

  /**
   * The avatar of a conversation: the detail and list forms differ only in optional members ({@code
   * name} on presets in lists, {@code imageUrl} on custom avatars in detail).
   */
  private static Optional<ConversationAvatar> conversationAvatar(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw unexpected("'avatar' is neither an object nor null");
    }
    String type = text(node, "type");
    return switch (type) {
      case "runway-preset" -> {
        String presetId = text(node, "presetId");
        if (presetId.isBlank()) {
          throw unexpected("blank 'avatar.presetId'");
        }
        yield Optional.of(
            new ConversationAvatar.Preset(AvatarPreset.of(presetId), optionalText(node, "name")));
      }
      case "custom" ->
          Optional.of(
              new ConversationAvatar.Custom(
                  optionalText(node, "id"),
                  optionalText(node, "name"),
                  optionalUri(node, "imageUrl")));
      default -> throw unexpected("unknown avatar type '" + type + "'");
    };
  }

  private static AvatarConversation.TranscriptEntry transcriptEntry(JsonNode node) {
    List<AvatarConversation.ToolCall> calls = new ArrayList<>();
    for (JsonNode call : optionalArray(node, "toolCalls")) {
      JsonNode arguments = call.get("arguments");
      calls.add(
          new AvatarConversation.ToolCall(
              optionalText(call, "id"),
              text(call, "name"),
              arguments == null || arguments.isNull()
                  ? "{}"
                  : MAPPER.writeValueAsString(arguments)));
    }
    List<AvatarConversation.ToolResult> results = new ArrayList<>();
    for (JsonNode result : optionalArray(node, "toolResults")) {
      JsonNode value = result.get("result");
      results.add(
          new AvatarConversation.ToolResult(
              optionalText(result, "id"),
              text(result, "name"),
              optionalMillis(result, "durationMs"),
              optionalText(result, "error"),
              value == null || value.isNull()
                  ? Optional.empty()
                  : Optional.of(MAPPER.writeValueAsString(value))));
    }
    return new AvatarConversation.TranscriptEntry(
        text(node, "role"),
        optionalText(node, "content"),
        optionalInstant(node, "timestamp"),
        calls,
        results);
  }

  /** The {@code error} member of an error body, if the body is JSON and has one. */
  public static Optional<String> errorText(String body) {
    return tryParse(body).flatMap(node -> optionalText(node, "error"));
  }

  /** The {@code issues} of a 400 body (runway-api.md §4.1); empty when absent or not JSON. */
  public static List<ValidationIssue> issues(String body) {
    Optional<JsonNode> root = tryParse(body);
    if (root.isEmpty() || !root.get().path("issues").isArray()) {
      return List.of();
    }
    List<ValidationIssue> issues = new ArrayList<>();
    for (JsonNode issue : root.get().path("issues")) {
      List<Object> path = new ArrayList<>();
      for (JsonNode segment : issue.path("path")) {
        path.add(segment.isNumber() ? (Object) segment.asInt() : segment.asString());
      }
      issues.add(
          new ValidationIssue(
              issue.path("code").asString(""), path, issue.path("message").asString("")));
    }
    return issues;
  }

  private static Optional<JsonNode> tryParse(String body) {
    if (body == null || body.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.readTree(body));
    } catch (JacksonException e) {
      return Optional.empty();
    }
  }

  private static JsonNode parse(String body) {
    return tryParse(body)
        .filter(JsonNode::isObject)
        .orElseThrow(() -> unexpected("the body is not a JSON object"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isString()) {
      throw unexpected("missing string '" + field + "'");
    }
    return value.asString();
  }

  private static Optional<String> optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || !value.isString() ? Optional.empty() : Optional.of(value.asString());
  }

  private static double number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw unexpected("missing number '" + field + "'");
    }
    return value.asDouble();
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw unexpected("missing array '" + field + "'");
    }
    return value;
  }

  private static JsonNode optionalArray(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return MAPPER.createArrayNode();
    }
    if (!value.isArray()) {
      throw unexpected("'" + field + "' is not an array");
    }
    return value;
  }

  private static long wholeNumber(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isIntegralNumber()) {
      throw unexpected("missing integer '" + field + "'");
    }
    return value.asLong();
  }

  /** A count of seconds (integers upstream; a fraction is kept to the millisecond). */
  private static Duration seconds(JsonNode node, String field) {
    return Duration.ofMillis(Math.round(number(node, field) * 1000));
  }

  private static Optional<Duration> optionalSeconds(JsonNode node, String field) {
    return isAbsent(node, field) ? Optional.empty() : Optional.of(seconds(node, field));
  }

  private static Optional<Duration> optionalMillis(JsonNode node, String field) {
    return isAbsent(node, field)
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(Math.round(number(node, field) * 1_000_000)));
  }

  private static Optional<Instant> optionalInstant(JsonNode node, String field) {
    return isAbsent(node, field) ? Optional.empty() : Optional.of(instant(node, field));
  }

  private static Optional<URI> optionalUri(JsonNode node, String field) {
    if (isAbsent(node, field)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new URI(text(node, field)));
    } catch (URISyntaxException e) {
      // Not echoed: a pre-signed URL carries its signature in the query.
      throw unexpected("'" + field + "' is not a URI");
    }
  }

  private static LocalDate date(JsonNode node, String field) {
    String value = text(node, field);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw unexpected("'" + field + "' is not an ISO-8601 date (YYYY-MM-DD)");
    }
  }

  private static boolean isAbsent(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull();
  }

  private static Instant instant(JsonNode node, String field) {
    String value = text(node, field);
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw unexpected("'" + field + "' is not an ISO-8601 instant");
    }
  }

  private static RunwayException unexpected(String what) {
    return new UnexpectedResponseException("Unexpected response from Runway: " + what);
  }
}
