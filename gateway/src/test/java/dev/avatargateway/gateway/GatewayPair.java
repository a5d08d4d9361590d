package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Two gateway instances in separate processes ({@link GatewayJvm}) on the stores they share in
 * production ({@link SharedStores}: a PostgreSQL schema and a Redis key prefix of this run's own,
 * both removed by {@link #close()}), with the simulator playing Runway in the test's JVM over real
 * HTTP, and API keys of the test's principals: what the multi-instance test classes share. A test
 * class keeps one for the class ({@code @TestInstance(PER_CLASS)}), since each JVM costs seconds to
 * start, and gives it only its own settings, as YAML made of the parts here and its own:
 *
 * <pre>{@code
 * private final GatewayPair pair = new GatewayPair(getClass(), "alice", "bob");
 *
 * @BeforeAll void start() {
 *   if (pair.open(dir)) { first = pair.start("first", yaml()); ...; pair.warmUp(); }
 * }
 * @BeforeEach void assumeStores() { pair.assumeAvailable(); }
 * @AfterAll void stop() throws Exception { pair.close(); }
 * }</pre>
 *
 * <p>Without PostgreSQL or Redis {@link #open} starts nothing and every test is skipped, saying how
 * to run it; with {@code CI=true} they fail instead.
 */
final class GatewayPair implements AutoCloseable {
  static final String CONNECT = "/api/avatar/connect";
  static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /** The simulator's time to READY unless a test sets another: connects answer within a test. */
  static final Duration FAST_READY = Duration.ofMillis(100);

  /**
   * How long a request may take to be answered. A cold JVM on a loaded machine answers its first
   * connects slowly.
   */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  /** Runway's API key, as the simulator knows it; the gateways get it like a real one. */
  private static final String SECRET = "key_gateway_pair_test";

  /** The principal of {@link #warmUp()}'s connects, so that no test's budget pays for them. */
  private static final String WARMUP = "warmup";

  /** Between warm-up connects: a cold instance needs seconds, not milliseconds, to warm. */
  private static final Duration WARMUP_POLL_INTERVAL = Duration.ofSeconds(1);

  /** The random part of each principal's API key (as {@link TestIdentityProvider} makes them). */
  private static final int API_KEY_RANDOM_BYTES = 24;

  private final Class<?> testClass;
  private final Map<String, String> keys = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<GatewayJvm> gateways = new ArrayList<>();
  private final String schema = SharedStores.newSchemaName();
  private final String prefix = SharedStores.newKeyPrefix();

  /** Why the shared stores cannot be used, or null (also before {@link #open}). */
  private String unavailable;

  private Path dir;
  private RunwaySimulator simulator;

  /**
   * Makes an API key for each principal (and one for the warm-up); starts nothing yet.
   *
   * @param testClass the test class, named in the skip message and in the instances' names
   * @param principals the names of the test's principals, in the order of the YAML's {@code
   *     auth.apiKeys}
   */
  GatewayPair(Class<?> testClass, String... principals) {
    this.testClass = testClass;
    keys.put(WARMUP, TestIdentityProvider.randomSecret("gw_", API_KEY_RANDOM_BYTES));
    for (String principal : principals) {
      keys.put(principal, TestIdentityProvider.randomSecret("gw_", API_KEY_RANDOM_BYTES));
    }
  }

  /**
   * Looks for PostgreSQL and Redis, and when both answer starts the simulator (READY after {@link
   * #FAST_READY}). Call it from {@code @BeforeAll}; when it returns false, start nothing more: each
   * test then says why ({@link #assumeAvailable()}).
   *
   * @param directory where the instances' configuration files and logs go (a {@code @TempDir})
   * @return whether the stores answer
   */
  boolean open(Path directory) {
    unavailable = SharedStores.unavailable(testClass);
    if (unavailable != null) {
      return false;
    }
    dir = directory;
    simulator =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .apiKey(SECRET)
                .readyAfter(DelayDistribution.fixed(FAST_READY))
                .build());
    return true;
  }

  /**
   * Skips the calling test when {@link #open} found a store missing, or fails it with {@code
   * CI=true}; call it from {@code @BeforeEach}.
   */
  void assumeAvailable() {
    SharedStores.assumeAvailable(unavailable);
  }

  /**
   * Starts an instance with this configuration on the simulator and waits for {@code /readyz}. The
   * first to start creates and migrates the schema; the next find it migrated.
   *
   * @param name its name here (its files' names) and, after the test class's name, in the ledger
   */
  GatewayJvm start(String name, String yaml) {
    if (simulator == null) {
      throw new IllegalStateException("open(directory) found no stores or was not called");
    }
    GatewayJvm gateway =
        GatewayJvm.named(name)
            .in(dir)
            .yaml(yaml)
            .env(ConfigLoader.SECRET_ENV, SECRET)
            .env("RUNWAYML_BASE_URL", simulator.baseUrl().toString())
            .awaitReady()
            .env("GATEWAY_INSTANCE_NAME", testClass.getSimpleName() + "-" + name)
            .start();
    gateways.add(gateway);
    return gateway;
  }

  /**
   * One connect on each instance until it answers 200, so that the tests' bursts meet warm JVMs: a
   * cold JVM's first connects load classes for seconds, and a first Redis command slower than
   * {@code redis.timeout} answers 503 {@code limits_unavailable}, which is not what the tests are
   * about.
   */
  void warmUp() {
    for (GatewayJvm gateway : gateways) {
      await()
          .atMost(ANSWER_TIMEOUT)
          .pollInterval(WARMUP_POLL_INTERVAL)
          .until(() -> connect(gateway, WARMUP).join().status() == 200);
    }
  }

  /** Stops every instance, then the simulator, and removes the schema and the keys of this run. */
  @Override
  public void close() throws Exception {
    try {
      GatewayJvm.stopAll(gateways);
      if (simulator != null) {
        simulator.close();
        SharedStores.dropSchema(schema);
        SharedStores.deleteKeysUnder(prefix);
      }
    } finally {
      http.close();
    }
  }

  // ---- the configuration's parts

  /** {@code auth} in {@code api-key} mode, with each principal's key. */
  String authYaml() {
    StringBuilder yaml = new StringBuilder("auth:\n  mode: api-key\n  apiKeys:\n");
    keys.forEach(
        (name, key) ->
            yaml.append("    - {name: ").append(name).append(", key: ").append(key).append("}\n"));
    return yaml.toString();
  }

  /**
   * {@code rateLimit} with a bucket of {@code perPrincipalCapacity} connects per principal, which
   * refills by one an hour (too slowly to matter within a test), and none per client address: every
   * connect of a test comes from 127.0.0.1. More {@code rateLimit} settings may follow, indented by
   * two spaces.
   */
  static String rateLimitYaml(int perPrincipalCapacity) {
    return "rateLimit:\n"
        + ("  perPrincipal: {capacity: " + perPrincipalCapacity + ", refillTokens: 1,")
        + " refillPeriod: 1h}\n"
        + "  perClientAddress: {capacity: 0}\n";
  }

  /**
   * {@code redis} at {@code url} under this run's key prefix. More {@code redis} settings may
   * follow, indented by two spaces.
   */
  String redisYaml(String url) {
    return "redis:\n" + ("  url: \"" + url + "\"\n") + ("  keyPrefix: \"" + prefix + "\"\n");
  }

  /** {@code ledger} in this run's schema, with more ledger settings (each line indented by two). */
  String ledgerYaml(String extraSettings) {
    return SharedStores.ledgerYaml(schema, extraSettings);
  }

  // ---- requests

  /** The API key of a principal given to the constructor. */
  String key(String principal) {
    return keys.get(principal);
  }

  /** A connect of a principal to the cat avatar on one instance. */
  CompletableFuture<GatewayHarness.Response> connect(GatewayJvm gateway, String principal) {
    return send(gateway, "POST", CONNECT, CAT, key(principal));
  }

  /**
   * {@code count} connects of a principal sent at once, spread over both instances: number {@code
   * i} on the first started for even {@code i}, else on the second.
   */
  List<CompletableFuture<GatewayHarness.Response>> connects(int count, String principal) {
    List<CompletableFuture<GatewayHarness.Response>> connects = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      connects.add(connect(gateways.get(i % 2), principal));
    }
    return connects;
  }

  /**
   * A request with a JSON body (or none, when {@code body} is null) and {@code X-Api-Key} (none
   * when {@code apiKey} is null).
   */
  CompletableFuture<GatewayHarness.Response> send(
      GatewayJvm gateway, String method, String path, String body, String apiKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path)).timeout(ANSWER_TIMEOUT);
    if (apiKey != null) {
      request.header("X-Api-Key", apiKey);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(GatewayHarness.Response::new);
  }

  /** A GET without credentials ({@code /readyz}), answered. */
  GatewayHarness.Response get(GatewayJvm gateway, String path) {
    return send(gateway, "GET", path, null, null).join();
  }

  /**
   * The name of the last event of a session's stream on one instance, with its data: {@code
   * credentials {...}}, {@code state {...}}, ...
   */
  String lastEvent(GatewayJvm gateway, String id, String apiKey) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve("/api/avatar/sessions/" + id + "/events"))
            .timeout(ANSWER_TIMEOUT)
            .header("X-Api-Key", apiKey)
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    String event = null;
    String last = null;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("event:")) {
          event = line.substring("event:".length()).trim();
        } else if (line.startsWith("data:") && event != null) {
          last = event + " " + line.substring("data:".length()).trim();
        }
      }
    }
    assertThat(last).as("the stream's last event").isNotNull();
    return last;
  }

  /** Waits for every answer, in the order of the requests. */
  static List<GatewayHarness.Response> answers(
      List<CompletableFuture<GatewayHarness.Response>> requests) {
    return requests.stream().map(CompletableFuture::join).toList();
  }

  /** How many answers had each code; a 200 counts as {@code ok}. Every other answer has a code. */
  static Map<String, Long> codes(List<GatewayHarness.Response> answers) {
    answers.stream()
        .filter(answer -> answer.status() != 200)
        .forEach(answer -> assertThat(answer.code()).as(answer.body()).isNotBlank());
    return answers.stream()
        .collect(
            Collectors.groupingBy(
                answer -> answer.status() == 200 ? "ok" : answer.code(), Collectors.counting()));
  }

  // ---- what the instances share

  /**
   * Runs {@code check}; when it fails, fails again with the last lines of each instance's log (a
   * killed one's too).
   */
  void explainingFailure(GatewayJvm.Check check) throws Exception {
    GatewayJvm.explainingFailure(gateways, check);
  }

  /** The simulator (Runway) both instances use. */
  RunwaySimulator simulator() {
    return simulator;
  }

  /** How long the simulator's sessions take to be READY from now on. */
  void readyAfter(Duration delay) {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(delay));
  }

  /** The ids of every upstream session so far, to tell the new ones ({@link #newSessions}). */
  Set<String> sessionIds() {
    return simulator.admin().sessions().stream()
        .map(SessionRecord::id)
        .collect(Collectors.toCollection(HashSet::new));
  }

  /** The upstream sessions created since {@code before} was taken ({@link #sessionIds()}). */
  List<SessionRecord> newSessions(Set<String> before) {
    return simulator.admin().sessions().stream().filter(s -> !before.contains(s.id())).toList();
  }

  /** {@link SharedStores#queryLong} in this run's ledger schema. */
  long queryLedger(String sql, Object... args) throws SQLException {
    return SharedStores.queryLong(schema, sql, args);
  }

  /** This run's Redis key prefix: every key of the instances begins with it. */
  String prefix() {
    return prefix;
  }

  /** Every Redis key under this run's prefix. */
  List<String> redisKeys() {
    return SharedStores.keysUnder(prefix);
  }
}
