package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.jwk.source.RateLimitedJWKSetSource;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code mode: jwt}, with nimbus-jose-jwt. A token passes when it is a JWS (never {@code alg:
 * none}, never encrypted) whose {@code alg} is one of the configured algorithms, whose signature
 * verifies with the secret or a key of the JWKS, and whose claims hold {@code iss} (exactly the
 * configured issuer), {@code aud} (containing the configured audience), {@code sub}, and {@code
 * exp} in the future and {@code nbf} (if any) in the past, both within the clock skew. nimbus
 * checks the signature before the claims, so "expired" is only ever said of a genuine token.
 *
 * <p>Algorithm confusion cannot happen: the key selector gives keys only for the configured
 * algorithms, the configuration allows HMAC algorithms only with a secret and public-key algorithms
 * only with a JWKS, and a JWKS key is only used for its own key type.
 */
final class JwtAuthenticator implements Authenticator {
  static final String SCHEME = "jwt";

  /**
   * {@code typ} values accepted: none (most issuers send none), {@code JWT}, and RFC 9068's
   * access-token type. Other types (a logout token, an ID token typed as such) are other things.
   */
  private static final Set<JOSEObjectType> TYPES =
      Collections.unmodifiableSet(
          new HashSet<>(Arrays.asList(null, JOSEObjectType.JWT, new JOSEObjectType("at+jwt"))));

  /** Without these a token is refused; {@code nbf} is checked when present. */
  private static final Set<String> REQUIRED_CLAIMS = Set.of("iss", "aud", "sub", "exp");

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final MonitoredJwkSetSource jwks; // null with a shared secret
  private final String description;

  private JwtAuthenticator(
      JWKSource<SecurityContext> keys,
      MonitoredJwkSetSource jwks,
      AuthConfig.Jwt config,
      Clock clock,
      String description) {
    this.jwks = jwks;
    this.description = description;
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    for (String name : config.acceptedAlgorithms()) {
      algorithms.add(JWSAlgorithm.parse(name));
    }
    processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPES));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    ClockedClaimsVerifier claims =
        new ClockedClaimsVerifier(
            Set.of(config.audience()),
            new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
            REQUIRED_CLAIMS,
            clock);
    claims.setMaxClockSkew(roundUpToSeconds(config.clockSkew()));
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** Builds the authenticator for a validated configuration. */
  static JwtAuthenticator create(AuthConfig.Jwt config, Clock clock) {
    if (config.hs256Secret() != null) {
      return new JwtAuthenticator(
          new ImmutableSecret<>(config.hs256Secret().getBytes(StandardCharsets.UTF_8)),
          null,
          config,
          clock,
          "jwt " + config.acceptedAlgorithms() + " with a shared secret");
    }
    String url = AuthConfig.Jwt.loggableUrl(config.jwksUrl());
    MonitoredJwkSetSource fetched;
    try {
      fetched =
          new MonitoredJwkSetSource(
              new URLBasedJWKSetSource<>(
                  config.jwksUrl().toURL(), new JwksRetriever(config.jwksRefreshTimeout())),
              url);
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("auth.jwt.jwksUrl is not a URL", e);
    }
    // The order of nimbus' JWKSourceBuilder: the rate limiter below the cache, so that it bounds
    // real fetches only. Built by hand so that the chain runs on the injected clock.
    var cached =
        new CachingJWKSetSource<>(
            new RateLimitedJWKSetSource<>(
                fetched, config.jwksMinRefetchInterval().toMillis(), null),
            config.jwksCacheTtl().toMillis(),
            config.jwksRefreshTimeout().toMillis(),
            null);
    return new JwtAuthenticator(
        new ClockedJwkSource(cached, clock),
        fetched,
        config,
        clock,
        "jwt " + config.acceptedAlgorithms() + " with keys from " + url);
  }

  @Override
  public Principal authenticate(RequestHeaders headers) {
    String token =
        Credentials.bearer(headers).orElseThrow(() -> new AuthFailure(AuthFailure.Reason.MISSING));
    JWTClaimsSet claims;
    try {
      claims = processor.process(SignedJWT.parse(token), null);
    } catch (ExpiredJWTException e) {
      throw new AuthFailure(AuthFailure.Reason.EXPIRED);
    } catch (KeySourceException e) {
      throw keyFailure(e);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw new AuthFailure(AuthFailure.Reason.INVALID);
    } catch (RuntimeException e) {
      // Whatever else parsing an attacker's text may throw is still a bad token, not a 500.
      throw new AuthFailure(AuthFailure.Reason.INVALID);
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new AuthFailure(AuthFailure.Reason.INVALID);
    }
    return new Principal(subject, SCHEME);
  }

  /**
   * No keys: while fetching fails, the token may well be good; otherwise only the rate limiter said
   * no to a fetch for a {@code kid} that is not in the set, which is a bad token.
   */
  private AuthFailure keyFailure(KeySourceException e) {
    boolean unknownKid =
        e instanceof RateLimitReachedException && (jwks == null || !jwks.failing());
    return new AuthFailure(
        unknownKid ? AuthFailure.Reason.INVALID : AuthFailure.Reason.KEYS_UNAVAILABLE);
  }

  @Override
  public String toString() {
    return description;
  }

  private static int roundUpToSeconds(Duration duration) {
    long seconds = duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0);
    return Math.toIntExact(seconds);
  }

  /** nimbus' claims checks, on the injected clock. */
  private static final class ClockedClaimsVerifier
      extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final Clock clock;

    ClockedClaimsVerifier(
        Set<String> audience, JWTClaimsSet exactMatch, Set<String> required, Clock clock) {
      super(audience, exactMatch, required, null);
      this.clock = clock;
    }

    @Override
    @SuppressWarnings("JavaUtilDate") // nimbus' hook returns a Date
    protected Date currentTime() {
      return Date.from(clock.instant());
    }
  }
}
