package dev.avatargateway.gateway.internal.observability;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Realistic secrets for masking tests: fresh random values of each shape the gateway handles. */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Runway API keys are key_ + 128 lower-case hex characters (runway-api.md §1). */
  private static final int RUNWAY_KEY_BYTES = 64;

  /** HS256 needs a key of at least 256 bits. */
  private static final int HMAC_KEY_BYTES = 32;

  private static final int OPAQUE_BYTES = 12;

  private Secrets() {}

  static String runwayKey() {
    return "key_" + hex(RUNWAY_KEY_BYTES);
  }

  /** A real, signed HS256 JWT, like a LiveKit token or a gateway bearer token. */
  static String jwt() {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader(JWSAlgorithm.HS256),
              new JWTClaimsSet.Builder().subject("user-" + hex(4)).issuer("test").build());
      byte[] key = new byte[HMAC_KEY_BYTES];
      RANDOM.nextBytes(key);
      jwt.sign(new MACSigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A session key: stk_ + a JWT (official-sdk-behaviour.md §3). */
  static String sessionKey() {
    return "stk_" + jwt();
  }

  /** A value of no recognisable shape, such as a gateway API key chosen by an operator. */
  static String opaque() {
    return "opaque-" + hex(OPAQUE_BYTES);
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
