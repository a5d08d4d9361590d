package dev.avatargateway.gateway.core.internal.auth;

import static dev.avatargateway.gateway.core.internal.auth.Tokens.AUDIENCE;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.ISSUER;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.SECRET;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.SUBJECT;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.at;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.claims;
import static dev.avatargateway.gateway.core.internal.auth.Tokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mode: jwt} with a shared HS256 secret, on an injected clock. */
class JwtHs256Test {
  /** Long enough for HS512 too (64 bytes). */
  private static final String SECRET_64 = SECRET.repeat(2);

  private final TestClock clock = new TestClock();
  private final Authenticator authenticator = authenticator(null);

  private Authenticator authenticator(List<String> algorithms) {
    AuthConfig.Jwt jwt =
        new AuthConfig.Jwt(SECRET_64, null, ISSUER, AUDIENCE, null, null, null, null, algorithms);
    return Authenticators.create(
        new AuthConfig(AuthConfig.Mode.JWT, null, null, jwt), false, clock);
  }

  private static String secret() {
    return SECRET_64;
  }

  @Test
  void aValidTokenIsItsSubject() {
    assertThat(authenticator.authenticate(Headers.bearer(hs256(secret(), claims(clock).build()))))
        .isEqualTo(new Principal(SUBJECT, "jwt"));
  }

  @Test
  void untypedTokensAndTheAccessTokenTypeOfRfc9068AreAcceptedOtherTypesAreNot() throws Exception {
    for (JOSEObjectType type :
        Arrays.asList(null, JOSEObjectType.JWT, new JOSEObjectType("at+jwt"))) {
      String token = typed(type);
      assertThat(authenticator.authenticate(Headers.bearer(token)).name())
          .as("typ %s", type)
          .isEqualTo(SUBJECT);
    }
    // A signed object that is not meant as a token of this kind, e.g. a logout token.
    assertRefused(typed(new JOSEObjectType("logout+jwt")), AuthFailure.Reason.INVALID);
  }

