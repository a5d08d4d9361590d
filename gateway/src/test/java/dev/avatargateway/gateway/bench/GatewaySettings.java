package dev.avatargateway.gateway.bench;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The settings the measured gateway runs with: the defaults its {@code --help} prints, overlaid
 * with the benchmark's YAML file. Read from the jar rather than from the code so that a benchmark
 * written before a setting existed (an upstream bound, admission control) still shows and uses it.
 *
 * @param effective every setting by dotted name ({@code runway.requestTimeout}), as text
 */
record GatewaySettings(Map<String, String> effective, Optional<Integer> clientDefaultBound) {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  /**
   * A setting that bounds the upstream connections: in the {@code runway} (or {@code upstream})
   * section, named for connections, and a number. {@code runway.connectTimeout} is not one.
   */
  private static final Pattern UPSTREAM_BOUND =
      Pattern.compile("(?i)^(runway|upstream)\\..*connections?[a-z]*$");

  /** Reads the defaults from {@code java -jar <jar> --help} and overlays {@code yaml}. */
  static GatewaySettings of(Path jar, String yaml)
      throws java.io.IOException, InterruptedException {
    String help = GatewayProcess.help(jar);
    Map<String, String> settings = new TreeMap<>();
    int start = help.indexOf("\n---");
    if (start >= 0) {
      flatten("", read(help.substring(start + 1)), settings);
    }
    flatten("", read(yaml), settings);
    return new GatewaySettings(settings, clientDefaultBound(jar));
  }

  /**
   * {@code RunwayClient.DEFAULT_MAX_CONNECTIONS} as compiled into the gateway's jar: the bound the
   * gateway's upstream client has when the gateway configures none. Read in a class loader of its
   * own, so that it is the jar's runway-client and not this class path's.
   */
  private static Optional<Integer> clientDefaultBound(Path jar) {
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> client = Class.forName("dev.avatargateway.runway.RunwayClient", false, loader);
      return Optional.of(client.getField("DEFAULT_MAX_CONNECTIONS").getInt(null));
    } catch (ReflectiveOperationException | java.io.IOException | LinkageError e) {
      return Optional.empty(); // A runway-client without a bound.
    }
  }

  private static JsonNode read(String yaml) {
    try {
      JsonNode node = YAML.readTree(yaml);
      return node == null ? YAML.createObjectNode() : node;
    } catch (JacksonException e) {
      return YAML.createObjectNode();
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(
            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            field.getValue(),
            into);
      }
    } else if (!prefix.isEmpty()) {
      into.put(prefix, node.isValueNode() ? node.asString() : node.toString());
    }
  }

  /** The settings of one section, {@code name=value} joined, for the report. */
  String section(String name) {
    return effective.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "."))
        .map(e -> e.getKey().substring(name.length() + 1) + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /**
   * The bound on upstream connections: {@code bench.upstreamBound} when given, else the first
   * setting that looks like one (see {@link #UPSTREAM_BOUND}) with a positive number, else the
   * default of the runway-client inside the gateway's jar.
   *
   * @return the bound and where it came from, or empty when the gateway has none
   */
  Optional<Bound> upstreamBound() {
    Optional<String> given = Bench.optionalSetting("bench.upstreamBound");
    if (given.isPresent()) {
      return Optional.of(new Bound(Integer.parseInt(given.get()), "bench.upstreamBound"));
    }
    for (Map.Entry<String, String> e : effective.entrySet()) {
      if (UPSTREAM_BOUND.matcher(e.getKey()).matches() && e.getValue().matches("\\d+")) {
        int value = Integer.parseInt(e.getValue());
        if (value > 0) {
          return Optional.of(new Bound(value, e.getKey()));
        }
      }
    }
    return clientDefaultBound.map(
        b ->
            new Bound(
                b,
                "RunwayClient.DEFAULT_MAX_CONNECTIONS in the gateway's jar; the gateway sets no"
                    + " runway.*connections* setting"));
  }

  /**
   * A bound and where it came from.
   *
   * @param source the setting's name, or {@code bench.upstreamBound}
   */
  record Bound(int value, String source) {}
}
