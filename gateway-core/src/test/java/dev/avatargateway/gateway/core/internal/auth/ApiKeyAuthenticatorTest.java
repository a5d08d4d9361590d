package dev.avatargateway.gateway.core.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mode: api-key} over real SHA-256 digests. */
class ApiKeyAuthenticatorTest {
  private static final String ALICE_KEY = "ak_alice_7f3c9e1b2d4a6f80";
  private static final String BOB_KEY = "ak_bob_0a1b2c3d4e5f6a7b8c";
  private static final String CAROL_KEY = "ak_carol_9d8c7b6a5f4e3d2c";

  private final Authenticator authenticator =
      Authenticators.create(
          new AuthConfig(
              AuthConfig.Mode.API_KEY,
              null,
              List.of(
                  new AuthConfig.ApiKey("alice", ALICE_KEY, null),
                  new AuthConfig.ApiKey("bob", BOB_KEY, null),
                  // Carol's key is configured by its hash only.
                  new AuthConfig.ApiKey(
                      "carol", null, HexFormat.of().formatHex(Digests.sha256(CAROL_KEY)))),
              null),
          false);

  @Test
  void theRightKeyAsBearerTokenIsTheKeysPrincipal() {
    assertThat(authenticator.authenticate(Headers.bearer(ALICE_KEY)))
        .isEqualTo(new Principal("alice", "api-key"));
    assertThat(authenticator.authenticate(Headers.bearer(BOB_KEY)))
        .isEqualTo(new Principal("bob", "api-key"));
  }

  @Test
  void theKeyIsAlsoAcceptedAsXApiKey() {
    assertThat(authenticator.authenticate(Headers.of("x-api-key", BOB_KEY)).name())
        .isEqualTo("bob");
  }

  @Test
  void aKeyConfiguredByItsSha256IsAccepted() {
    assertThat(authenticator.authenticate(Headers.bearer(CAROL_KEY)).name()).isEqualTo("carol");
    assertThat(authenticator.authenticate(Headers.of("X-Api-Key", CAROL_KEY)).name())
        .isEqualTo("carol");
  }

  @Test
  void theBearerSchemeIsCaseInsensitiveAndSpacesAroundTheKeyDoNotCount() {
    assertThat(authenticator.authenticate(Headers.of("Authorization", "bearer   " + ALICE_KEY)))
        .extracting(Principal::name)
        .isEqualTo("alice");
    assertThat(authenticator.authenticate(Headers.of("authorization", "BEARER " + ALICE_KEY + " ")))
        .extracting(Principal::name)
        .isEqualTo("alice");
  }

  @Test
  void aWrongKeyIsInvalid() {
    for (String wrong :
        List.of(
            "ak_mallory_0000000000000",
            ALICE_KEY + "x",
            ALICE_KEY.substring(1),
            ALICE_KEY.toUpperCase(java.util.Locale.ROOT),
            HexFormat.of().formatHex(Digests.sha256(CAROL_KEY)))) {
      assertRefused(Headers.bearer(wrong), AuthFailure.Reason.INVALID, wrong);
      assertRefused(Headers.of("X-Api-Key", wrong), AuthFailure.Reason.INVALID, wrong);
    }
  }

  @Test
  void noKeyOrAnotherSchemeIsMissingCredentials() {
    assertRefused(Headers.none(), AuthFailure.Reason.MISSING, null);
    assertRefused(
        Headers.of("Authorization", "Basic YWxpY2U6c2VjcmV0"), AuthFailure.Reason.MISSING, null);
    assertRefused(Headers.of("X-Api-Key", "   "), AuthFailure.Reason.MISSING, null);
    assertRefused(Headers.of("Authorization", ""), AuthFailure.Reason.MISSING, null);
  }

  @Test
  void aBearerHeaderWithoutTokenIsInvalid() {
    assertRefused(Headers.of("Authorization", "Bearer"), AuthFailure.Reason.INVALID, null);
    assertRefused(Headers.of("Authorization", "Bearer   "), AuthFailure.Reason.INVALID, null);
  }

  @Test
  void aKeyInBothHeadersIsRefusedEvenWhenBothAreRight() {
    assertRefused(
        Headers.of("Authorization", "Bearer " + ALICE_KEY, "X-Api-Key", ALICE_KEY),
        AuthFailure.Reason.AMBIGUOUS,
        ALICE_KEY);
  }

  @Test
  void aBasicAuthorizationHeaderDoesNotHideAnXApiKey() {
    assertThat(
            authenticator
                .authenticate(
                    Headers.of("Authorization", "Basic Zm9vOmJhcg==", "X-Api-Key", BOB_KEY))
                .name())
        .isEqualTo("bob");
  }

  @Test
  void itsDescriptionHoldsNoKey() {
    assertThat(authenticator.toString()).doesNotContain(ALICE_KEY, BOB_KEY, CAROL_KEY);
  }

  private void assertRefused(RequestHeaders headers, AuthFailure.Reason reason, String presented) {
    GatewayException e =
        catchThrowableOfType(GatewayException.class, () -> authenticator.authenticate(headers));
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
    assertThat(e).isInstanceOf(AuthFailure.class);
    assertThat(((AuthFailure) e).reason()).isEqualTo(reason);
    if (presented != null) {
      assertThat(e.getMessage()).doesNotContain(presented);
    }
  }
}
