package dev.avatargateway.gateway.core.internal.auth;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link Authenticator} for an {@link AuthConfig}, and says which {@code
 * WWW-Authenticate} challenge goes with a refusal.
 *
 * <p>Every refusal is a {@link GatewayException} with {@link ErrorCode#UNAUTHENTICATED} and one of
 * a few fixed sentences: credentials missing, credentials not valid, token expired, credentials in
 * two headers, or keys unavailable (the issuer's JWKS could not be fetched). None quotes what the
 * caller sent.
 */
public final class Authenticators {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticators.class);

  private static final Principal ANONYMOUS = new Principal(Principal.ANONYMOUS, "none");

  private Authenticators() {}

  /**
   * The authenticator for a configuration, on the system clock. Validates the configuration first;
   * logs the mode in one line (one WARN line when {@code none} runs against the real Runway API).
   *
   * @param simulatedUpstream whether the gateway talks to the in-process simulator rather than to
   *     Runway with a real secret
   * @throws ConfigException when the configuration is not valid (see {@link
   *     AuthConfig#validate(boolean)})
   */
  public static Authenticator create(AuthConfig config, boolean simulatedUpstream) {
    return create(config, simulatedUpstream, Clock.systemUTC());
  }

  /**
   * As {@link #create(AuthConfig, boolean)}, with the clock that decides whether a JWT has expired
   * or is not yet valid, and when cached JWKS keys are fetched again.
   */
  public static Authenticator create(AuthConfig config, boolean simulatedUpstream, Clock clock) {
    config.validate(simulatedUpstream);
    Authenticator authenticator =
        switch (config.mode()) {
          case NONE -> headers -> ANONYMOUS;
          case API_KEY -> new ApiKeyAuthenticator(config.apiKeys());
          case JWT -> JwtAuthenticator.create(config.jwt(), clock);
        };
    if (config.mode() == AuthConfig.Mode.NONE && !simulatedUpstream) {
      LOG.warn(
          "Authentication is off (auth.mode: none, auth.allowUnauthenticatedWithRealRunway:"
              + " true) while the gateway uses a real Runway secret: unauthenticated callers can"
              + " start avatar sessions and spend your Runway credits");
    } else if (config.mode() == AuthConfig.Mode.NONE) {
      LOG.info("Authentication is off (auth.mode: none); the upstream is simulated");
    } else {
      LOG.info("Authentication: {}", authenticator);
    }
    return authenticator;
  }

  /**
   * The admins' authenticator ({@code auth.admin.apiKeys}, compared as {@code mode: api-key}
   * compares keys), whose principals have the scheme {@code admin}; empty when no admin key is
   * configured. Call after {@link AuthConfig#validate(boolean)}.
   */
  public static Optional<Authenticator> admin(AuthConfig config) {
    if (config.admin().apiKeys().isEmpty()) {
      return Optional.empty();
    }
    ApiKeyAuthenticator keys = new ApiKeyAuthenticator(config.admin().apiKeys());
    return Optional.of(headers -> new Principal(keys.authenticate(headers).name(), "admin"));
  }

  /**
   * The {@code WWW-Authenticate} value to answer with a refusal (RFC 7235 §3.1 requires one on
   * every 401): {@code Bearer realm="avatar-gateway"} when credentials were missing, plus {@code
   * error="invalid_token"} when they were not valid, and {@code error_description="The access token
   * expired"} when the token expired (RFC 6750 §3). Both {@code api-key} and {@code jwt} take their
   * credentials as a Bearer token; {@code none} refuses nobody.
   *
   * @return empty unless the failure's code is {@link ErrorCode#UNAUTHENTICATED}
   */
  public static Optional<String> wwwAuthenticate(GatewayException failure) {
    if (failure.code() != ErrorCode.UNAUTHENTICATED) {
      return Optional.empty();
    }
    return Optional.of(
        failure instanceof AuthFailure auth ? auth.challenge() : AuthFailure.plainChallenge());
  }
}
