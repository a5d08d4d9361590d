package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the configuration: the YAML file named by {@code GATEWAY_CONFIG} (optional), with the
 * common settings overridable by environment variables ({@link #ENVIRONMENT}), bound to {@link
 * GatewayConfig} strictly (an unknown or mistyped setting stops start-up, naming it) and checked.
 */
public final class ConfigLoader {
  /** The environment variable naming the YAML file. */
  public static final String CONFIG_FILE_ENV = "GATEWAY_CONFIG";

  /** The environment variable holding the Runway API secret; never read from the file. */
  public static final String SECRET_ENV = "RUNWAYML_API_SECRET";

  /** Environment variables and the settings they override (lists: comma-separated). */
  public static final Map<String, String> ENVIRONMENT = environment();

  private static final List<String> LIST_SETTINGS = List.of("cors.allowedOrigins");

  private static final YAMLMapper MAPPER =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .addModule(
              new SimpleModule("durations")
                  .addDeserializer(Duration.class, new DurationReader())
                  .addSerializer(Duration.class, new DurationWriter()))
          .build();

  private ConfigLoader() {}

  private static Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", "server.port");
    env.put("HOST", "server.host");
    env.put("RUNWAYML_BASE_URL", "runway.baseUrl");
    env.put("GATEWAY_RESPONSE_MODE", "connect.responseMode");
    env.put("GATEWAY_DEFAULT_AVATAR", "avatars.defaultAvatar");
    env.put("GATEWAY_AUTH_MODE", "auth.mode");
    env.put("GATEWAY_CORS_ORIGINS", "cors.allowedOrigins");
    return java.util.Collections.unmodifiableMap(env);
  }

  /**
   * Loads and checks the configuration.
   *
   * @param environment the process environment (or a test's)
   * @throws ConfigException naming the first offending setting
   */
  public static LoadedConfig load(Map<String, String> environment) {
    Optional<String> secret =
        Optional.ofNullable(environment.get(SECRET_ENV))
            .map(String::trim)
            .filter(s -> !s.isEmpty());
    ObjectNode tree = readFile(environment);
    ENVIRONMENT.forEach(
        (name, path) -> {
          String value = environment.get(name);
          if (value != null && !value.isBlank()) {
            set(tree, path, value.trim());
          }
        });
    GatewayConfig config = bind(tree);
    config.validate(secret.isEmpty());
    return new LoadedConfig(config, secret);
  }

  /** Binds a YAML text (for tests and tools); no environment, no checks. */
  public static GatewayConfig parse(String yaml) {
    JsonNode node = MAPPER.readTree(yaml);
    return bind(node.isObject() ? (ObjectNode) node : MAPPER.createObjectNode());
  }

  /** The defaults as YAML, for {@code --help} and the configuration reference. */
  public static String defaultsAsYaml() {
    return MAPPER.writeValueAsString(GatewayConfig.defaults());
  }

  private static ObjectNode readFile(Map<String, String> environment) {
    String file = environment.get(CONFIG_FILE_ENV);
    if (file == null || file.isBlank()) {
      return MAPPER.createObjectNode();
    }
    Path path = Path.of(file.trim());
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException(
          CONFIG_FILE_ENV, "cannot read " + path.toAbsolutePath() + " (" + e.getMessage() + ")");
    }
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode() || node.isNull()) {
        return MAPPER.createObjectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException(CONFIG_FILE_ENV, path + " must hold a YAML mapping of sections");
      }
      return (ObjectNode) node;
    } catch (JacksonException e) {
      throw new ConfigException(
          CONFIG_FILE_ENV, path + " is not valid YAML: " + e.getOriginalMessage());
    }
  }

  private static void set(ObjectNode tree, String path, String value) {
    String[] parts = path.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      node = child instanceof ObjectNode object ? object : node.putObject(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    if (LIST_SETTINGS.contains(path)) {
      ArrayNode list = node.putArray(leaf);
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
    } else {
      node.put(leaf, value);
    }
  }

  private static GatewayConfig bind(ObjectNode tree) {
    try {
      return MAPPER.treeToValue(tree, GatewayConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (known here: "
                  + e.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")";
      throw new ConfigException(path(e), "is not a setting" + known);
    } catch (JacksonException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException config) {
        throw config;
      }
      String detail =
          cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
      throw new ConfigException(path(e), "has a value of the wrong type or form: " + detail);
    }
  }

  private static String path(JacksonException e) {
    List<String> parts = new ArrayList<>();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        parts.add(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        int last = parts.size() - 1;
        parts.set(last, parts.get(last) + "[" + ref.getIndex() + "]");
      }
    }
    return parts.isEmpty() ? "(top level)" : String.join(".", parts);
  }

  /**
   * The loaded configuration and the secret, kept apart so that the secret is never part of a value
   * that might be printed.
   *
   * @param config every setting
   * @param runwaySecret the Runway API secret, when set; empty means "use the embedded simulator"
   */
  public record LoadedConfig(GatewayConfig config, Optional<String> runwaySecret) {
    /** Whether the gateway runs against the embedded simulator. */
    public boolean simulated() {
      return runwaySecret.isEmpty();
    }

    @Override
    public String toString() {
      return "LoadedConfig[config="
          + config
          + ", runwaySecret="
          + (simulated() ? "none" : "***")
          + "]";
    }
  }

  private static final class DurationReader extends ValueDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context) {
      String text = parser.getString();
      if (parser.currentToken().isNumeric()) {
        throw new IllegalArgumentException(
            "durations need a unit: write '" + text + "s' or '" + text + "ms'");
      }
      return Durations.parse(text);
    }
  }

  private static final class DurationWriter extends ValueSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator generator, SerializationContext context) {
      generator.writeString(Durations.format(value));
    }
  }
}
