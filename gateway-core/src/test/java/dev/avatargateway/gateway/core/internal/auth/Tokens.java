package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/** Signed test tokens, made with real keys. */
@SuppressWarnings("JavaUtilDate") // nimbus' claims API takes Dates
public final class Tokens {
  static final String ISSUER = "https://id.example.com/";
  static final String AUDIENCE = "avatar-gateway";
  static final String SUBJECT = "user-42";
  static final String SECRET = "an-hs256-secret-of-more-than-32-bytes-for-tests";

  private Tokens() {}

  /** Claims that pass: issuer, audience, subject, issued now, expiring in 5 minutes. */
  static JWTClaimsSet.Builder claims(Clock clock) {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(SUBJECT)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
  }

  static Date at(Clock clock, Duration offset) {
    return Date.from(clock.instant().plus(offset));
  }

  public static String hs256(String secret, JWTClaimsSet claims) {
    return sign(
        JWSAlgorithm.HS256, null, macSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
  }

  public static String rs256(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(JWSAlgorithm.RS256, key.getKeyID(), new RSASSASigner(key), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String es256(ECKey key, JWTClaimsSet claims) {
    try {
      return sign(JWSAlgorithm.ES256, key.getKeyID(), new ECDSASigner(key), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sign(JWSAlgorithm algorithm, String kid, JWSSigner signer, JWTClaimsSet claims) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  static MACSigner macSigner(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token assembled by hand from JSON header and claims, with the given signature part. */
  static String handMade(String headerJson, String claimsJson, String signature) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return base64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8))
        + "."
        + base64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8))
        + "."
        + signature;
  }

  public static RSAKey rsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
