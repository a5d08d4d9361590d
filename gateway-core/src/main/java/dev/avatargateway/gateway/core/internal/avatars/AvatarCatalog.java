package dev.avatargateway.gateway.core.internal.avatars;

import dev.avatargateway.gateway.core.AvatarsConfig;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.SessionTemplate;
import dev.avatargateway.gateway.core.ToolConfig;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.InvalidParamsException;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.runway.Tool;
import dev.avatargateway.runway.ToolParameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The avatars this gateway serves: classifies what a browser asks for (a preset id or a custom
 * avatar's UUID, client-contract.md §7), enforces the allow-list, and holds each avatar's
 * ready-built, validated create parameters. Immutable; built once at start-up, where every
 * configured template is checked against Runway's documented limits.
 */
public final class AvatarCatalog {
  // runway-api.md §1: ids are UUID v4.
  private static final Pattern UUID_V4 =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$");

  // Display names Runway's own example uses (runway-api.md §2.1.1); others are derived from ids.
  private static final Map<String, String> KNOWN_NAMES =
      Map.of(
          "cat-character", "Mochi",
          "music-superstar", "Mina",
          "fashion-designer", "Sofia",
          "cooking-teacher", "Marco");

  private final Map<String, RealtimeSessionCreateParams> paramsById;
  private final List<Entry> entries;
  private final Optional<String> defaultAvatar;

  private AvatarCatalog(
      Map<String, RealtimeSessionCreateParams> paramsById,
      List<Entry> entries,
      Optional<String> defaultAvatar) {
    this.paramsById = paramsById;
    this.entries = entries;
    this.defaultAvatar = defaultAvatar;
  }

  /**
   * Builds the catalog, checking every setting.
   *
   * @throws ConfigException naming the offending setting
   */
  public static AvatarCatalog from(AvatarsConfig config) {
    Map<String, RealtimeSessionCreateParams> params = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (String id : config.allowedPresets()) {
      if (!AvatarPreset.of(id).isKnown()) {
        throw new ConfigException(
            "avatars.allowedPresets",
            "'" + id + "' is not one of Runway's presets " + AvatarPreset.known());
      }
      params.put(id, build(config, id, SessionAvatar.preset(id)));
      entries.add(new Entry(id, "runway-preset", displayName(config, id)));
    }
    for (String id : config.allowedCustom()) {
      if (!UUID_V4.matcher(id).matches()) {
        throw new ConfigException(
            "avatars.allowedCustom", "'" + id + "' is not a UUID (version 4)");
      }
      String key = id.toLowerCase(Locale.ROOT);
      params.put(key, build(config, id, SessionAvatar.custom(key)));
      entries.add(new Entry(key, "custom", displayName(config, id)));
    }
    for (String id : config.sessions().keySet()) {
      if (!params.containsKey(id.toLowerCase(Locale.ROOT)) && !params.containsKey(id)) {
        throw new ConfigException(
            "avatars.sessions." + id,
            "configures an avatar that is not allowed (add it to allowedPresets or allowedCustom)");
      }
    }
    Optional<String> defaultAvatar = Optional.ofNullable(config.defaultAvatar()).map(String::trim);
    defaultAvatar.ifPresent(
        id -> {
          if (!params.containsKey(id) && !params.containsKey(id.toLowerCase(Locale.ROOT))) {
            throw new ConfigException(
                "avatars.defaultAvatar (GATEWAY_DEFAULT_AVATAR)",
                "'" + id + "' is not an allowed avatar");
          }
        });
    return new AvatarCatalog(Map.copyOf(params), List.copyOf(entries), defaultAvatar);
  }

  /**
   * Classifies and allows the avatar a browser asked for.
   *
   * @param avatarId the body's {@code avatarId}: a preset id or a custom avatar's UUID; empty
   * @param customAvatarId the body's {@code customAvatarId}: a UUID; empty
   * @throws GatewayException {@code AVATAR_REQUIRED}, {@code INVALID_AVATAR}, {@code
   *     INVALID_REQUEST} or {@code AVATAR_NOT_ALLOWED}
   */
  public ResolvedAvatar resolve(Optional<String> avatarId, Optional<String> customAvatarId) {
    if (avatarId.isPresent() && customAvatarId.isPresent() && !avatarId.equals(customAvatarId)) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST, "Send either avatarId or customAvatarId, not both.");
    }
    // Matched exactly: trim() would also strip control characters such as NUL.
    Optional<String> asked = customAvatarId.or(() -> avatarId);
    String id =
        asked
            .or(() -> defaultAvatar)
            .orElseThrow(
                () ->
                    new GatewayException(
                        ErrorCode.AVATAR_REQUIRED,
                        "Say which avatar to start: send {\"avatarId\": \"...\"}."));
    ResolvedAvatar resolved;
    if (customAvatarId.isEmpty() && AvatarPreset.of(id).isKnown()) {
      resolved = new ResolvedAvatar(id, SessionAvatar.preset(id));
    } else if (UUID_V4.matcher(id).matches()) {
      String key = id.toLowerCase(Locale.ROOT);
      resolved = new ResolvedAvatar(key, SessionAvatar.custom(key));
    } else {
      throw new GatewayException(
          ErrorCode.INVALID_AVATAR,
          customAvatarId.isPresent()
              ? "customAvatarId must be a custom avatar's UUID."
              : "avatarId must be one of Runway's preset avatars or a custom avatar's UUID.");
    }
    if (!paramsById.containsKey(resolved.id())) {
      throw new GatewayException(
          ErrorCode.AVATAR_NOT_ALLOWED, "This avatar is not available on this server.");
    }
    return resolved;
  }

  /** The create parameters for an allowed avatar. */
  public RealtimeSessionCreateParams paramsFor(ResolvedAvatar avatar) {
    RealtimeSessionCreateParams params = paramsById.get(avatar.id());
    if (params == null) {
      throw new IllegalArgumentException("not an allowed avatar: " + avatar.id());
    }
    return params;
  }

  /** The allowed avatars, for pickers, in configuration order. */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * One allowed avatar, as {@code GET /api/avatar/presets} lists it.
   *
   * @param id the id a browser sends as {@code avatarId}
   * @param type {@code runway-preset} or {@code custom}
   * @param name a display name
   */
  public record Entry(String id, String type, String name) {}

  private static void required(String setting, String value) {
    if (value == null) {
      throw new ConfigException(setting, "is required");
    }
  }

  private static String displayName(AvatarsConfig config, String id) {
    String configured = config.displayNames().get(id);
    if (configured != null) {
      return configured;
    }
    String known = KNOWN_NAMES.get(id);
    if (known != null) {
      return known;
    }
    if (UUID_V4.matcher(id).matches()) {
      return "Custom avatar";
    }
    StringBuilder name = new StringBuilder();
    for (String word : id.split("-")) {
      if (!name.isEmpty()) {
        name.append(' ');
      }
      name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return name.toString();
  }

  private static RealtimeSessionCreateParams build(
      AvatarsConfig config, String id, SessionAvatar avatar) {
    SessionTemplate template =
        config.sessions().getOrDefault(id, SessionTemplate.empty()).over(config.sessionDefaults());
    String where =
        config.sessions().containsKey(id) ? "avatars.sessions." + id : "avatars.sessionDefaults";
    try {
      RealtimeSessionCreateParams.Builder builder = RealtimeSessionCreateParams.builder(avatar);
      if (template.maxDuration() != null) {
        builder.maxDuration(template.maxDuration());
      }
      if (template.personality() != null) {
        builder.personality(template.personality());
      }
      if (template.startScript() != null) {
        builder.startScript(template.startScript());
      }
      if (template.tools() != null) {
        List<ToolConfig> tools = template.tools();
        for (int i = 0; i < tools.size(); i++) {
          builder.addTool(tool(where + ".tools[" + i + "]", tools.get(i)));
        }
      }
      return builder.build();
    } catch (InvalidParamsException e) {
      throw new ConfigException(where + "." + e.field(), e.problem());
    }
  }

  private static Tool tool(String where, ToolConfig config) {
    required(where + ".name", config.name());
    required(where + ".description", config.description());
    List<ToolParameter> parameters = new ArrayList<>();
    List<ToolConfig.ParameterConfig> configured =
        config.parameters() == null ? List.of() : config.parameters();
    for (int j = 0; j < configured.size(); j++) {
      parameters.add(parameter(where + ".parameters[" + j + "]", configured.get(j)));
    }
    return switch (String.valueOf(config.type())) {
      case "client_event" -> new Tool.ClientEvent(config.name(), config.description(), parameters);
      case "backend_rpc" ->
          new Tool.BackendRpc(
              config.name(), config.description(), parameters, config.timeoutSeconds());
      default ->
          throw new ConfigException(
              where + ".type", "must be client_event or backend_rpc, was " + config.type());
    };
  }

  private static ToolParameter parameter(String where, ToolConfig.ParameterConfig p) {
    required(where + ".name", p.name());
    required(where + ".description", p.description());
    boolean required = p.required() == null || p.required();
    return switch (String.valueOf(p.type())) {
      case "string" ->
          new ToolParameter.StringParam(
              p.name(), p.description(), required, p.values() == null ? List.of() : p.values());
      case "integer" -> new ToolParameter.IntegerParam(p.name(), p.description(), required);
      case "number" -> new ToolParameter.NumberParam(p.name(), p.description(), required);
      case "boolean" -> new ToolParameter.BooleanParam(p.name(), p.description(), required);
      case "array" -> {
        try {
          yield new ToolParameter.ArrayParam(
              p.name(),
              p.description(),
              required,
              ToolParameter.ArrayParam.ItemType.valueOf(
                  String.valueOf(p.items()).toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(
              where + ".items", "must be string, integer, number or boolean, was " + p.items());
        }
      }
      case "object" ->
          new ToolParameter.ObjectParam(
              p.name(),
              p.description(),
              required,
              p.properties() == null ? List.of() : p.properties());
      default ->
          throw new ConfigException(
              where + ".type",
              "must be string, integer, number, boolean, array or object, was " + p.type());
    };
  }
}
