package dev.avatargateway.simulator.internal.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.avatargateway.simulator.SimulatorException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Mints LiveKit-shaped access tokens: HS256 JWTs with LiveKit's claim layout ({@code iss} = API key
 * name, {@code sub} = participant identity, {@code name}, {@code nbf}, {@code exp}, {@code jti} and
 * a {@code video} grant naming the room), so that a client under test can check that {@code token}
 * and {@code roomName} agree (official-sdk-behaviour.md §2, "LiveKit token issuing").
 */
public final class LiveKitTokens {
  /** The LiveKit "API key" the tokens claim to come from (LiveKit keys start with "API"). */
  public static final String ISSUER = "APIsimulator";

  private final MACSigner signer;

  public LiveKitTokens(String secret) {
    try {
      this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new SimulatorException("tokenSecret is not usable for HS256", e);
    }
  }

  /**
   * Mints one token.
   *
   * @param identity the participant identity ({@code sub})
   * @param displayName the participant display name ({@code name})
   * @param room the room the token may join
   * @param notBefore start of validity (second precision on the wire)
   * @param expires end of validity (second precision on the wire)
   */
  // nimbus-jose-jwt's claim API takes java.util.Date; the conversion is exact to the second.
  @SuppressWarnings("JavaUtilDate")
  public String issue(
      String identity, String displayName, String room, Instant notBefore, Instant expires) {
    Map<String, Object> video = new LinkedHashMap<>();
    video.put("roomJoin", true);
    video.put("room", room);
    video.put("canPublish", true);
    video.put("canSubscribe", true);
    video.put("canPublishData", true);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(identity)
            .claim("name", displayName)
            .notBeforeTime(Date.from(notBefore))
            .expirationTime(Date.from(expires))
            .jwtID(UUID.randomUUID().toString())
            .claim("video", video)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new SimulatorException("Could not sign a LiveKit token", e);
    }
    return jwt.serialize();
  }
}