  private String typed(JOSEObjectType type) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(type).build(), claims(clock).build());
    jwt.sign(Tokens.macSigner(secret().getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  @Test
  void aTokenSignedWithAnotherSecretIsInvalid() {
    String forged = hs256("another-secret-that-is-also-long-enough-32+", claims(clock).build());
    assertRefused(forged, AuthFailure.Reason.INVALID);
  }

  @Test
  void aTokenWhoseClaimsWereChangedAfterSigningIsInvalid() {
    String genuine = hs256(secret(), claims(clock).build());
    String header = genuine.substring(0, genuine.indexOf('.'));
    String signature = genuine.substring(genuine.lastIndexOf('.') + 1);
    String tampered =
        Tokens.handMade(
            new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8),
            claims(clock).subject("admin").build().toString(),
            signature);
    assertRefused(tampered, AuthFailure.Reason.INVALID);
  }

  @Test
  void anExpiredTokenIsExpiredOnceTheClockSkewHasPassed() {
    String token =
        hs256(secret(), claims(clock).expirationTime(at(clock, Duration.ofSeconds(10))).build());
    assertThat(authenticator.authenticate(Headers.bearer(token)).name()).isEqualTo(SUBJECT);

    clock.advance(Duration.ofSeconds(10 + 59)); // past exp, within the default 60 s skew
    assertThat(authenticator.authenticate(Headers.bearer(token)).name()).isEqualTo(SUBJECT);

    clock.advance(Duration.ofSeconds(2));
    AuthFailure failure = assertRefused(token, AuthFailure.Reason.EXPIRED);
    assertThat(failure.getMessage()).contains("expired");
    assertThat(Authenticators.wwwAuthenticate(failure))
        .contains(
            "Bearer realm=\"avatar-gateway\", error=\"invalid_token\","
                + " error_description=\"The access token expired\"");
  }

  @Test
  void anExpiredForgedTokenIsInvalidNotExpired() {
    String forged =
        hs256(
            "another-secret-that-is-also-long-enough-32+",
            claims(clock).expirationTime(at(clock, Duration.ofHours(-1))).build());
    assertRefused(forged, AuthFailure.Reason.INVALID);
  }

  @Test
  void aTokenNotYetValidIsInvalidBeyondTheClockSkew() {
    String early =
        hs256(secret(), claims(clock).notBeforeTime(at(clock, Duration.ofSeconds(50))).build());
    assertThat(authenticator.authenticate(Headers.bearer(early)).name()).isEqualTo(SUBJECT);

    String future =
        hs256(secret(), claims(clock).notBeforeTime(at(clock, Duration.ofMinutes(2))).build());
    assertRefused(future, AuthFailure.Reason.INVALID);
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(authenticator.authenticate(Headers.bearer(future)).name()).isEqualTo(SUBJECT);
  }

  @Test
  void aTokenOfAnotherIssuerIsInvalid() {
    assertRefused(
        hs256(secret(), claims(clock).issuer("https://evil.example.com/").build()),
        AuthFailure.Reason.INVALID);
    assertRefused(
        hs256(secret(), claims(clock).issuer(ISSUER + "x").build()), AuthFailure.Reason.INVALID);
    assertRefused(hs256(secret(), claims(clock).issuer(null).build()), AuthFailure.Reason.INVALID);
  }

  @Test
  void aTokenForAnotherAudienceIsInvalid() {
    assertRefused(
        hs256(secret(), claims(clock).audience("another-api").build()), AuthFailure.Reason.INVALID);
    assertRefused(
        hs256(secret(), claims(clock).audience((String) null).build()), AuthFailure.Reason.INVALID);
  }

  @Test
  void oneOfSeveralAudiencesIsEnough() {
    String token =
        hs256(secret(), claims(clock).audience(List.of("another-api", AUDIENCE)).build());
    assertThat(authenticator.authenticate(Headers.bearer(token)).name()).isEqualTo(SUBJECT);
  }

  @Test
  void aTokenWithoutSubjectOrExpiryIsInvalid() {
    assertRefused(hs256(secret(), claims(clock).subject(null).build()), AuthFailure.Reason.INVALID);
    assertRefused(hs256(secret(), claims(clock).subject("  ").build()), AuthFailure.Reason.INVALID);
    assertRefused(
        hs256(secret(), claims(clock).expirationTime(null).build()), AuthFailure.Reason.INVALID);
  }

  @Test
  void unsignedTokensAreInvalidHoweverTheyAreSpelled() {
    String claims = claims(clock).build().toString();
    String genuine = hs256(secret(), claims(clock).build());
    String signature = genuine.substring(genuine.lastIndexOf('.') + 1);
    for (String header :
        List.of(
            "{\"alg\":\"none\",\"typ\":\"JWT\"}",
            "{\"alg\":\"none\"}",
            "{\"alg\":\"None\"}",
            "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
            "{\"typ\":\"JWT\"}")) {
      assertRefused(Tokens.handMade(header, claims, ""), AuthFailure.Reason.INVALID);
      assertRefused(Tokens.handMade(header, claims, signature), AuthFailure.Reason.INVALID);
    }
  }

  @Test
  void aTokenSignedWithAnRsaKeyIsInvalid() throws Exception {
    String rs256 =
        Tokens.sign(
            JWSAlgorithm.RS256, null, new RSASSASigner(Tokens.rsaKey("k")), claims(clock).build());
    assertRefused(rs256, AuthFailure.Reason.INVALID);
  }

  @Test
  void onlyTheConfiguredAlgorithmsAreAccepted() {
    byte[] secret = secret().getBytes(StandardCharsets.UTF_8);
    JWTClaimsSet claims = claims(clock).build();
    String hs512 = Tokens.sign(JWSAlgorithm.HS512, null, Tokens.macSigner(secret), claims);
    assertRefused(hs512, AuthFailure.Reason.INVALID);

    Authenticator both = authenticator(List.of("HS256", "HS512"));
    assertThat(both.authenticate(Headers.bearer(hs512)).name()).isEqualTo(SUBJECT);
  }

  @Test
  void malformedTokensAreInvalid() {
    String genuine = hs256(secret(), claims(clock).build());
    for (String token :
        List.of(
            "abc",
            "a.b.c",
            "..",
            genuine + ".extra.parts",
            genuine.substring(0, genuine.lastIndexOf('.')),
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
            Tokens.handMade("[1,2]", "{}", "x"),
            Tokens.handMade("{\"alg\":\"HS256\"}", "not json", "x"),
            Tokens.handMade("{\"alg\":\"HS256\"}", "{\"sub\":42,\"exp\":\"soon\"}", "x"),
            Tokens.handMade("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "{}", "x"))) {
      assertRefused(token, AuthFailure.Reason.INVALID);
    }
  }

  @Test
  void missingCredentialsAreMissing() {
    AuthFailure failure =
        catchThrowableOfType(AuthFailure.class, () -> authenticator.authenticate(Headers.none()));
    assertThat(failure.reason()).isEqualTo(AuthFailure.Reason.MISSING);
    assertThat(Authenticators.wwwAuthenticate(failure)).contains("Bearer realm=\"avatar-gateway\"");
    // An API key header means nothing in jwt mode.
    String token = hs256(secret(), claims(clock).build());
    failure =
        catchThrowableOfType(
            AuthFailure.class, () -> authenticator.authenticate(Headers.of("X-Api-Key", token)));
    assertThat(failure.reason()).isEqualTo(AuthFailure.Reason.MISSING);
  }

  private AuthFailure assertRefused(String token, AuthFailure.Reason reason) {
    AuthFailure failure =
        catchThrowableOfType(
            AuthFailure.class, () -> authenticator.authenticate(Headers.bearer(token)));
    assertThat(failure).as("token %s", token).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(failure.reason()).as("token %s", token).isEqualTo(reason);
    assertThat(failure.getMessage()).doesNotContain(token);
    assertThat(failure.getCause()).isNull();
    return failure;
  }
}
