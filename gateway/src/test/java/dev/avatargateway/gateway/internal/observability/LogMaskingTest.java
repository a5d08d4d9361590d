package dev.avatargateway.gateway.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogMaskingTest {
  @Test
  void masksEachSecretShapeInsideText() {
    String key = Secrets.runwayKey();
    String sessionKey = Secrets.sessionKey();
    String jwt = Secrets.jwt();

    assertThat(LogMasking.mask("RUNWAYML_API_SECRET is " + key + ", see"))
        .isEqualTo("RUNWAYML_API_SECRET is ****, see");
    assertThat(LogMasking.mask("consume with " + sessionKey)).isEqualTo("consume with ****");
    assertThat(LogMasking.mask("token " + jwt + ".")).isEqualTo("token ****.");
    assertThat(LogMasking.mask("Authorization: Bearer " + jwt)).isEqualTo("Authorization: ****");
    assertThat(LogMasking.mask("header bearer some-opaque-thing; next"))
        .isEqualTo("header bearer ****; next");
  }

  @Test
  void textWithoutAnySecretShapeIsReturnedAsItIs() {
    String plain =
        "connect finished cat-character 200 ok 1234 ms 3fa85f64-5717-4562-b3fc-2c963f66afa6";

    assertThat(LogMasking.mayHoldPatternSecret(plain)).isFalse();
    assertThat(LogMasking.mask(plain)).isSameAs(plain);
    // Every shape the regex masks starts with a word the quick check looks for, in any case.
    for (String shaped :
        new String[] {
          Secrets.runwayKey(),
          Secrets.sessionKey(),
          Secrets.jwt(),
          "BEARER x",
          "AUTHORIZATION: x",
          "livekitTOKEN=x",
          "client_Secret=x",
          "PassWord=x",
          "API-KEY=x",
          "Session_Key=x"
        }) {
      assertThat(LogMasking.mayHoldPatternSecret("a " + shaped + " b")).as(shaped).isTrue();
      assertThat(LogMasking.mask("a " + shaped + " b")).as(shaped).contains(LogMasking.MASK);
    }
  }

  @Test
  void keepsThePrefixThatSaysWhatWasMasked() {
    assertThat(LogMasking.mask("Bearer abc.def")).isEqualTo("Bearer ****");
    assertThat(LogMasking.mask("authorization=Basic dXNlcjpwYXNz&x=1"))
        .isEqualTo("authorization=****&x=1");
    assertThat(LogMasking.mask("Authorization: Basic dXNlcjpwYXNz"))
        .isEqualTo("Authorization: ****");
    assertThat(LogMasking.mask("Params{livekitToken=abc123, room=r}"))
        .isEqualTo("Params{livekitToken=****, room=r}");
    assertThat(LogMasking.mask("{\"apiKey\":\"gw-123\",\"n\":1}"))
        .isEqualTo("{\"apiKey\":\"****\",\"n\":1}");
    assertThat(LogMasking.mask("session_key = s3cr3t password=hunter2 client_secret=x"))
        .isEqualTo("session_key = **** password=**** client_secret=****");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rate limited: token bucket for principal alice is empty",
        "avatar_not_allowed: cat-character is not on the allow-list",
        "Invalid setting auth.jwt.secret: must be at least 32 bytes",
        "connect finished",
        "session 0f8e7c1a-2b3c-4d5e-8f90-123456789abc is READY",
        "tokens: 5, maxTokens: 10",
        "dev.avatargateway.gateway.core.internal.connect.ConnectUseCase"
      })
  void leavesOrdinaryTextAlone(String text) {
    assertThat(LogMasking.mask(text)).isSameAs(text);
  }

  @Test
  void nullAndEmptyPassThrough() {
    assertThat(LogMasking.mask(null)).isNull();
    assertThat(LogMasking.mask("")).isEmpty();
  }

  @Test
  void masksRegisteredSecretsWhateverTheirShape() {
    String gatewayKey = "plain" + Secrets.opaque().substring("opaque-".length());
    assertThat(LogMasking.mask("got " + gatewayKey)).contains(gatewayKey);

    LogMasking.registerSecret(gatewayKey);
    LogMasking.registerSecret(gatewayKey);

    assertThat(LogMasking.mask("got " + gatewayKey + " twice: " + gatewayKey))
        .isEqualTo("got **** twice: ****");
  }

  @Test
  void ignoresRegisteredValuesTooShortToBeSecrets() {
    LogMasking.registerSecret("abc");
    assertThat(LogMasking.mask("abc abc")).isEqualTo("abc abc");
    assertThatThrownBy(() -> LogMasking.registerSecret(null))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "authorization",
        "Authorization",
        "token",
        "livekitToken",
        "access_token",
        "sessionKey",
        "session_key",
        "apiKey",
        "x-api-key",
        "secret",
        "RUNWAYML_API_SECRET",
        "client.secret",
        "password"
      })
  void recognisesSecretFieldNames(String name) {
    assertThat(LogMasking.isSecretFieldName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "requestId",
        "principal",
        "avatarId",
        "avatarType",
        "upstreamSessionId",
        "outcome",
        "code",
        "failureCode",
        "timeToReadyMs",
        "totalMs",
        "upstreamRequests",
        "queued",
        "tokens",
        "message",
        "stack_trace"
      })
  void leavesOrdinaryFieldNamesAlone(String name) {
    assertThat(LogMasking.isSecretFieldName(name)).isFalse();
  }
}
