package dev.avatargateway.gateway.core.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The factory's mode handling and log lines, and the WWW-Authenticate helper. */
class AuthenticatorsTest {
  private final LogCapture logs = new LogCapture();

  @AfterEach
  void closeLogs() {
    logs.close();
  }

  @Test
  void noneMakesEveryCallerAnonymous() {
    Authenticator none = Authenticators.create(AuthConfig.defaults(), true);
    Principal principal = none.authenticate(Headers.none());
    assertThat(principal).isEqualTo(new Principal(Principal.ANONYMOUS, "none"));
    assertThat(principal.isAnonymous()).isTrue();
    assertThat(none.authenticate(Headers.bearer("whatever"))).isEqualTo(principal);
    assertThat(logs.messages(Level.WARN)).isEmpty();
  }

  @Test
  void noneWithARealSecretIsRefusedAtCreation() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> Authenticators.create(AuthConfig.defaults(), false));
    assertThat(e.setting()).isEqualTo("auth.mode");
  }

  @Test
  void noneWithARealSecretAndTheOptInLogsOneWarning() {
    Authenticator none = Authenticators.create(new AuthConfig(null, true, null, null), false);
    assertThat(none.authenticate(Headers.none()).isAnonymous()).isTrue();
    assertThat(logs.messages(Level.WARN))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("unauthenticated callers", "spend your Runway credits");
  }

  @Test
  void theModeIsLoggedWithoutSecrets() {
    String key = "k_0123456789abcdef";
    Authenticators.create(
        new AuthConfig(
            AuthConfig.Mode.API_KEY, null, List.of(new AuthConfig.ApiKey("a", key, null)), null),
        false);
    Authenticators.create(
        new AuthConfig(
            AuthConfig.Mode.JWT,
            null,
            null,
            new AuthConfig.Jwt(Tokens.SECRET, null, "iss", "aud", null, null, null, null, null)),
        false);
    assertThat(logs.messages(Level.INFO)).hasSize(2);
    assertThat(String.join("\n", logs.messages()))
        .contains("api-key", "HS256")
        .doesNotContain(key, Tokens.SECRET);
  }

  @Test
  void everyRefusalHasItsChallenge() {
    String realm = "Bearer realm=\"avatar-gateway\"";
    assertThat(challenge(AuthFailure.Reason.MISSING)).isEqualTo(realm);
    assertThat(challenge(AuthFailure.Reason.INVALID))
        .isEqualTo(realm + ", error=\"invalid_token\"");
    assertThat(challenge(AuthFailure.Reason.EXPIRED))
        .isEqualTo(
            realm + ", error=\"invalid_token\", error_description=\"The access token expired\"");
    assertThat(challenge(AuthFailure.Reason.AMBIGUOUS))
        .isEqualTo(realm + ", error=\"invalid_request\"");
    AuthFailure unavailable = new AuthFailure(AuthFailure.Reason.KEYS_UNAVAILABLE);
    assertThat(unavailable.code()).isEqualTo(ErrorCode.AUTH_UNAVAILABLE);
    assertThat(unavailable.code().status()).isEqualTo(503);
    assertThat(Authenticators.wwwAuthenticate(unavailable)).isEmpty();

    assertThat(
            Authenticators.wwwAuthenticate(new GatewayException(ErrorCode.UNAUTHENTICATED, "No.")))
        .contains(realm);
    assertThat(Authenticators.wwwAuthenticate(new GatewayException(ErrorCode.FORBIDDEN, "No.")))
        .isEmpty();
  }

  @Test
  void refusalsAreDistinctPlainSentences() {
    List<String> messages =
        java.util.Arrays.stream(AuthFailure.Reason.values())
            .map(reason -> new AuthFailure(reason).getMessage())
            .toList();
    assertThat(messages).doesNotHaveDuplicates().allMatch(m -> m.endsWith("."));
    assertThat(new AuthFailure(AuthFailure.Reason.INVALID).code())
        .isEqualTo(ErrorCode.UNAUTHENTICATED);
  }

  private static String challenge(AuthFailure.Reason reason) {
    return Authenticators.wwwAuthenticate(new AuthFailure(reason)).orElseThrow();
  }
}
