package dev.avatargateway.gateway;

import static dev.avatargateway.gateway.GatewayPair.ANSWER_TIMEOUT;
import static dev.avatargateway.gateway.GatewayPair.FAST_READY;
import static dev.avatargateway.gateway.GatewayPair.answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * they fail. All but the settings and the tests is a {@link GatewayPair}.
 *
 * <p>The concurrency cap across instances and the slots' clean-up need the shared slots of {@code
 * rateLimit.maxConcurrentConnectsPerPrincipal} in Redis (with {@code redis.url} set); with
 * per-instance caps, two instances admit twice the cap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceRedisEndToEndTest {
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

  /** The bucket stores' names (ConnectLimiter, AuthFailureLimiter): their keys stay, by design. */
  private static final List<String> BUCKET_KEY_NAMES =
      List.of("connect-principal:", "connect-address:", "auth-failures:");

  @TempDir static Path dir;

  private final GatewayPair pair = new GatewayPair(getClass(), "ivan", "judy");

  private TcpProxy proxy;
  private GatewayJvm refusing;
  private GatewayJvm local;

  @BeforeAll
  void startTwoGateways() {
    if (!pair.open(dir)) {
      return; // each test says so (assumeStores)
    }
    proxy = TcpProxy.start(SharedStores.REDIS_HOST, SharedStores.REDIS_PORT);
    refusing = pair.start("refusing", yaml("refuse"));
    local = pair.start("local", yaml("local"));
    pair.warmUp();
  }

  @AfterEach
  void restoreRedis() {
    if (proxy == null) {
      return; // nothing was started
    }
    proxy.restore();
    pair.readyAfter(FAST_READY);
  }

  @BeforeEach
  void assumeStores() {
    pair.assumeAvailable();
  }

  @AfterAll
  void stopAndCleanUp() throws Exception {
    try {
      pair.close();
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  @Test
  @Order(1)
  void aConcurrencyCapOfKAdmitsExactlyKAcrossBothInstancesAndFreesThemAfter() throws Exception {
    pair.readyAfter(HELD_READY);
    Set<String> before = pair.sessionIds();
    // Three times the cap at once, spread over both instances: a race for K slots.
    List<CompletableFuture<GatewayHarness.Response>> racing = pair.connects(RACERS, "ivan");
    await().atMost(ANSWER_TIMEOUT).until(() -> pair.newSessions(before).size() >= CAP);

    pair.explainingFailure(
        () -> {
          // The slots are in Redis while they are held (so that "none left" below means something).
          assertThat(slotKeys()).isNotEmpty();
          List<GatewayHarness.Response> answers = answers(racing);
          assertThat(codes(answers))
              .containsOnly(
                  Map.entry("ok", (long) CAP),
                  Map.entry("too_many_concurrent_connects", (long) (RACERS - CAP)));
          answers.stream()
              .filter(answer -> answer.status() != 200)
              .forEach(answer -> assertThat(answer.status()).isEqualTo(429));
          assertThat(pair.newSessions(before)).hasSize(CAP);
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
    pair.readyAfter(HELD_READY);
    Set<String> before = pair.sessionIds();
    List<CompletableFuture<GatewayHarness.Response>> inFlight =
        List.of(pair.connect(refusing, "judy"), pair.connect(local, "judy"));
    await().atMost(ANSWER_TIMEOUT).until(() -> pair.newSessions(before).size() == inFlight.size());
    pair.readyAfter(FAST_READY);

    proxy.cut();

    pair.explainingFailure(
        () -> {
          GatewayHarness.Response refused = pair.connect(refusing, "judy").join();
          assertThat(refused.status()).isEqualTo(503);
          assertThat(refused.code()).isEqualTo("limits_unavailable");
          assertThat(refused.retryAfterSeconds()).isPositive();
          // A load balancer sends connects to an instance that can check its limits.
          await().atMost(ANSWER_TIMEOUT).until(() -> pair.get(refusing, "/readyz").status() == 503);
          assertThat(pair.get(refusing, "/readyz").json().path("status").asString())
              .isEqualTo("not_ready");
          // The local instance serves on per-instance limits, and says it is ready.
          assertThat(pair.get(local, "/readyz").status()).isEqualTo(200);
          assertThat(pair.connect(local, "judy").join().status()).isEqualTo(200);
          // The connects already admitted are not Redis's business any more: they end well.
          inFlight.forEach(answer -> assertThat(answer.join().status()).isEqualTo(200));
        });

    proxy.restore();

    pair.explainingFailure(
        () -> {
          // Back within a few of Lettuce's reconnects; every 5xx meanwhile is a coded one.
          await()
              .atMost(ANSWER_TIMEOUT)
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> {
                    GatewayHarness.Response answer = pair.connect(refusing, "judy").join();
                    if (answer.status() >= 500) {
                      assertThat(answer.code()).isEqualTo("limits_unavailable");
                    }
                    return answer.status() == 200;
                  });
          await().atMost(ANSWER_TIMEOUT).until(() -> pair.get(refusing, "/readyz").status() == 200);
          assertThat(pair.connect(local, "judy").join().status()).isEqualTo(200);
          // The slots the outage kept their holders from giving back expire with their lease: then
          // K are admitted again across both, and once they end nothing is left in Redis.
          await()
              .atMost(SLOT_LEASE.plus(SLOT_LEASE_MARGIN))
              .pollInterval(SLOT_LEASE.dividedBy(2))
              .until(() -> codes(capOfConnects("judy")).equals(Map.of("ok", (long) CAP)));
          await().atMost(RELEASE_TIMEOUT).until(() -> slotKeys().isEmpty());
        });
  }

  private String yaml(String onFailure) {
    return pair.authYaml()
        + GatewayPair.rateLimitYaml(BUCKET)
        + ("  maxConcurrentConnectsPerPrincipal: " + CAP + "\n")
        + pair.redisYaml("redis://127.0.0.1:" + proxy.port())
        + ("  onFailure: " + onFailure + "\n")
        + ("  leaseDuration: " + SLOT_LEASE.toMillis() + "ms\n")
        + pair.ledgerYaml("");
  }

  /** K connects of a principal at once, spread over both instances; waits for their answers. */
  private List<GatewayHarness.Response> capOfConnects(String principal) {
    return answers(pair.connects(CAP, principal));
  }

  /**
   * How many answers had each code ({@code ok} for a 200), as {@link GatewayPair#codes}; and every
   * 5xx must be {@code limits_unavailable}: nothing else may fail while Redis does.
   */
  private static Map<String, Long> codes(List<GatewayHarness.Response> answers) {
    answers.stream()
        .filter(answer -> answer.status() >= 500)
        .forEach(
            answer -> assertThat(answer.code()).as(answer.body()).isEqualTo("limits_unavailable"));
    return GatewayPair.codes(answers);
  }

  /** Every key under this run's prefix that is not a token bucket's: the slots and the line. */
  private List<String> slotKeys() {
    return pair.redisKeys().stream()
        .filter(
            key ->
                BUCKET_KEY_NAMES.stream().noneMatch(name -> key.startsWith(pair.prefix() + name)))
        .toList();
  }
}
