package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Rate limits shared through a real Redis (127.0.0.1:6379) by two gateways in one JVM, over real
 * HTTP: a bucket of N admits exactly N across both. And a Redis that cannot be reached: 503 {@code
 * limits_unavailable} by default, per-instance limits with {@code redis.onFailure: local}. Each
 * test uses a key prefix of its own and deletes its keys. Without Redis the shared tests are
 * skipped, saying how to run them; with {@code CI=true} they fail.
 */
class SharedLimitsEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String REDIS_URL = "redis://127.0.0.1:6379";

  /** A port nothing listens on: connecting is refused at once. */
  private static final String UNREACHABLE_URL = "redis://127.0.0.1:1";

  private static final String FAST_RUNWAY = "runway:\n  simulatedReadyAfter: 100ms\n";

  /** One token back per hour: none returns while a test runs. */
  private static final String SLOW_REFILL = "refillTokens: 1, refillPeriod: 1h";

  private static final int PROBE_TIMEOUT_MILLIS = 500;

  private final String prefix = "avatar-gateway-test:" + UUID.randomUUID() + ":";
  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final List<GatewayHarness> gateways = new ArrayList<>();
  private boolean usedRedis;

  @AfterEach
  void cleanUp() {
    gateways.forEach(GatewayHarness::closeAssertingNothingLeaked);
    if (usedRedis) {
      deleteKeysUnder(prefix);
    }
  }

  @Test
  void aPrincipalsBucketOfTwoAdmitsTwoAcrossTwoGateways() {
    assumeRedis();
    String yaml =
        apiKeys()
            + "rateLimit:\n"
            + ("  perPrincipal: {capacity: 2, " + SLOW_REFILL + "}\n")
            + "  perClientAddress: {capacity: 0}\n"
            + redis(REDIS_URL, "refuse");
    GatewayHarness first = start(yaml);
    GatewayHarness second = start(yaml);

    assertThat(connect(first, aliceKey).status()).isEqualTo(200);
    assertThat(connect(second, aliceKey).status()).isEqualTo(200);
    GatewayHarness.Response third = connect(first, aliceKey);
    GatewayHarness.Response fourth = connect(second, aliceKey);

    assertThat(third.code()).isEqualTo("rate_limited");
    assertThat(fourth.code()).isEqualTo("rate_limited");
    assertThat(first.upstream().sessions()).hasSize(1);
    assertThat(second.upstream().sessions()).hasSize(1);
  }

  @Test
  void aClientAddressBucketOfTwoAdmitsTwoAcrossTwoGateways() {
    assumeRedis();
    String yaml =
        "rateLimit:\n"
            + ("  perClientAddress: {capacity: 2, " + SLOW_REFILL + "}\n")
            + redis(REDIS_URL, "refuse");
    GatewayHarness first = start(yaml);
    GatewayHarness second = start(yaml);

    assertThat(first.postJson(CONNECT, CAT).status()).isEqualTo(200);
    assertThat(second.postJson(CONNECT, CAT).status()).isEqualTo(200);

    assertThat(second.postJson(CONNECT, CAT).code()).isEqualTo("rate_limited");
    assertThat(first.postJson(CONNECT, CAT).code()).isEqualTo("rate_limited");
    assertThat(first.upstream().sessions()).hasSize(1);
    assertThat(second.upstream().sessions()).hasSize(1);
  }

  @Test
  void failedAuthenticationsOnOneGatewayThrottleTheAddressOnTheOther() {
    assumeRedis();
    String yaml =
        apiKeys()
            + "rateLimit:\n"
            + ("  authFailuresPerClientAddress: {capacity: 2, " + SLOW_REFILL + "}\n")
            + redis(REDIS_URL, "refuse");
    GatewayHarness first = start(yaml);
    GatewayHarness second = start(yaml);
    String wrong = TestIdentityProvider.randomSecret("gw_", 24);

    assertThat(connect(first, wrong).status()).isEqualTo(401);
    assertThat(connect(first, wrong).status()).isEqualTo(401);
    GatewayHarness.Response right = connect(second, aliceKey);

    assertThat(right.status()).isEqualTo(429);
    assertThat(right.code()).isEqualTo("too_many_auth_failures");
    assertThat(second.upstream().sessions()).isEmpty();
  }

  @Test
  void anUnreachableRedisRefusesStartsWithLimitsUnavailable() {
    GatewayHarness gateway = start(apiKeys() + redis(UNREACHABLE_URL, "refuse"));

    GatewayHarness.Response refused = connect(gateway, aliceKey);

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.code()).isEqualTo("limits_unavailable");
    assertThat(refused.retryAfterSeconds()).isEqualTo(5);
    assertThat(refused.json().get("error").asString()).contains("cannot check its limits");
    assertThat(gateway.upstream().sessions()).isEmpty();
    // Not ready: a load balancer sends connects to an instance that can check its limits.
    GatewayHarness.Response readiness = gateway.get("/readyz");
    assertThat(readiness.status()).isEqualTo(503);
    assertThat(readiness.code()).isEqualTo("not_ready");
    assertThat(readiness.json().get("detail").asString()).contains("Redis unreachable");
  }

  @Test
  void anUnreachableRedisFallsBackToPerInstanceLimitsWhenConfiguredLocal() {
    GatewayHarness gateway =
        start(
            apiKeys()
                + "rateLimit:\n"
                + ("  perPrincipal: {capacity: 1, " + SLOW_REFILL + "}\n")
                + redis(UNREACHABLE_URL, "local"));

    assertThat(connect(gateway, aliceKey).status()).isEqualTo(200);
    assertThat(connect(gateway, aliceKey).code()).isEqualTo("rate_limited");
    assertThat(gateway.upstream().sessions()).hasSize(1);
    // Still serving, with per-instance limits: ready.
    assertThat(gateway.get("/readyz").status()).isEqualTo(200);
  }

  private GatewayHarness start(String yaml) {
    GatewayHarness gateway = GatewayHarness.start(FAST_RUNWAY + yaml);
    gateways.add(gateway);
    return gateway;
  }

  private String redis(String url, String onFailure) {
    usedRedis |= url.equals(REDIS_URL);
    return "redis:\n  url: \""
        + url
        + "\"\n  keyPrefix: \""
        + prefix
        + "\"\n  onFailure: "
        + onFailure
        + "\n";
  }

  private String apiKeys() {
    return "auth:\n  mode: api-key\n  apiKeys:\n    - {name: alice, key: " + aliceKey + "}\n";
  }

  private static GatewayHarness.Response connect(GatewayHarness gateway, String key) {
    return gateway.postJson(CONNECT, CAT, "X-Api-Key", key);
  }

  private static void assumeRedis() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", 6379), PROBE_TIMEOUT_MILLIS);
    } catch (IOException e) {
      String message =
          "Redis is needed at 127.0.0.1:6379 for this test ("
              + e.getMessage()
              + "). Start it with e.g. docker run --rm -p 6379:6379 redis:7 (or apt-get install"
              + " redis-server), then run mvn -B -pl gateway -am verify"
              + " -Dtest='SharedLimitsEndToEndTest' -Dsurefire.failIfNoSpecifiedTests=false."
              + " With CI=true it fails instead of being skipped.";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message);
      }
      System.err.println("WARNING: skipped: " + message);
      Assumptions.abort(message);
    }
  }

  private static void deleteKeysUnder(String prefix) {
    RedisClient client = RedisClient.create(REDIS_URL);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<String> keys = new ArrayList<>();
      ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(prefix + "*"))
          .forEachRemaining(keys::add);
      if (!keys.isEmpty()) {
        connection.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }
}
