package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The answers' exact bytes: every adapter answers through {@link JsonAnswers}, and an idempotent
 * start replays what it stored, so the members' order and the headers are part of the contract
 * (docs/errors.md, docs/sessions.md).
 */
class JsonAnswersTest {
  private final JsonAnswers answers = new JsonAnswers("/api/avatar/sessions");

  @Test
  void aConnectsAnswerIsItsMembersInTheDocumentedOrder() {
    RenderedAnswer credentials =
        answers.success(new ConnectResult.Credentials("s-1", "wss://lk.example", "tok", "room-1"));
    RenderedAnswer key =
        answers.success(
            new ConnectResult.SessionKey("s-2", "key-2", Optional.of("https://runway.example")));

    assertThat(credentials.status()).isEqualTo(200);
    assertThat(credentials.json())
        .isEqualTo(
            "{\"sessionId\":\"s-1\",\"serverUrl\":\"wss://lk.example\",\"token\":\"tok\","
                + "\"roomName\":\"room-1\"}");
    assertThat(credentials.headers()).isEmpty();
    assertThat(key.json())
        .isEqualTo(
            "{\"sessionId\":\"s-2\",\"sessionKey\":\"key-2\",\"baseUrl\":\"https://runway.example\"}");
  }

  @Test
  void anErrorCarriesItsStatusCodeRequestIdDetailsAndRetryAfterRoundedUp() {
    GatewayException e =
        new GatewayException(
            ErrorCode.RATE_LIMITED,
            "Too many connects.",
            Duration.ofMillis(1_200),
            Map.of("limit", "perPrincipal"),
            null);

    RenderedAnswer answer = answers.failure(e, "req-9");

    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.json())
        .isEqualTo(
            "{\"error\":\"Too many connects.\",\"code\":\"rate_limited\",\"requestId\":\"req-9\","
                + "\"limit\":\"perPrincipal\"}");
    assertThat(answer.headers()).containsExactly(Map.entry("Retry-After", "2"));
    assertThat(JsonAnswers.errorBody(ErrorCode.UNAUTHENTICATED, "Log in first.", "req-1"))
        .containsExactly(
            Map.entry("error", "Log in first."),
            Map.entry("code", "unauthenticated"),
            Map.entry("requestId", "req-1"));
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
    assertThat(JsonAnswers.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
    assertThat(JsonAnswers.retryAfterSeconds(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(JsonAnswers.retryAfterSeconds(Duration.ofSeconds(5))).isEqualTo(5);
    assertThat(JsonAnswers.retryAfterSeconds(Duration.ofMillis(5_001))).isEqualTo(6);
  }

  @Test
  void anAsynchronousStartPointsUnderTheSessionsPathGiven() {
    RenderedAnswer started = new JsonAnswers("/app/sessions").started("g-7");

    assertThat(started.status()).isEqualTo(202);
    assertThat(started.json())
        .isEqualTo("{\"id\":\"g-7\",\"events\":\"/app/sessions/g-7/events\"}");
    assertThat(started.headers()).containsExactly(Map.entry("Location", "/app/sessions/g-7"));
  }
}
