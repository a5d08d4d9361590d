package dev.avatargateway.gateway.core.internal.auth;

import static dev.avatargateway.gateway.core.internal.auth.Tokens.AUDIENCE;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.ISSUER;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.SUBJECT;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.Principal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mode: jwt} with RS256 and ES256 keys from a JWKS that a real HTTP server on 127.0.0.1
 * publishes; caching, rotation and rate limiting run on an injected clock.
 */
class JwtJwksTest {
  private static final RSAKey RSA_1 = Tokens.rsaKey("rsa-1");
  private static final RSAKey RSA_2 = Tokens.rsaKey("rsa-2");
  private static final RSAKey UNPUBLISHED = Tokens.rsaKey("unpublished");
  private static final ECKey EC_1 = Tokens.ecKey("ec-1");

  /**
   * A hang guard, not a timing assertion: a request that waits for keys must come back, and this is
   * far above the refresh time-outs used here.
   */
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);

  private final TestClock clock = new TestClock();
  private final LogCapture logs = new LogCapture();
  private JwksServer server;

  @AfterEach
  void stop() {
    logs.close();
    if (server != null) {
      server.close();
    }
  }

  private Authenticator authenticator(URI jwksUrl, List<String> algorithms, Duration timeout) {
    AuthConfig.Jwt jwt =
        new AuthConfig.Jwt(null, jwksUrl, ISSUER, AUDIENCE, null, null, timeout, null, algorithms);
    return Authenticators.create(
        new AuthConfig(AuthConfig.Mode.JWT, null, null, jwt), false, clock);
  }

  private Authenticator authenticator(URI jwksUrl) {
    return authenticator(jwksUrl, null, null);
  }

  @Test
  void rs256AndEs256TokensVerifyWithKeysFetchedOnceAndCached() throws IOException {
    server = JwksServer.serving(RSA_1, EC_1);
    Authenticator authenticator = authenticator(server.uri());

    assertThat(
            authenticator.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build()))))
        .isEqualTo(new Principal(SUBJECT, "jwt"));
    assertThat(
            authenticator
                .authenticate(
                    Headers.bearer(Tokens.es256(EC_1, claims(clock).subject("ec-user").build())))
                .name())
        .isEqualTo("ec-user");
    for (int i = 0; i < 10; i++) {
      authenticator.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build())));
    }
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void manyConcurrentFirstRequestsShareOneFetch() throws Exception {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    String token = Tokens.rs256(RSA_1, claims(clock).build());
    List<Future<Principal>> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        results.add(threads.submit(() -> authenticator.authenticate(Headers.bearer(token))));
      }
    }
    for (Future<Principal> result : results) {
      assertThat(result.get().name()).isEqualTo(SUBJECT);
    }
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void theCachedSetIsFetchedAgainAfterItsTtlSoRemovedKeysStopWorking() throws IOException {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    authenticator.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build())));

    server.serve(RSA_2); // RSA_1 is withdrawn
    clock.advance(AuthConfig.Jwt.DEFAULT_JWKS_CACHE_TTL.minusSeconds(1));
    String stillCached = Tokens.rs256(RSA_1, claims(clock).build());
    assertThat(authenticator.authenticate(Headers.bearer(stillCached)).name()).isEqualTo(SUBJECT);
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));
    assertRefused(
        authenticator, Tokens.rs256(RSA_1, claims(clock).build()), AuthFailure.Reason.INVALID);
    // One fetch because the set expired, one more because rsa-1 was not in the new set.
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void aRotatedKeyIsAcceptedAfterOneRefetch() throws IOException {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    authenticator.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build())));

    server.serve(RSA_1, RSA_2);
    String rotated = Tokens.rs256(RSA_2, claims(clock).subject("after-rotation").build());
    assertThat(authenticator.authenticate(Headers.bearer(rotated)).name())
        .isEqualTo("after-rotation");
    assertThat(authenticator.authenticate(Headers.bearer(rotated)).name())
        .isEqualTo("after-rotation");
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void unknownKidsDoNotCauseAFetchStorm() throws IOException {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    authenticator.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build())));

    String unknown = Tokens.rs256(UNPUBLISHED, claims(clock).build());
    String good = Tokens.rs256(RSA_1, claims(clock).build());
    for (int i = 0; i < 50; i++) {
      assertRefused(authenticator, unknown, AuthFailure.Reason.INVALID);
      // Good tokens keep working meanwhile, from the cache.
      assertThat(authenticator.authenticate(Headers.bearer(good)).name()).isEqualTo(SUBJECT);
    }
    // nimbus' rate limiter: at most two fetches per interval (the first fetch was one of them).
    assertThat(server.requests()).isEqualTo(2);

    clock.advance(AuthConfig.Jwt.DEFAULT_JWKS_MIN_REFETCH_INTERVAL.plusSeconds(1));
    for (int i = 0; i < 50; i++) {
      assertRefused(authenticator, unknown, AuthFailure.Reason.INVALID);
    }
    assertThat(server.requests()).isEqualTo(4);
  }

  @Test
  void aTokenHmacSignedWithThePublicKeyIsInvalid() throws Exception {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    List<byte[]> publicKeyAsSecret =
        List.of(
            RSA_1.toPublicKey().getEncoded(),
            RSA_1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
            pem(RSA_1).getBytes(StandardCharsets.UTF_8),
            RSA_1.getModulus().decode());
    for (byte[] secret : publicKeyAsSecret) {
      String confused =
          Tokens.sign(
              JWSAlgorithm.HS256,
              RSA_1.getKeyID(),
              Tokens.macSigner(secret),
              claims(clock).build());
      assertRefused(authenticator, confused, AuthFailure.Reason.INVALID);
    }
  }

  @Test
  void onlyTheConfiguredAlgorithmsAreAccepted() throws IOException {
    server = JwksServer.serving(RSA_1, EC_1);
    Authenticator rsaOnly = authenticator(server.uri(), List.of("RS256"), null);
    assertThat(
            rsaOnly.authenticate(Headers.bearer(Tokens.rs256(RSA_1, claims(clock).build()))).name())
        .isEqualTo(SUBJECT);
    assertRefused(rsaOnly, Tokens.es256(EC_1, claims(clock).build()), AuthFailure.Reason.INVALID);
  }

  @Test
  void anEcKeyPublishedUnderAnRsaKidCannotVerifyAnRs256Token() throws IOException {
    // The kid matches, the key type does not: nimbus picks keys by alg's key type as well.
    ECKey impostor = new ECKey.Builder(EC_1).keyID(RSA_1.getKeyID()).build();
    server = JwksServer.serving(impostor);
    assertRefused(
        authenticator(server.uri()),
        Tokens.rs256(RSA_1, claims(clock).build()),
        AuthFailure.Reason.INVALID);
  }

  @Test
  void unsignedTokensAreInvalid() throws IOException {
    server = JwksServer.serving(RSA_1);
    Authenticator authenticator = authenticator(server.uri());
    String claims = claims(clock).build().toString();
    assertRefused(
        authenticator,
        Tokens.handMade("{\"alg\":\"none\"}", claims, ""),
        AuthFailure.Reason.INVALID);
    assertRefused(
        authenticator,
        Tokens.handMade("{\"alg\":\"none\",\"kid\":\"rsa-1\"}", claims, ""),
        AuthFailure.Reason.INVALID);
  }

  @Test
  void anUnreachableJwksRefusesAtOnceAndLogsOnce() throws IOException {
    URI closedPort = URI.create("http://127.0.0.1:" + freePort() + "/jwks.json");
    Authenticator authenticator = authenticator(closedPort);
    String token = Tokens.rs256(RSA_1, claims(clock).build());

    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          for (int i = 0; i < 20; i++) {
            AuthFailure failure =
                assertRefused(authenticator, token, AuthFailure.Reason.KEYS_UNAVAILABLE);
            // Not a 401: the token may be good (503 with Retry-After, no challenge).
            assertThat(failure.code()).isEqualTo(ErrorCode.AUTH_UNAVAILABLE);
            assertThat(failure.retryAfter()).isPresent();
            assertThat(Authenticators.wwwAuthenticate(failure)).isEmpty();
          }
        });
    assertThat(logs.messages(Level.WARN))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("Fetching the JWKS from " + closedPort, "401");
    assertThat(String.join("\n", logs.messages())).doesNotContain(token);
  }

  @Test
  void aJwksThatNeverAnswersRefusesWithinTheRefreshTimeout() throws IOException {
    server = JwksServer.serving(RSA_1);
    server.hang();
    Authenticator authenticator = authenticator(server.uri(), null, Duration.ofMillis(200));
    String token = Tokens.rs256(RSA_1, claims(clock).build());

    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          assertRefused(authenticator, token, AuthFailure.Reason.KEYS_UNAVAILABLE);
          assertRefused(authenticator, token, AuthFailure.Reason.KEYS_UNAVAILABLE);
          assertRefused(authenticator, token, AuthFailure.Reason.KEYS_UNAVAILABLE);
        });
    assertThat(logs.messages(Level.WARN)).hasSize(1);
    assertThat(server.requests()).isEqualTo(2); // the rate limiter spared the third
  }

  @Test
  void aFailingJwksIsLoggedOnceAndItsRecoveryOnce() throws IOException {
    server = JwksServer.serving(RSA_1);
    server.failWith(503);
    Authenticator authenticator = authenticator(server.uri());
    String token = Tokens.rs256(RSA_1, claims(clock).build());
    for (int i = 0; i < 10; i++) {
      assertRefused(authenticator, token, AuthFailure.Reason.KEYS_UNAVAILABLE);
    }
    // Unknown kids while keys cannot be fetched are not called invalid: nobody knows.
    assertRefused(
        authenticator,
        Tokens.rs256(UNPUBLISHED, claims(clock).build()),
        AuthFailure.Reason.KEYS_UNAVAILABLE);

    server.serve(RSA_1);
    clock.advance(AuthConfig.Jwt.DEFAULT_JWKS_MIN_REFETCH_INTERVAL.plusSeconds(1));
    assertThat(authenticator.authenticate(Headers.bearer(token)).name()).isEqualTo(SUBJECT);
    assertThat(logs.messages(Level.WARN))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("HTTP 503");
    assertThat(logs.messages(Level.INFO)).anyMatch(line -> line.contains("works again"));
  }

  @Test
  void aJwksDocumentThatIsNotAKeySetOrTooLargeIsAFailedFetch() throws IOException {
    server = JwksServer.serving(RSA_1);
    server.serveRaw("<html>login</html>");
    String token = Tokens.rs256(RSA_1, claims(clock).build());
    assertRefused(authenticator(server.uri()), token, AuthFailure.Reason.KEYS_UNAVAILABLE);

    server.serveRaw(
        "{\"keys\":[], \"padding\":\"" + "x".repeat(JwksRetriever.MAX_JWKS_BYTES) + "\"}");
    assertRefused(authenticator(server.uri()), token, AuthFailure.Reason.KEYS_UNAVAILABLE);
    assertThat(logs.messages(Level.WARN)).anyMatch(line -> line.contains("larger than"));
  }

  @Test
  void theJwksUrlIsLoggedWithoutItsQuery() throws IOException {
    server = JwksServer.serving(RSA_1);
    URI withQuery = URI.create(server.uri() + "?access_token=do-not-log-me");
    authenticator(withQuery);
    assertThat(String.join("\n", logs.messages()))
        .contains(server.uri().toString())
        .doesNotContain("do-not-log-me");
  }

  private static AuthFailure assertRefused(
      Authenticator authenticator, String token, AuthFailure.Reason reason) {
    AuthFailure failure =
        catchThrowableOfType(
            AuthFailure.class, () -> authenticator.authenticate(Headers.bearer(token)));
    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(reason);
    assertThat(failure.getMessage()).doesNotContain(token);
    return failure;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String pem(RSAKey key) throws Exception {
    return "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.toPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
