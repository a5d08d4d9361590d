package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances in separate processes ({@link GatewayJvm}) sharing one Redis through a TCP
 * proxy in the test's JVM ({@link TcpProxy}), so that Redis can be made unreachable for them and
 * back while it keeps running, and one PostgreSQL ledger (a schema of this run's own). The first
 * instance has {@code redis.onFailure: refuse} (the default), the second {@code local}: the same
 * outage shows both behaviours. Also the per-principal concurrency cap shared through Redis.
 * Without PostgreSQL or Redis the tests are skipped, saying how to run them; with {@code CI=true}
 * they fail.
 *
 * <p>The concurrency cap across instances and the slots' clean-up need the shared slots of {@code
 * rateLimit.maxConcurrentConnectsPerPrincipal} in Redis (with {@code redis.url} set); with
 * per-instance caps, two instances admit twice the cap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceRedisEndToEndTest {
  private static final String SECRET = "key_multi_instance_redis_test";
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /** {@code rateLimit.maxConcurrentConnectsPerPrincipal}: K for the whole gateway. */
  private static final int CAP = 2;

  /**
   * A bucket large enough never to refuse here, so that every connect asks Redis (with no bucket
   * and no cap in Redis a connect would not touch it, and an outage would go unseen).
   */
  private static final int BUCKET = 1_000;

  /** Connects racing for the {@link #CAP} slots of one principal. */
  private static final int RACERS = 3 * CAP;

  /** Long enough that the connects admitted are still waiting while the test sends more. */
  private static final Duration HELD_READY = Duration.ofSeconds(5);

  private static final Duration FAST_READY = Duration.ofMillis(100);

  /**
   * {@code redis.leaseDuration}, the shortest it may be: a slot whose holder could not give it back
   * (Redis was cut) is free again this long after its last renewal.
   */
  private static final Duration SLOT_LEASE = Duration.ofSeconds(3);

  /**
   * What the wait for a leaked slot allows beyond {@link #SLOT_LEASE}: Lettuce's reconnect after
   * the restore (its back-off starts at milliseconds and doubles) and a loaded 2-core machine.
   */
  private static final Duration SLOT_LEASE_MARGIN = Duration.ofSeconds(20);

  /** How long a release may trail the connect's answer (it runs as the connect's flow ends). */
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(10);

  /** A cold JVM on a loaded machine answers its first connects slowly. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  /** The bucket stores' names (ConnectLimiter, AuthFailureLimiter): their keys stay, by design. */
  private static final List<String> BUCKET_KEY_NAMES =
      List.of("connect-principal:", "connect-address:", "auth-failures:");

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
  private TcpProxy proxy;
  private GatewayJvm refusing;
  private GatewayJvm local;

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
    proxy = TcpProxy.start(SharedStores.REDIS_HOST, SharedStores.REDIS_PORT);
    for (String name : List.of("warmup", "ivan", "judy")) {
      keys.put(name, TestIdentityProvider.randomSecret("gw_", 24));
    }
    refusing = start("refusing", "refuse");
    local = start("local", "local");
    warmUp(refusing, local);
  }

  @AfterEach
  void restoreRedis() {
    if (simulator == null) {
      return; // nothing was started
    }
    proxy.restore();
    simulator.admin().setReadyAfter(DelayDistribution.fixed(FAST_READY));
  }

  @BeforeEach
  void assumeStores() {
    SharedStores.assumeAvailable(unavailable);
  }

  @AfterAll
  void stopAndCleanUp() throws Exception {
    GatewayJvm.stopAll(gateways);
    if (simulator != null) {
      proxy.close();
      simulator.close();
      SharedStores.dropSchema(schema);
      SharedStores.deleteKeysUnder(prefix);
    }
    http.close();
  }

  @Test
  @Order(1)
  void aConcurrencyCapOfKAdmitsExactlyKAcrossBothInstancesAndFreesThemAfter() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(HELD_READY));
    Set<String> before = sessionIds();
    // Three times the cap at once, spread over both instances: a race for K slots.
    List<CompletableFuture<GatewayHarness.Response>> racing = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      racing.add(connect(i % 2 == 0 ? refusing : local, "ivan"));
    }
    await().atMost(ANSWER_TIMEOUT).until(() -> newSessions(before).size() >= CAP);

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          // The slots are in Redis while they are held (so that "none left" below means something).
          assertThat(slotKeys()).isNotEmpty();
          List<GatewayHarness.Response> answers =
              racing.stream().map(CompletableFuture::join).toList();
          assertThat(codes(answers))
              .containsOnly(
                  Map.entry("ok", (long) CAP),
                  Map.entry("too_many_concurrent_connects", (long) (RACERS - CAP)));
          answers.stream()
              .filter(answer -> answer.status() != 200)
              .forEach(answer -> assertThat(answer.status()).isEqualTo(429));
          assertThat(newSessions(before)).hasSize(CAP);
          // Nothing left taken once they ended: no slot in Redis, and K again, at once.
          await().atMost(RELEASE_TIMEOUT).until(() -> slotKeys().isEmpty());
          assertThat(codes(capOfConnects("ivan"))).containsOnly(Map.entry("ok", (long) CAP));
        });
  }

  @Test
  @Order(2)
  void whileRedisIsUnreachableRefuseAnswers503WithACodeAndLocalServesAndAfterwardsNoSlotIsLeft()
      throws Exception {
    // Connects in flight on both instances when Redis goes: their slots cannot be given back then.
    simulator.admin().setReadyAfter(DelayDistribution.fixed(HELD_READY));
    Set<String> before = sessionIds();
    List<CompletableFuture<GatewayHarness.Response>> inFlight =
        List.of(connect(refusing, "judy"), connect(local, "judy"));
    await().atMost(ANSWER_TIMEOUT).until(() -> newSessions(before).size() == inFlight.size());
    simulator.admin().setReadyAfter(DelayDistribution.fixed(FAST_READY));

    proxy.cut();

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          GatewayHarness.Response refused = connect(refusing, "judy").join();
          assertThat(refused.status()).isEqualTo(503);
          assertThat(refused.code()).isEqualTo("limits_unavailable");
          assertThat(refused.retryAfterSeconds()).isPositive();
          // A load balancer sends connects to an instance that can check its limits.
          await().atMost(ANSWER_TIMEOUT).until(() -> get(refusing, "/readyz").status() == 503);
          assertThat(get(refusing, "/readyz").json().path("status").asString())
              .isEqualTo("not_ready");
          // The local instance serves on per-instance limits, and says it is ready.
          assertThat(get(local, "/readyz").status()).isEqualTo(200);
          assertThat(connect(local, "judy").join().status()).isEqualTo(200);
          // The connects already admitted are not Redis's business any more: they end well.
          inFlight.forEach(answer -> assertThat(answer.join().status()).isEqualTo(200));
        });

    proxy.restore();

    GatewayJvm.explainingFailure(
        gateways,
        () -> {
          // Back within a few of Lettuce's reconnects; every 5xx meanwhile is a coded one.
          await()
              .atMost(ANSWER_TIMEOUT)
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> {
                    GatewayHarness.Response answer = connect(refusing, "judy").join();
                    if (answer.status() >= 500) {
                      assertThat(answer.code()).isEqualTo("limits_unavailable");
                    }
                    return answer.status() == 200;
                  });
          await().atMost(ANSWER_TIMEOUT).until(() -> get(refusing, "/readyz").status() == 200);
          assertThat(connect(local, "judy").join().status()).isEqualTo(200);
          // The slots the outage kept their holders from giving back expire with their lease: then
          // K are admitted again across both, and once they end nothing is left in Redis.
          await()
              .atMost(SLOT_LEASE.plus(SLOT_LEASE_MARGIN))
              .pollInterval(SLOT_LEASE.dividedBy(2))
              .until(() -> codes(capOfConnects("judy")).equals(Map.of("ok", (long) CAP)));
          await().atMost(RELEASE_TIMEOUT).until(() -> slotKeys().isEmpty());
        });
  }

  /**
   * One connect on each instance until it answers 200: each opens its Redis connection with its
   * first connect, and in a cold JVM that first connection can take longer than {@code
   * redis.timeout} (then that connect, and those of the next second, answer 503 {@code
   * limits_unavailable}), which is not what the tests are about.
   */
  private void warmUp(GatewayJvm... instances) {
    for (GatewayJvm gateway : instances) {
      await()
          .atMost(ANSWER_TIMEOUT)
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> connect(gateway, "warmup").join().status() == 200);
    }
  }

  private GatewayJvm start(String name, String onFailure) {
    GatewayJvm gateway =
        GatewayJvm.named(name)
            .in(dir)
            .yaml(yaml(onFailure))
            .env(ConfigLoader.SECRET_ENV, SECRET)
            .env("RUNWAYML_BASE_URL", simulator.baseUrl().toString())
            .awaitReady()
            .env("GATEWAY_INSTANCE_NAME", "multi-instance-redis-test-" + name)
            .start();
    gateways.add(gateway);
    return gateway;
  }

  private String yaml(String onFailure) {
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
        + "rateLimit:\n"
        + ("  perPrincipal: {capacity: " + BUCKET + ", refillTokens: 1, refillPeriod: 1h}\n")
        + "  perClientAddress: {capacity: 0}\n"
        + ("  maxConcurrentConnectsPerPrincipal: " + CAP + "\n")
        + "redis:\n"
        + ("  url: \"redis://127.0.0.1:" + proxy.port() + "\"\n")
        + ("  keyPrefix: \"" + prefix + "\"\n")
        + ("  onFailure: " + onFailure + "\n")
        + ("  leaseDuration: " + SLOT_LEASE.toMillis() + "ms\n")
        + SharedStores.ledgerYaml(schema, "");
  }

  private CompletableFuture<GatewayHarness.Response> connect(GatewayJvm gateway, String principal) {
    HttpRequest request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
            .timeout(ANSWER_TIMEOUT)
            .header("X-Api-Key", keys.get(principal))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(CAT))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(GatewayHarness.Response::new);
  }

  /** K connects of a principal at once, spread over both instances; waits for their answers. */
  private List<GatewayHarness.Response> capOfConnects(String principal) {
    List<CompletableFuture<GatewayHarness.Response>> connects = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      connects.add(connect(i % 2 == 0 ? refusing : local, principal));
    }
    return connects.stream().map(CompletableFuture::join).toList();
  }

  /**
   * How many answers had each code ({@code ok} for a 200). Every other answer must have a code, and
   * every 5xx must be {@code limits_unavailable}: nothing else may fail while Redis does.
   */
  private static Map<String, Long> codes(List<GatewayHarness.Response> answers) {
    for (GatewayHarness.Response answer : answers) {
      if (answer.status() >= 500) {
        assertThat(answer.code()).as(answer.body()).isEqualTo("limits_unavailable");
      } else if (answer.status() != 200) {
        assertThat(answer.code()).as(answer.body()).isNotBlank();
      }
    }
    return answers.stream()
        .collect(
            Collectors.groupingBy(
                answer -> answer.status() == 200 ? "ok" : answer.code(), Collectors.counting()));
  }

  private GatewayHarness.Response get(GatewayJvm gateway, String path) throws Exception {
    return new GatewayHarness.Response(
        http.send(
            HttpRequest.newBuilder(gateway.baseUrl().resolve(path)).timeout(ANSWER_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  /** Every key under this run's prefix that is not a token bucket's: the slots and the line. */
  private List<String> slotKeys() {
    return SharedStores.keysUnder(prefix).stream()
        .filter(key -> BUCKET_KEY_NAMES.stream().noneMatch(name -> key.startsWith(prefix + name)))
        .toList();
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
