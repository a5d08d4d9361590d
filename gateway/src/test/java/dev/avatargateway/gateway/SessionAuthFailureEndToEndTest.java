package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failed authentications on the session and usage endpoints take from the same bucket per client
 * address as a connect's, over real HTTP: once it is empty, every endpoint refuses that address
 * with 429 {@code too_many_auth_failures} before its credentials are checked. The buckets refill by
 * one token per hour, so none returns while a test runs.
 */
class SessionAuthFailureEndToEndTest {
  private static final String GUESSER = "203.0.113.7";
  private static final String OFFICE = "198.51.100.9";
  private static final String ID = UUID.randomUUID().toString();

  /** Every endpoint that authenticates through the session API, each asked once. */
  private static final List<String[]> ENDPOINTS =
      List.of(
          new String[] {"GET", "/api/avatar/sessions"},
          new String[] {"GET", "/api/avatar/sessions/" + ID},
          new String[] {"DELETE", "/api/avatar/sessions/" + ID},
          new String[] {"GET", "/api/avatar/sessions/" + ID + "/events"},
          new String[] {"GET", "/api/avatar/usage"},
          new String[] {"GET", "/api/admin/sessions"},
          new String[] {"GET", "/api/admin/usage"});

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String adminKey = TestIdentityProvider.randomSecret("adm_", 24);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(int capacity) {
    gateway =
        GatewayHarness.start(
            ConnectEndToEndTest.FAST
                + "  trustedProxies: [127.0.0.1]\n"
                + ("  authFailuresPerClientAddress: {capacity: " + capacity)
                + ", refillTokens: 1, refillPeriod: 1h}\n"
                + "auth:\n  mode: api-key\n  apiKeys:\n"
                + ("    - {name: alice, key: " + aliceKey + "}\n")
                + ("  admin:\n    apiKeys:\n      - {name: ops, key: " + adminKey + "}\n"));
  }

  private GatewayHarness.Response send(String method, String path, String key, String from) {
    HttpRequest request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("X-Api-Key", key)
            .header("X-Forwarded-For", from)
            .build();
    return gateway.send(request);
  }

  private static String wrongKey() {
    return TestIdentityProvider.randomSecret("gw_", 24);
  }

  @Test
  void wrongCredentialsOnEverySessionEndpointEmptyTheAddresssBucket() {
    start(ENDPOINTS.size());

    for (String[] endpoint : ENDPOINTS) {
      GatewayHarness.Response wrong = send(endpoint[0], endpoint[1], wrongKey(), GUESSER);
      assertThat(wrong.status()).as(endpoint[0] + " " + endpoint[1]).isEqualTo(401);
      assertThat(wrong.code()).isEqualTo("unauthenticated");
    }

    // Empty now: every endpoint refuses the address, even with good credentials, and so does
    // connect (one bucket per address).
    for (String[] endpoint : ENDPOINTS) {
      GatewayHarness.Response refused = send(endpoint[0], endpoint[1], aliceKey, GUESSER);
      assertThat(refused.status()).as(endpoint[0] + " " + endpoint[1]).isEqualTo(429);
      assertThat(refused.code()).isEqualTo("too_many_auth_failures");
      assertThat(refused.header("Retry-After")).matches("[0-9]+");
    }
    GatewayHarness.Response connect =
        gateway.postJson(
            "/api/avatar/connect",
            "{\"avatarId\":\"cat-character\"}",
            "X-Api-Key",
            aliceKey,
            "X-Forwarded-For",
            GUESSER);
    assertThat(connect.code()).isEqualTo("too_many_auth_failures");
    GatewayHarness.Response start =
        gateway.postJson(
            "/api/avatar/sessions",
            "{\"avatarId\":\"cat-character\"}",
            "X-Api-Key",
            aliceKey,
            "X-Forwarded-For",
            GUESSER);
    assertThat(start.code()).isEqualTo("too_many_auth_failures");
    assertThat(gateway.upstream().sessions()).isEmpty();

    // Another address is untouched.
    assertThat(send("GET", "/api/avatar/sessions", aliceKey, OFFICE).status()).isEqualTo(200);
    assertThat(send("GET", "/api/admin/usage", adminKey, OFFICE).status()).isEqualTo(200);
  }

  @Test
  void failuresOnConnectAndOnTheSessionEndpointsShareOneBucket() {
    start(2);
    GatewayHarness.Response wrongConnect =
        gateway.postJson(
            "/api/avatar/connect",
            "{\"avatarId\":\"cat-character\"}",
            "X-Api-Key",
            wrongKey(),
            "X-Forwarded-For",
            GUESSER);
    assertThat(wrongConnect.status()).isEqualTo(401);
    // A caller's key is no admin's: it counts as a failure on an admin endpoint.
    assertThat(send("GET", "/api/admin/sessions", aliceKey, GUESSER).status()).isEqualTo(401);

    GatewayHarness.Response refused = send("GET", "/api/avatar/usage", aliceKey, GUESSER);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("too_many_auth_failures");
  }

  @Test
  void successfulCallsTakeNothing() {
    start(1);

    for (int i = 0; i < 5; i++) {
      assertThat(send("GET", "/api/avatar/sessions", aliceKey, OFFICE).status()).isEqualTo(200);
      assertThat(send("GET", "/api/avatar/usage", aliceKey, OFFICE).status()).isEqualTo(200);
      assertThat(send("GET", "/api/admin/usage", adminKey, OFFICE).status()).isEqualTo(200);
      // Another principal's (or no) session is 404, not an authentication failure.
      assertThat(send("GET", "/api/avatar/sessions/" + ID, aliceKey, OFFICE).status())
          .isEqualTo(404);
    }
    assertThat(send("GET", "/api/avatar/sessions", wrongKey(), OFFICE).status()).isEqualTo(401);
    assertThat(send("GET", "/api/avatar/sessions", aliceKey, OFFICE).code())
        .isEqualTo("too_many_auth_failures");
  }
}
