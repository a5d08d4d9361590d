package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.internal.http.DemoSettings;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real gateway on a free port, configured like production (YAML text plus environment variables),
 * with the simulator it embeds when no secret is set, and a JDK HTTP client to talk to it. Tests
 * close it; {@link #close()} stops the gateway gracefully.
 */
public final class GatewayHarness implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final GatewayApp app;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path configFile;

  private GatewayHarness(GatewayApp app, Path configFile) {
    this.app = app;
    this.configFile = configFile;
  }

  /** A gateway on the embedded simulator, with this YAML configuration (may be empty). */
  public static GatewayHarness start(String yaml) {
    return start(yaml, Map.of());
  }

  /**
   * A gateway with this YAML configuration and these environment variables.
   *
   * @param environment e.g. {@code RUNWAYML_API_SECRET} and {@code RUNWAYML_BASE_URL} to use a
   *     separately started simulator as "the real Runway"
   */
  public static GatewayHarness start(String yaml, Map<String, String> environment) {
    return start(yaml, environment, java.time.Clock.systemUTC());
  }

  /** A gateway whose core runs on {@code clock} (to cross a UTC midnight without waiting). */
  public static GatewayHarness start(
      String yaml, Map<String, String> environment, java.time.Clock clock) {
    return start(yaml, environment, clock, DemoSettings.BUILT_FOLDER);
  }

  /**
   * A gateway that serves the demo page from this classpath folder instead of the web build's
   * {@code demo/}: a fixture in the test resources (or a folder that does not exist, as when the
   * page was not built). The gateway's own tests use it, so that they pass whether or not the real
   * page was built.
   */
  public static GatewayHarness startServingDemoFrom(
      String demoFolder, String yaml, Map<String, String> environment) {
    return start(yaml, environment, java.time.Clock.systemUTC(), demoFolder);
  }

  private static GatewayHarness start(
      String yaml, Map<String, String> environment, java.time.Clock clock, String demoFolder) {
    Path file;
    try {
      file = Files.createTempFile("gateway-test", ".yaml");
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = new HashMap<>(environment);
    env.put(ConfigLoader.CONFIG_FILE_ENV, file.toString());
    env.putIfAbsent("PORT", "0");
    env.putIfAbsent("HOST", "127.0.0.1");
    // Each gateway its own books: in memory, gone with the test JVM.
    env.putIfAbsent(
        "GATEWAY_LEDGER_URL",
        "jdbc:h2:mem:gateway-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try {
      return new GatewayHarness(GatewayApp.start(ConfigLoader.load(env), clock, demoFolder), file);
    } catch (RuntimeException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The running gateway. */
  public GatewayApp app() {
    return app;
  }

  /** The embedded simulator (when started without a secret). */
  public RunwaySimulator simulator() {
    return app.simulator().orElseThrow();
  }

  /** The embedded simulator's admin handle. */
  public SimulatorAdmin upstream() {
    return simulator().admin();
  }

  /** {@code DELETE path} with these header name/value pairs. */
  public Response delete(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl().resolve(path)).DELETE();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  /** The gateway's base URL. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + app.port());
  }

  /** POSTs a JSON body to {@code path}. */
  public Response postJson(String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUrl().resolve(path))
            .timeout(Duration.ofSeconds(120))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  /** Sends any request. */
  public Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GETs {@code path}. */
  public Response get(String path) {
    return send(HttpRequest.newBuilder(baseUrl().resolve(path)).GET().build());
  }

  /**
   * One series of the gateway's {@code /metrics}, named as Prometheus prints it with its labels
   * (e.g. {@code avatar_gateway_line_waiting} or {@code
   * avatar_gateway_rate_limit_rejections_total{limit="ip"}}): its value, or empty when it is not
   * printed (a counter with labels is printed once it was first incremented).
   */
  public OptionalDouble metric(String series) {
    String prefix = series + " ";
    return get("/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()).strip()))
        .findFirst();
  }

  /** Sends {@code method} to {@code path} without a body, with headers (name, value, ...). */
  public Response request(String method, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUrl().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  /** GETs {@code path} with headers, given as name, value, name, value... */
  public Response get(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl().resolve(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  /**
   * Moves the embedded simulator's clock far past every READY window, where an abandoned session
   * would count as leaked, asserts that none is, then closes.
   */
  public void closeAssertingNothingLeaked() {
    upstream().advanceClock(Duration.ofHours(1));
    long leaked = upstream().leakedCount();
    close();
    if (leaked != 0) {
      throw new AssertionError(leaked + " upstream session(s) leaked");
    }
  }

  @Override
  public void close() {
    app.close();
    try {
      Files.deleteIfExists(configFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A response, with its body parsed when it is JSON. */
  public record Response(HttpResponse<String> raw) {
    /** The status code. */
    public int status() {
      return raw.statusCode();
    }

    /** The body as JSON. */
    public JsonNode json() {
      return JSON.readTree(raw.body());
    }

    /** The body as text. */
    public String body() {
      return raw.body();
    }

    /** A header's first value, or null. */
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    /** {@code Retry-After} in whole seconds; fails the test when it is absent or not a number. */
    public long retryAfterSeconds() {
      String value = header("Retry-After");
      assertThat(value).as("Retry-After").isNotNull().matches("[0-9]+");
      return Long.parseLong(value);
    }

    /** The error code of an error answer. */
    public String code() {
      return json().path("code").asString();
    }
  }
}
