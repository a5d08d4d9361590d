package dev.avatargateway.gateway;

import static dev.avatargateway.gateway.TestIdentityProvider.AUDIENCE;
import static dev.avatargateway.gateway.TestIdentityProvider.ISSUER;
import static dev.avatargateway.gateway.TestIdentityProvider.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.RSAKey;
import dev.avatargateway.gateway.internal.observability.LogCapture;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Authentication over real HTTP against a real gateway (issue 3 §3.3 and §5): {@code api-key} and
 * {@code jwt} (HS256, and RS256 with a JWKS this test serves), the 401 answers and their RFC 6750
 * challenges, CORS preflights, and the rule that {@code mode: none} needs an opt-in with a real
 * Runway secret.
 */
class AuthEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String CHALLENGE = "Bearer realm=\"avatar-gateway\"";
  private static final String INVALID_TOKEN = "error=\"invalid_token\"";

  private final String aliceKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String bobKey = TestIdentityProvider.randomSecret("gw_", 24);
  private final String hmacSecret = TestIdentityProvider.randomSecret("", 32);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(String authYaml) {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST + authYaml);
  }

  private String apiKeys() {
    return "auth:\n  mode: api-key\n  apiKeys:\n"
        + ("    - {name: alice, key: " + aliceKey + "}\n")
        + ("    - {name: bob, key: " + bobKey + "}\n");
  }

  private String hs256() {
    return "auth:\n  mode: jwt\n  jwt:\n"
        + ("    hs256Secret: " + hmacSecret + "\n")
        + ("    issuer: " + ISSUER + "\n")
        + ("    audience: " + AUDIENCE + "\n");
  }

  @Test
  void apiKeyModeRefusesCallersWithoutAValidKey() {
    start(apiKeys());

    GatewayHarness.Response missing = gateway.postJson(CONNECT, CAT);
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.code()).isEqualTo("unauthenticated");
    assertThat(missing.header("WWW-Authenticate")).isEqualTo(CHALLENGE);
    assertThat(missing.json().get("error").asString()).isNotBlank();
    assertThat(missing.json().get("requestId").asString())
        .isNotBlank()
        .isEqualTo(missing.header("X-Request-Id"));

    String wrongKey = TestIdentityProvider.randomSecret("gw_", 24);
    for (GatewayHarness.Response wrong :
        List.of(
            gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + wrongKey),
            gateway.postJson(CONNECT, CAT, "X-Api-Key", wrongKey),
            // A valid key's prefix is not the key.
            gateway.postJson(CONNECT, CAT, "X-Api-Key", aliceKey.substring(0, 20)),
            // Another scheme with a valid key is no Bearer credential at all.
            gateway.postJson(CONNECT, CAT, "Authorization", "Basic " + aliceKey))) {
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.code()).isEqualTo("unauthenticated");
      assertThat(wrong.header("WWW-Authenticate")).startsWith(CHALLENGE);
      assertThat(wrong.body()).doesNotContain(wrongKey).doesNotContain(aliceKey.substring(0, 20));
    }
    assertThat(
            gateway
                .postJson(CONNECT, CAT, "Authorization", "Bearer " + wrongKey)
                .header("WWW-Authenticate"))
        .isEqualTo(CHALLENGE + ", " + INVALID_TOKEN);

    // One credential per request (RFC 6750 §2), even when both are valid.
    GatewayHarness.Response twice =
        gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + aliceKey, "X-Api-Key", bobKey);
    assertThat(twice.status()).isEqualTo(401);
    assertThat(twice.header("WWW-Authenticate")).contains("error=\"invalid_request\"");

    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void apiKeyModeAcceptsTheKeyInEitherHeaderAndLogsOnlyThePrincipal() {
    start(apiKeys());

    try (LogCapture logs = LogCapture.start()) {
      GatewayHarness.Response bearer =
          gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + aliceKey);
      GatewayHarness.Response header = gateway.postJson(CONNECT, CAT, "X-Api-Key", bobKey);
      // The scheme is case-insensitive (RFC 7235 §2.1).
      GatewayHarness.Response lowerCase =
          gateway.postJson(CONNECT, CAT, "Authorization", "bearer " + bobKey);

      assertThat(List.of(bearer, header, lowerCase))
          .allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
      assertThat(summaryOf(logs, bearer).get("principal").asString()).isEqualTo("alice");
      assertThat(summaryOf(logs, header).get("principal").asString()).isEqualTo("bob");
      assertThat(summaryOf(logs, lowerCase).get("principal").asString()).isEqualTo("bob");
      logs.assertNoneContain(aliceKey, bobKey);
    }
    assertThat(gateway.upstream().sessions())
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo("RUNNING"));
  }

  @Test
  void jwtModeAcceptsAGenuineHs256TokenAndNothingElse() {
    start(hs256());

    try (LogCapture logs = LogCapture.start()) {
      String genuine = TestIdentityProvider.hs256(hmacSecret, claims("user-42").build());
      GatewayHarness.Response accepted =
          gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + genuine);

      assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
      assertThat(summaryOf(logs, accepted).get("principal").asString()).isEqualTo("user-42");
      logs.assertNoneContain(genuine, hmacSecret);
    }

    String otherSecret = TestIdentityProvider.randomSecret("", 32);
    Map<String, String> refused =
        Map.of(
            "signed with another secret",
            TestIdentityProvider.hs256(otherSecret, claims("user-42").build()),
            "claims swapped after signing",
            TestIdentityProvider.withSwappedClaims(
                TestIdentityProvider.hs256(hmacSecret, claims("user-42").build()),
                claims("admin").build()),
            "alg none",
            TestIdentityProvider.unsigned(claims("user-42").build()),
            "another audience",
            TestIdentityProvider.hs256(hmacSecret, claims("user-42").audience("other").build()),
            "another issuer",
            TestIdentityProvider.hs256(
                hmacSecret, claims("user-42").issuer("https://evil.example.com/").build()),
            "not yet valid",
            TestIdentityProvider.hs256(
                hmacSecret,
                claims("user-42").notBeforeTime(TestIdentityProvider.fromNow(hours(1))).build()),
            "not a JWT",
            "not-a-jwt");
    refused.forEach(
        (why, token) -> {
          GatewayHarness.Response response =
              gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + token);
          assertThat(response.status()).as(why).isEqualTo(401);
          assertThat(response.code()).as(why).isEqualTo("unauthenticated");
          assertThat(response.header("WWW-Authenticate"))
              .as(why)
              .isEqualTo(CHALLENGE + ", " + INVALID_TOKEN);
          assertThat(response.body()).as(why).doesNotContain(token);
        });

    // Expired well beyond the 60 s skew: said so, since the signature is genuine.
    String expired =
        TestIdentityProvider.hs256(
            hmacSecret,
            claims("user-42")
                .issueTime(TestIdentityProvider.fromNow(hours(-2)))
                .expirationTime(TestIdentityProvider.fromNow(hours(-1)))
                .build());
    GatewayHarness.Response response =
        gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + expired);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate"))
        .isEqualTo(
            CHALLENGE + ", " + INVALID_TOKEN + ", error_description=\"The access token expired\"");

    // In jwt mode a token is only taken from the Authorization header.
    GatewayHarness.Response inApiKeyHeader =
        gateway.postJson(
            CONNECT,
            CAT,
            "X-Api-Key",
            TestIdentityProvider.hs256(hmacSecret, claims("user-42").build()));
    assertThat(inApiKeyHeader.status()).isEqualTo(401);
    assertThat(inApiKeyHeader.header("WWW-Authenticate")).isEqualTo(CHALLENGE);

    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  @Test
  void jwtModeVerifiesRs256TokensWithTheIssuersJwks() {
    RSAKey published = TestIdentityProvider.rsaKey("published");
    RSAKey unpublished = TestIdentityProvider.rsaKey("unpublished");
    try (TestIdentityProvider issuer = TestIdentityProvider.publishing(published)) {
      start(
          "auth:\n  mode: jwt\n  jwt:\n"
              + ("    jwksUrl: " + issuer.jwksUrl() + "\n")
              + ("    issuer: " + ISSUER + "\n")
              + ("    audience: " + AUDIENCE + "\n"));

      try (LogCapture logs = LogCapture.start()) {
        String token = TestIdentityProvider.rs256(published, claims("rs-user").build());
        GatewayHarness.Response accepted =
            gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + token);

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        assertThat(summaryOf(logs, accepted).get("principal").asString()).isEqualTo("rs-user");
        logs.assertNoneContain(token);
      }

      // A key the issuer does not publish (an unknown kid), twice: the second time the JWKS
      // refetch is rate-limited, which must still be a plain invalid token.
      for (int i = 0; i < 2; i++) {
        GatewayHarness.Response unknownKid =
            gateway.postJson(
                CONNECT,
                CAT,
                "Authorization",
                "Bearer " + TestIdentityProvider.rs256(unpublished, claims("rs-user").build()));
        assertThat(unknownKid.status()).isEqualTo(401);
        assertThat(unknownKid.header("WWW-Authenticate"))
            .isEqualTo(CHALLENGE + ", " + INVALID_TOKEN);
      }
      // The published key's id on a token signed by another key: a forgery.
      RSAKey impostor = new RSAKey.Builder(unpublished).keyID("published").build();
      GatewayHarness.Response forged =
          gateway.postJson(
              CONNECT,
              CAT,
              "Authorization",
              "Bearer " + TestIdentityProvider.rs256(impostor, claims("rs-user").build()));
      assertThat(forged.status()).isEqualTo(401);
      assertThat(forged.header("WWW-Authenticate")).isEqualTo(CHALLENGE + ", " + INVALID_TOKEN);

      assertThat(gateway.upstream().sessions()).hasSize(1);
    }
  }

  @Test
  void aCorsPreflightNeedsNoCredentialsAndAllowsTheAuthorizationHeader() {
    start(apiKeys() + "cors:\n  allowedOrigins: [https://app.example.com]\n");

    GatewayHarness.Response preflight =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .build());

    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://app.example.com");
    assertThat(headerTokens(preflight.header("Access-Control-Allow-Headers")))
        .contains("authorization", "content-type", "x-api-key");
    assertThat(preflight.header("WWW-Authenticate")).isNull();

    // The request that follows carries the key, and its refusal stays readable for the page.
    GatewayHarness.Response refused =
        gateway.postJson(CONNECT, CAT, "Origin", "https://app.example.com");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    GatewayHarness.Response accepted =
        gateway.postJson(
            CONNECT,
            CAT,
            "Origin",
            "https://app.example.com",
            "Authorization",
            "Bearer " + aliceKey);
    assertThat(accepted.status()).isEqualTo(200);
    assertThat(accepted.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void withARealSecretModeNoneNeedsTheOptInAndWarnsOnce(@TempDir Path dir) throws IOException {
    try (RunwaySimulator runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .readyAfter(DelayDistribution.fixed(Duration.ofMillis(100)))
                .build())) {
      Map<String, String> realRunway =
          Map.of(
              ConfigLoader.SECRET_ENV,
              SimulatorConfig.DEFAULT_API_KEY,
              "RUNWAYML_BASE_URL",
              runway.baseUrl().toString(),
              "PORT",
              "0",
              "HOST",
              "127.0.0.1");

      // Not through the harness: its config file would outlive the failed start.
      Path config = Files.writeString(dir.resolve("gateway.yaml"), ConnectEndToEndTest.FAST);
      Map<String, String> environment = new HashMap<>(realRunway);
      environment.put(ConfigLoader.CONFIG_FILE_ENV, config.toString());
      InvalidSettingsException refused =
          catchThrowableOfType(
              InvalidSettingsException.class,
              () -> GatewayApp.start(ConfigLoader.load(environment)).close());
      assertThat(refused).isNotNull();
      assertThat(refused.settings()).singleElement().asString().startsWith("auth.");
      assertThat(refused.getMessage()).contains("auth.allowUnauthenticatedWithRealRunway");

      try (LogCapture logs = LogCapture.start();
          GatewayHarness real =
              GatewayHarness.start(
                  ConnectEndToEndTest.FAST + "auth:\n  allowUnauthenticatedWithRealRunway: true\n",
                  realRunway)) {
        assertThat(real.app().simulator()).isEmpty();
        List<JsonNode> warnings =
            logs.events().stream()
                .filter(event -> "WARN".equals(event.path("level").asString()))
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst().get("message").asString())
            .contains("Authentication is off")
            .contains("spend your Runway credits");

        GatewayHarness.Response response = real.postJson(CONNECT, CAT);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(summaryOf(logs, response).get("principal").asString()).isEqualTo("anonymous");
        assertThat(runway.admin().sessions()).hasSize(1);
      }
      runway.admin().advanceClock(Duration.ofHours(1));
      assertThat(runway.admin().leakedCount()).isZero();
    }
  }

  /** The one summary line of the connect that got this response. */
  private static JsonNode summaryOf(LogCapture logs, GatewayHarness.Response response) {
    String requestId = response.header("X-Request-Id");
    List<JsonNode> summaries =
        logs.events(LogCapture.CONNECT_SUMMARY).stream()
            .filter(event -> requestId.equals(event.path("requestId").asString()))
            .toList();
    assertThat(summaries).as("summary lines of request %s", requestId).hasSize(1);
    return summaries.getFirst();
  }

  private static List<String> headerTokens(String value) {
    return Arrays.stream(value.split(","))
        .map(token -> token.strip().toLowerCase(Locale.ROOT))
        .toList();
  }

  private static Duration hours(int hours) {
    return Duration.ofHours(hours);
  }
}
