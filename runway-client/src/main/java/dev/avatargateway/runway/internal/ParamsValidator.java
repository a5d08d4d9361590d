package dev.avatargateway.runway.internal;

import dev.avatargateway.runway.Integration;
import dev.avatargateway.runway.InvalidParamsException;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.runway.Tool;
import dev.avatargateway.runway.ToolParameter;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The documented limits of a create request (runway-api.md §2.1, §6; the OpenAPI document in
 * shared/spec). Lengths are counted in UTF-16 code units, as the upstream's JavaScript validator
 * counts them ({@link String#length()} counts the same way).
 */
public final class ParamsValidator {
  // runway-api.md §2.1 table (OAS): maxDuration integer min 10, max 1800.
  static final int MIN_DURATION_SECONDS = 10;
  static final int MAX_DURATION_SECONDS = 1800;
  static final int MAX_PERSONALITY_CHARS = 10_000;
  static final int MAX_START_SCRIPT_CHARS = 2_000;
  // runway-api.md §2.1.2 and §6: 20 tools a session, 20 parameters a tool.
  static final int MAX_TOOLS = 20;
  static final int MAX_PARAMETERS = 20;
  static final int MAX_NAME_CHARS = 64;
  static final int MAX_DESCRIPTION_CHARS = 1024;
  static final int MAX_ENUM_VALUES = 20;
  static final int MAX_ENUM_VALUE_CHARS = 64;
  static final int MAX_OBJECT_PROPERTIES = 20;
  // backend_rpc timeoutSeconds: min 1, max 8 (OAS).
  static final double MIN_RPC_TIMEOUT_SECONDS = 1;
  static final double MAX_RPC_TIMEOUT_SECONDS = 8;
  // integration.livekit (OAS): token 1-2048, roomName 1-256, agentIdentity 1-256.
  static final int MAX_LIVEKIT_TOKEN_CHARS = 2048;
  static final int MAX_LIVEKIT_ROOM_CHARS = 256;
  static final int MAX_LIVEKIT_IDENTITY_CHARS = 256;

  private static final Pattern NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");

  /** The OAS pattern for ids: a UUID of version 4 (runway-api.md §1). */
  public static final Pattern UUID_V4 =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$");

  private ParamsValidator() {}

  /** Checks every limit; throws {@link InvalidParamsException} naming the first field broken. */
  public static void validate(
      SessionAvatar avatar,
      OptionalInt maxDuration,
      Optional<String> personality,
      Optional<String> startScript,
      List<Tool> tools,
      Optional<Integration> integration) {
    if (avatar instanceof SessionAvatar.Custom custom
        && !UUID_V4.matcher(custom.avatarId()).matches()) {
      throw new InvalidParamsException("avatar.avatarId", "must be a UUID (version 4)");
    }
    if (maxDuration.isPresent()) {
      int seconds = maxDuration.getAsInt();
      if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
        throw new InvalidParamsException(
            "maxDuration",
            "must be between "
                + MIN_DURATION_SECONDS
                + " and "
                + MAX_DURATION_SECONDS
                + " seconds, was "
                + seconds);
      }
    }
    personality.ifPresent(p -> length("personality", p, MAX_PERSONALITY_CHARS));
    startScript.ifPresent(s -> length("startScript", s, MAX_START_SCRIPT_CHARS));
    validateTools(tools);
    integration.ifPresent(ParamsValidator::validateIntegration);
  }

  private static void validateTools(List<Tool> tools) {
    if (tools.size() > MAX_TOOLS) {
      throw new InvalidParamsException(
          "tools", "at most " + MAX_TOOLS + " tools are allowed, got " + tools.size());
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      Tool tool = tools.get(i);
      String path = "tools[" + i + "]";
      name(path + ".name", tool.name());
      if (!names.add(tool.name())) {
        throw new InvalidParamsException(
            path + ".name", "tool names must be unique; '" + tool.name() + "' is repeated");
      }
      length(path + ".description", tool.description(), MAX_DESCRIPTION_CHARS);
      if (tool instanceof Tool.BackendRpc rpc && rpc.timeoutSeconds() != null) {
        double timeout = rpc.timeoutSeconds();
        if (!(timeout >= MIN_RPC_TIMEOUT_SECONDS && timeout <= MAX_RPC_TIMEOUT_SECONDS)) {
          throw new InvalidParamsException(
              path + ".timeoutSeconds",
              "must be between 1 and 8 seconds, was " + rpc.timeoutSeconds());
        }
      }
      validateParameters(path, tool.parameters());
    }
  }

  private static void validateParameters(String toolPath, List<ToolParameter> parameters) {
    if (parameters.size() > MAX_PARAMETERS) {
      throw new InvalidParamsException(
          toolPath + ".parameters",
          "at most " + MAX_PARAMETERS + " parameters are allowed, got " + parameters.size());
    }
    for (int j = 0; j < parameters.size(); j++) {
      ToolParameter parameter = parameters.get(j);
      String path = toolPath + ".parameters[" + j + "]";
      name(path + ".name", parameter.name());
      length(path + ".description", parameter.description(), MAX_DESCRIPTION_CHARS);
      switch (parameter) {
        case ToolParameter.StringParam s -> {
          if (s.enumValues().size() > MAX_ENUM_VALUES) {
            throw new InvalidParamsException(
                path + ".enum",
                "at most " + MAX_ENUM_VALUES + " values are allowed, got " + s.enumValues().size());
          }
          for (int k = 0; k < s.enumValues().size(); k++) {
            length(path + ".enum[" + k + "]", s.enumValues().get(k), MAX_ENUM_VALUE_CHARS);
          }
        }
        case ToolParameter.ObjectParam o -> {
          if (o.properties().size() > MAX_OBJECT_PROPERTIES) {
            throw new InvalidParamsException(
                path + ".properties",
                "at most "
                    + MAX_OBJECT_PROPERTIES
                    + " properties are allowed, got "
                    + o.properties().size());
          }
        }
        case ToolParameter.IntegerParam i -> {}
        case ToolParameter.NumberParam n -> {}
        case ToolParameter.BooleanParam b -> {}
        case ToolParameter.ArrayParam a -> {}
      }
    }
  }

  private static void validateIntegration(Integration integration) {
    switch (integration) {
      case Integration.ElevenLabs e -> absolute("integration.signedUrl", e.signedUrl());
      case Integration.LiveKit l -> {
        absolute("integration.url", l.url());
        length("integration.token", l.token(), MAX_LIVEKIT_TOKEN_CHARS);
        length("integration.roomName", l.roomName(), MAX_LIVEKIT_ROOM_CHARS);
        if (l.agentIdentity() != null) {
          length("integration.agentIdentity", l.agentIdentity(), MAX_LIVEKIT_IDENTITY_CHARS);
        }
      }
    }
  }

  private static void name(String field, String value) {
    length(field, value, MAX_NAME_CHARS);
    if (!NAME.matcher(value).matches()) {
      throw new InvalidParamsException(
          field, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (letters, digits, '_'; no leading digit)");
    }
  }

  private static void length(String field, String value, int max) {
    if (value.isEmpty() || value.length() > max) {
      throw new InvalidParamsException(
          field, "must be 1 to " + max + " characters long, was " + value.length());
    }
  }

  private static void absolute(String field, URI uri) {
    if (!uri.isAbsolute()) {
      throw new InvalidParamsException(field, "must be an absolute URI");
    }
  }
}
