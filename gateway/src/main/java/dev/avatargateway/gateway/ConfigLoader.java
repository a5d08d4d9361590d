package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.Durations;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * GatewayConfig} strictly (an unknown or mistyped setting stops start-up, naming it) and checked;
 * every problem found is reported at once.
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
    env.put("GATEWAY_RUNWAY_MODE", "runway.mode");
    env.put("RUNWAYML_BASE_URL", "runway.baseUrl");
    env.put("GATEWAY_RESPONSE_MODE", "connect.responseMode");
    env.put("GATEWAY_DEFAULT_AVATAR", "avatars.defaultAvatar");
    env.put("GATEWAY_AUTH_MODE", "auth.mode");
    env.put("GATEWAY_CORS_ORIGINS", "cors.allowedOrigins");
    env.put("GATEWAY_LEDGER_URL", "ledger.url");
    env.put("GATEWAY_LEDGER_USERNAME", "ledger.username");
    env.put("GATEWAY_LEDGER_PASSWORD", "ledger.password");
    env.put("GATEWAY_INSTANCE_NAME", "ledger.instanceName");
    // Sized to the container's memory, as -Xmx often is, so set the same way.
    env.put("GATEWAY_MAX_CONNECTS_IN_FLIGHT", "admission.maxConnectsInFlight");
    env.put("GATEWAY_IDEMPOTENCY_KEY", "idempotency.encryptionKey");
    env.put("GATEWAY_REDIS_URL", "redis.url");
    env.put("GATEWAY_DEMO", "demo.enabled");
    return Collections.unmodifiableMap(env);
  }

  /**
   * Loads and checks the configuration.
   *
   * @param environment the process environment (or a test's)
   * @throws InvalidSettingsException naming every offending setting found: every section's binding
   *     problem (binding a section stops at its first), and the checks' problems of the sections
   *     that could be bound
   */
  public static LoadedConfig load(Map<String, String> environment) {
    Optional<String> secret =
        Optional.ofNullable(environment.get(SECRET_ENV))
            .map(String::trim)
            .filter(s -> !s.isEmpty());
    ObjectNode tree;
    try {
      tree = readFile(environment);
    } catch (ConfigException e) {
      throw InvalidSettingsException.of(e);
    }
    Map<String, String> fromEnvironment = new LinkedHashMap<>();
    ENVIRONMENT.forEach(
        (name, path) -> {
          String value = environment.get(name);
          if (value != null && !value.isBlank()) {
            set(tree, path, value.trim());
            fromEnvironment.put(path, name);
          }
        });
    Problems problems = new Problems();
    Bound bound = bind(tree, problems, fromEnvironment);
    for (ConfigException problem : bound.config().problems(secret.isPresent())) {
      if (bound.unbound().stream().noneMatch(section -> inSection(problem.setting(), section))) {
        problems.add(problem);
      }
    }
    problems.throwIfAny();
    boolean simulated = bound.config().runway().simulated(secret.isPresent());
    // Simulated: the secret is dropped here, so that nothing downstream can ever send it.
    return new LoadedConfig(bound.config(), simulated ? Optional.empty() : secret);
  }

  /**
   * Binds a YAML text (for tests and tools); no environment, no checks.
   *
   * @throws InvalidSettingsException when a setting is unknown or of the wrong form
   */
  public static GatewayConfig parse(String yaml) {
    JsonNode node = MAPPER.readTree(yaml);
    Problems problems = new Problems();
    Bound bound =
        bind(node.isObject() ? (ObjectNode) node : MAPPER.createObjectNode(), problems, Map.of());
    problems.throwIfAny();
    return bound.config();
  }

  /**
   * The defaults as YAML, for {@code --help} and the configuration reference; a default computed at
   * start-up (from the heap, or from whether a Runway secret is set) is {@code null} with a comment
   * saying what it comes to.
   */
  public static String defaultsAsYaml() {
    return defaultsAsYaml(Runtime.getRuntime().maxMemory());
  }

  /** {@link #defaultsAsYaml()} as in a JVM with this maximum heap, in bytes. */
  static String defaultsAsYaml(long maxHeapBytes) {
    return annotateDerived(
        MAPPER.writeValueAsString(GatewayConfig.defaults()), derivedDefaults(maxHeapBytes));
  }

  /**
   * What the settings whose default is computed at start-up come to in a JVM with this maximum heap
   * (or with and without a secret), keyed by their dotted path: their YAML default is {@code null},
   * which alone would read as "none".
   */
  private static Map<String, String> derivedDefaults(long maxHeapBytes) {
    GatewayConfig defaults = GatewayConfig.defaults();
    int admitted = defaults.admission().connectsInFlightCap(maxHeapBytes);
    long heapMib = maxHeapBytes / (1024 * 1024);
    return Map.of(
        "admission.maxConnectsInFlight",
        "derived: %d at -Xmx%dm".formatted(admitted, heapMib),
        "server.maxConnections",
        "derived: %d at -Xmx%dm".formatted(defaults.server().connectionCap(admitted), heapMib),
        "demo.enabled",
        "derived: on with the embedded simulator, off with a Runway secret");
  }

  /**
   * Appends {@code # <note>} to the lines of {@code yaml} (block style, two-space indents, as the
   * mapper writes it) whose dotted path has a note.
   */
  private static String annotateDerived(String yaml, Map<String, String> notes) {
    List<String> path = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    for (String line : yaml.split("\n", -1)) {
      int colon = line.indexOf(':');
      String key = colon < 0 ? "" : line.substring(0, colon).strip();
      if (colon > 0 && !key.startsWith("-") && !key.startsWith("#")) {
        int depth = (line.length() - line.stripLeading().length()) / 2;
        while (path.size() > depth) {
          path.removeLast();
        }
        path.add(key);
        String note = notes.get(String.join(".", path));
        out.append(note == null ? line : line + "  # " + note);
      } else {
        out.append(line);
      }
      out.append('\n');
    }
    return out.substring(0, out.length() - 1);
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

  /**
   * The configuration bound from a tree, and the sections that could not be bound: they hold their
   * defaults, and their checks are skipped, as they would only report on values nobody wrote.
   */
  private record Bound(GatewayConfig config, Set<String> unbound) {}

  /** Binds each section on its own, so that a mistake in one does not hide those in others. */
  private static Bound bind(
      ObjectNode tree, Problems problems, Map<String, String> fromEnvironment) {
    Map<String, Class<?>> sections = new LinkedHashMap<>();
    for (RecordComponent component : GatewayConfig.class.getRecordComponents()) {
      sections.put(component.getName(), component.getType());
    }
    ObjectNode bindable = MAPPER.createObjectNode();
    Set<String> unbound = new LinkedHashSet<>();
    for (Map.Entry<String, JsonNode> entry : tree.properties()) {
      String name = entry.getKey();
      Class<?> type = sections.get(name);
      if (type == null) {
        problems.add(
            name,
            "is not a setting (known here: "
                + sections.keySet().stream().sorted().collect(Collectors.joining(", "))
                + ")");
        continue;
      }
      try {
        MAPPER.treeToValue(entry.getValue(), type);
        bindable.set(name, entry.getValue());
      } catch (JacksonException e) {
        problems.add(bindingProblem(name, e, fromEnvironment));
        unbound.add(name);
      }
    }
    return new Bound(MAPPER.treeToValue(bindable, GatewayConfig.class), Set.copyOf(unbound));
  }

  private static ConfigException bindingProblem(
      String section, JacksonException e, Map<String, String> fromEnvironment) {
    if (e.getCause() instanceof ConfigException config) {
      return config;
    }
    String path = path(section, e);
    String setting =
        fromEnvironment.containsKey(path) ? path + " (" + fromEnvironment.get(path) + ")" : path;
    if (e instanceof UnrecognizedPropertyException unknown) {
      String known =
          unknown.getKnownPropertyIds() == null
              ? ""
              : " (known here: "
                  + unknown.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")";
      return new ConfigException(setting, "is not a setting" + known);
    }
    Throwable cause = e.getCause();
    String detail =
        cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
    return new ConfigException(setting, "has a value of the wrong type or form: " + detail);
  }

  private static String path(String section, JacksonException e) {
    List<String> parts = new ArrayList<>();
    parts.add(section);
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        parts.add(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        int last = parts.size() - 1;
        parts.set(last, parts.get(last) + "[" + ref.getIndex() + "]");
      }
    }
    return String.join(".", parts);
  }

  private static boolean inSection(String setting, String section) {
    return setting.equals(section) || setting.startsWith(section + ".");
  }

  /**
   * The loaded configuration and the secret, kept apart so that the secret is never part of a value
   * that might be printed.
   *
   * @param config every setting
   * @param runwaySecret the Runway API secret, to use; empty means "use the embedded simulator" (no
   *     secret set with {@code runway.mode: auto}, or {@code runway.mode: simulated}, which drops a
   *     secret that is set)
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
