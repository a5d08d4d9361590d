package dev.avatargateway.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An identity provider for the end-to-end tests: issues real HS256 and RS256 tokens, and publishes
 * the public parts of its RSA keys as a JWKS on 127.0.0.1. A trimmed copy of gateway-core's auth
 * test helpers ({@code Tokens}, {@code JwksServer}): test classes do not cross module borders.
 */
@SuppressWarnings("JavaUtilDate") // nimbus' claims API takes Dates
final class TestIdentityProvider implements AutoCloseable {
  static final String ISSUER = "https://id.example.com/";
  static final String AUDIENCE = "avatar-gateway";

  /** How long issued tokens live: far longer than any test, far shorter than a real leak. */
  private static final Duration LIFETIME = Duration.ofMinutes(5);

  /** RSA keys shorter than 2048 bits are refused by nimbus (RFC 7518 §3.3). */
  private static final int RSA_BITS = 2048;

  private static final String JWKS_PATH = "/.well-known/jwks.json";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final byte[] jwks;

  private TestIdentityProvider(List<RSAKey> published) throws IOException {
    jwks =
        new JWKSet(List.copyOf(published))
            .toPublicJWKSet()
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(JWKS_PATH, this::serve);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a JWKS endpoint publishing the public parts of these keys. */
  static TestIdentityProvider publishing(RSAKey... keys) {
    try {
      return new TestIdentityProvider(List.of(keys));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JWKS URL, for {@code auth.jwt.jwksUrl}. */
  URI jwksUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + JWKS_PATH);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
      exchange.sendResponseHeaders(200, jwks.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(jwks);
      }
    }
  }

  /** Claims that pass: the issuer, the audience, this subject, valid from now for 5 minutes. */
  static JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(LIFETIME)));
  }

  /** An instant relative to now, as nimbus wants it. */
  static Date fromNow(Duration offset) {
    return Date.from(Instant.now().plus(offset));
  }

  /** A fresh random secret of {@code bytes} random bytes, hex-encoded (twice as many chars). */
  static String randomSecret(String prefix, int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return prefix + HexFormat.of().formatHex(random);
  }

  static String hs256(String secret, JWTClaimsSet claims) {
    try {
      return sign(
          JWSAlgorithm.HS256, null, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(JWSAlgorithm.RS256, key.getKeyID(), new RSASSASigner(key), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(
      JWSAlgorithm algorithm, String kid, JWSSigner signer, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  /** An unsecured token ({@code alg: none}, RFC 7519 §6): no signature at all. */
  static String unsigned(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  /**
   * A genuine token whose claims were swapped for others after signing: header and signature are
   * real, the payload is not what was signed.
   */
  static String withSwappedClaims(String genuine, JWTClaimsSet claims) {
    String[] parts = genuine.split("\\.", -1);
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    return parts[0] + "." + payload + "." + parts[2];
  }

  static RSAKey rsaKey(String kid) {
    try {
      return new RSAKeyGenerator(RSA_BITS).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
