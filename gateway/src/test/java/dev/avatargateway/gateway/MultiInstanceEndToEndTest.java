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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances in separate processes ({@link GatewayJvm}) keeping one set of books: one
 * PostgreSQL ledger (a schema of this run's own, dropped after) and one Redis (a key prefix of this
 * run's own, deleted after), with the simulator playing Runway in the test's JVM over real HTTP.
 * Connects are spread over both instances and must be limited as one instance would limit them: a
 * principal's bucket, a principal's daily budget; and a {@code kill -9} of one instance must leave
 * the other cancelling what the dead one had not handed over. Without PostgreSQL or Redis every
 * test is skipped, saying how to run it; with {@code CI=true} they fail.
 *
 * <p>The two gateways are started once for the class (each JVM costs seconds here) and every test
 * has principals of its own. The settings are shared, so they are chosen not to get in each other's
 * way: a bucket of {@value #BUCKET} connects per principal, a budget of {@value #SESSIONS_PER_DAY}
 * sessions per principal and day (smaller, so that the budget test is not cut short by the bucket),
 * and the per-principal concurrency cap off. The kill test runs last: it leaves one instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceEndToEndTest {
  private static final String SECRET = "key_multi_instance_test";
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /**
   * Each principal's connect bucket, shared through Redis; refills too slowly to matter here. Three
   * times as many connects of one principal at once (15 on each instance) contend for its one
   * bucket key: each instance batches its operations on one key, so that Bucket4j's
   * compare-and-swap races only the other instance, and none of them is refused 503 {@code
   * limits_unavailable} for a Redis that is fine.
   */
  private static final int BUCKET = 10;

  /** {@code budgets.perPrincipal.sessionsPerDay}, kept in the ledger; below {@link #BUCKET}. */
  private static final int SESSIONS_PER_DAY = 3;

  /**
   * The shortest lease the ledger accepts with a heartbeat of {@link #HEARTBEAT}: three heartbeats
   * (LedgerConfig), so that the kill test waits seconds rather than the default half minute.
   */
  private static final Duration LEASE = Duration.ofSeconds(3);

  /** {@code ledger.heartbeatInterval}: short, so that the lease can be. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /** How often the survivor looks for sessions of dead instances. */
  private static final Duration RECOVERY_INTERVAL = Duration.ofSeconds(1);

  /**
   * What the kill test allows beyond the lease and one recovery sweep: the survivor's keeper ticks
   * once a second (Books.TICK), its lease check reads the dead run's last heartbeat, which may be
   * up to one heartbeat older than the kill, and a 2-core machine running other builds delays
   * threads by seconds. This bounds the wait; the measured time is printed.
   */
  private static final Duration RECOVERY_SLACK = Duration.ofSeconds(10);

  /** Connects that answer within a test: READY after 100 ms. */
  private static final Duration FAST_READY = Duration.ofMillis(100);

  /** Connects that wait for READY until the test ends them. */
  private static final Duration NEVER_READY = Duration.ofMinutes(10);

  /** {@code sessions.readerGrace} (its default): how long a start may go unwatched. */
  private static final Duration READER_GRACE = Duration.ofSeconds(5);

  /** A cold JVM on a loaded machine answers its first connects slowly. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path dir;

  private final Map<String, String> keys = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<GatewayJvm> gateways = new ArrayList<>();
  private final String schema = SharedStores.newSchemaName();
  private final String prefix = SharedStores.newKeyPrefix();

  /** Why the shared stores cannot be used, or null. */
  private String unavailable;

  private RunwaySimulator simulator;
  private GatewayJvm first;
  private GatewayJvm second;

  @BeforeAll
  void startTwoGateways() {
    unavailable = SharedStores.unavailable(getClass());
    if (unavailable != null) {
      return; // each test says so (assumeStores)
    }
    simulator =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .apiKey(SECRET)
                .readyAfter(DelayDistribution.fixed(FAST_READY))
                .build());
    for (String name :
        List.of("warmup", "alice", "bob", "carol", "heidi", "dave", "erin", "frank")) {
      keys.put(name, TestIdentityProvider.randomSecret("gw_", 24));
    }
    // The first creates and migrates the schema; the second finds it migrated.
    first = start("first");
    second = start("second");
    warmUp(first, second);
  }

  @BeforeEach
  void assumeStores() {
    SharedStores.assumeAvailable(unavailable);
  }

  @AfterAll
  void stopAndCleanUp() throws Exception {
    GatewayJvm.stopAll(gateways);
    if (simulator != null) {
      simulator.close();
      SharedStores.dropSchema(schema);
      SharedStores.deleteKeysUnder(prefix);
    }
    http.close();
  }

  @Test
  @Order(1)
  void aPrincipalsBucketOfNAdmitsExactlyNAcrossBothInstances() throws Exception {
    int attempts = 3 * BUCKET;

    List<GatewayHarness.Response> answers = concurrently(attempts, i -> connect(i, "alice"));

    // Exactly BUCKET got past the bucket; the daily budget (smaller) then admitted some of those
    // and refused the others: neither is rate_limited.
    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          Map<String, Long> codes = codes(answers);
          assertThat(codes.getOrDefault("ok", 0L) + codes.getOrDefault("quota_exceeded", 0L))
              .as("past the bucket, in %s", codes)
              .isEqualTo(BUCKET);
          assertThat(codes)
              .containsEntry("rate_limited", (long) (attempts - BUCKET))
              .containsEntry("ok", (long) SESSIONS_PER_DAY)
              .containsEntry("quota_exceeded", (long) (BUCKET - SESSIONS_PER_DAY));
          answers.stream()
              .filter(answer -> answer.code().equals("rate_limited"))
              .forEach(answer -> assertThat(answer.status()).isEqualTo(429));
        });
  }

  @Test
  @Order(2)
  void aDailyBudgetHoldsExactlyUnderConcurrentStartsOnBothInstances() throws Exception {
    // As many as the bucket lets through, so that only the budget refuses.
    List<GatewayHarness.Response> answers = concurrently(BUCKET, i -> connect(i, "bob"));

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          assertThat(codes(answers))
              .containsOnly(
                  Map.entry("ok", (long) SESSIONS_PER_DAY),
                  Map.entry("quota_exceeded", (long) (BUCKET - SESSIONS_PER_DAY)));
          // A refused start leaves no row in the shared books (docs/budgets.md).
          assertThat(rowsOf("bob")).isEqualTo(SESSIONS_PER_DAY);
        });
  }

  @Test
  @Order(3)
  void
      aSessionStartedOnOneInstanceIsReadAndEndedOnTheOtherButOnlyItsOwnInstanceHandsOverCredentials()
          throws Exception {
    String key = keys.get("carol");
    GatewayHarness.Response started = send(first, "POST", "/api/avatar/sessions", CAT, key).join();
    assertThat(started.status()).isEqualTo(202);
    String id = started.json().get("id").asString();

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          // The ledger is shared: the other instance reads the session.
          GatewayHarness.Response read =
              send(second, "GET", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(read.status()).isEqualTo(200);
          assertThat(read.json().path("id").asString()).isEqualTo(id);
          // But the start runs on the first instance: the second has no credentials to give.
          assertThat(lastEvent(second, id, key)).startsWith("state");
          assertThat(lastEvent(first, id, key)).startsWith("credentials");
          // Ending it works on either: the other instance cancels it upstream and records it.
          GatewayHarness.Response ended =
              send(second, "DELETE", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(ended.status()).isEqualTo(200);
          assertThat(ended.json().path("state").asString()).isEqualTo("cancelled");
          String upstreamId = ended.json().path("sessionId").asString();
          assertThat(simulator.admin().session(upstreamId))
              .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
        });
  }

  @Test
  @Order(4)
  void aStartWatchedOnlyOnAnotherInstanceIsCancelledOnceItsReaderGraceHasPassed() throws Exception {
    String key = keys.get("heidi");
    GatewayHarness.Response started = send(first, "POST", "/api/avatar/sessions", CAT, key).join();
    assertThat(started.status()).isEqualTo(202);
    String id = started.json().get("id").asString();

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          // The only reader is on the wrong instance: the first sees nobody watching its start.
          assertThat(lastEvent(second, id, key)).startsWith("state");
          await()
              .atMost(READER_GRACE.plus(ANSWER_TIMEOUT))
              .until(
                  () ->
                      send(second, "GET", "/api/avatar/sessions/" + id, null, key)
                          .join()
                          .json()
                          .path("state")
                          .asString()
                          .equals("cancelled"));
          GatewayHarness.Response read =
              send(second, "GET", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(read.json().path("outcome").asString()).isEqualTo("client_gone");
          assertThat(simulator.admin().session(read.json().path("sessionId").asString()))
              .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
        });
  }

  @Test
  @Order(5)
  void afterAKillNineTheOtherInstanceCancelsEverySessionLeftWaitingExactlyOnce() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
    Set<String> before = sessionIds();
    // Up to the budget of each of three principals, all on the instance about to die.
    List<String> principals = List.of("dave", "erin", "frank");
    List<CompletableFuture<GatewayHarness.Response>> waiting = new ArrayList<>();
    for (String principal : principals) {
      for (int i = 0; i < SESSIONS_PER_DAY; i++) {
        waiting.add(send(first, "POST", CONNECT, CAT, keys.get(principal)));
      }
    }
    int expected = waiting.size();
    // Each polled at least once: its upstream id is in the books then (ledger.md).
    await()
        .atMost(ANSWER_TIMEOUT)
        .until(
            () -> newSessions(before).stream().filter(s -> s.getCount() > 0).count() == expected);

    first.kill9();
    long killed = System.nanoTime();
    waiting.forEach(future -> future.cancel(true));
    assertThat(newSessions(before)).hasSize(expected).noneMatch(SessionRecord::terminal);

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          await()
              .atMost(LEASE.plus(RECOVERY_INTERVAL).plus(RECOVERY_SLACK))
              .until(() -> newSessions(before).stream().allMatch(SessionRecord::terminal));
          System.err.printf(
              "MultiInstanceEndToEndTest: the survivor cancelled %d sessions %d ms after the"
                  + " kill (lease %s, recovery interval %s)%n",
              expected,
              Duration.ofNanos(System.nanoTime() - killed).toMillis(),
              LEASE,
              RECOVERY_INTERVAL);
          assertThat(newSessions(before))
              .allSatisfy(session -> assertThat(session.status()).isEqualTo("CANCELLED"));
          // Exactly one DELETE each (the simulator counts them per session), and no more for a
          // few more sweeps.
          await()
              .during(RECOVERY_INTERVAL.multipliedBy(3))
              .atMost(RECOVERY_INTERVAL.multipliedBy(10))
              .until(() -> newSessions(before).stream().allMatch(s -> s.cancelRequests() == 1));
          assertThat(
                  SharedStores.queryLong(
                      schema,
                      "SELECT count(*) FROM ledger_sessions WHERE state = 'cancelled'"
                          + " AND outcome_code = 'recovered'"))
              .isEqualTo(expected);
        });
  }

  /**
   * One connect on each instance until it answers 200, so that the tests' bursts meet warm JVMs: a
   * cold JVM's first connects load classes for seconds, and a first Redis command slower than
   * {@code redis.timeout} answers 503 {@code limits_unavailable}, which is not what the tests are
   * about.
   */
  private void warmUp(GatewayJvm... instances) {
    for (GatewayJvm gateway : instances) {
      await()
          .atMost(ANSWER_TIMEOUT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> send(gateway, "POST", CONNECT, CAT, keys.get("warmup")).join().status() == 200);
    }
  }

  private GatewayJvm start(String name) {
    GatewayJvm gateway =
        GatewayJvm.named(name)
            .in(dir)
            .yaml(yaml())
            .env(ConfigLoader.SECRET_ENV, SECRET)
            .env("RUNWAYML_BASE_URL", simulator.baseUrl().toString())
            .awaitReady()
            .env("GATEWAY_INSTANCE_NAME", "multi-instance-test-" + name)
            .start();
    gateways.add(gateway);
    return gateway;
  }

  private String yaml() {
    StringBuilder apiKeys = new StringBuilder();
    keys.forEach(
        (name, key) ->
            apiKeys
                .append("    - {name: ")
                .append(name)
                .append(", key: ")
                .append(key)
                .append("}\n"));
    return "auth:\n  mode: api-key\n  apiKeys:\n"
        + apiKeys
        + "connect:\n  deadline: 10m\n  queuedDeadline: 10m\n"
        + "rateLimit:\n"
        + ("  perPrincipal: {capacity: " + BUCKET + ", refillTokens: 1, refillPeriod: 1h}\n")
        + "  perClientAddress: {capacity: 0}\n"
        + "  maxConcurrentConnectsPerPrincipal: 0\n"
        + "  maxUpstreamCreatesInFlight: 0\n"
        + ("budgets:\n  perPrincipal:\n    sessionsPerDay: " + SESSIONS_PER_DAY + "\n")
        + ("redis:\n  url: \"" + SharedStores.REDIS_URL + "\"\n  keyPrefix: \"" + prefix + "\"\n")
        + SharedStores.ledgerYaml(
            schema,
            "  heartbeatInterval: "
                + HEARTBEAT.toMillis()
                + "ms\n  leaseDuration: "
                + LEASE.toMillis()
                + "ms\n  recoveryInterval: "
                + RECOVERY_INTERVAL.toMillis()
                + "ms\n");
  }

  /** Connect number {@code i} of a principal, on the first instance for even i, else the second. */
  private CompletableFuture<GatewayHarness.Response> connect(int i, String principal) {
    return send(i % 2 == 0 ? first : second, "POST", CONNECT, CAT, keys.get(principal));
  }

  private CompletableFuture<GatewayHarness.Response> send(
      GatewayJvm gateway, String method, String path, String body, String apiKey) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
            .timeout(ANSWER_TIMEOUT)
            .header("X-Api-Key", apiKey);
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

  /** Starts {@code count} requests at once and waits for every answer. */
  private static List<GatewayHarness.Response> concurrently(
      int count, Function<Integer, CompletableFuture<GatewayHarness.Response>> request) {
    List<CompletableFuture<GatewayHarness.Response>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(request.apply(i));
    }
    return futures.stream().map(CompletableFuture::join).toList();
  }

  /** How many answers had each code; a 200 counts as {@code ok}. Every other answer has a code. */
  private static Map<String, Long> codes(List<GatewayHarness.Response> answers) {
    answers.stream()
        .filter(answer -> answer.status() != 200)
        .forEach(answer -> assertThat(answer.code()).as(answer.body()).isNotBlank());
    return answers.stream()
        .collect(
            Collectors.groupingBy(
                answer -> answer.status() == 200 ? "ok" : answer.code(), Collectors.counting()));
  }

  /**
   * The name of the last event of a session's stream on one instance, with its data: {@code
   * credentials {...}}, {@code state {...}}, ...
   */
  private String lastEvent(GatewayJvm gateway, String id, String apiKey) throws Exception {
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

  private long rowsOf(String principal) throws SQLException {
    return SharedStores.queryLong(
        schema, "SELECT count(*) FROM ledger_sessions WHERE principal_name = ?", principal);
  }

  private Set<String> sessionIds() {
    return simulator.admin().sessions().stream()
        .map(SessionRecord::id)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private List<SessionRecord> newSessions(Set<String> before) {
    return simulator.admin().sessions().stream().filter(s -> !before.contains(s.id())).toList();
  }
}
