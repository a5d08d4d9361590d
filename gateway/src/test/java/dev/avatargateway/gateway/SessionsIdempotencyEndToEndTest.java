package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on {@code POST /api/avatar/sessions} over real HTTP, against a real
 * gateway and its embedded simulator: the key stands for the start's {@code 202}, stored when the
 * start is accepted.
 */
class SessionsIdempotencyEndToEndTest {
  private static final String SESSIONS = "/api/avatar/sessions";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String INFLUENCER = "{\"avatarId\":\"influencer\"}";
  private static final String KEY_HEADER = "Idempotency-Key";

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start(String yaml) {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST + yaml);
  }

  private long creates() {
    return gateway.upstream().stats().count(Route.CREATE);
  }

  private List<EventStream.Event> events(String id) {
    try (EventStream stream = EventStream.open(gateway, SESSIONS + "/" + id + "/events")) {
      return stream.rest();
    }
  }

  @Test
  void aRepeatGetsTheSame202AndIdAndStartsNothing() {
    start("");
    String key = UUID.randomUUID().toString();

    GatewayHarness.Response first = gateway.postJson(SESSIONS, CAT, KEY_HEADER, key);
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    String id = first.json().get("id").asString();
    List<EventStream.Event> events = events(id);
    assertThat(events.getLast().name()).isEqualTo("credentials");

    GatewayHarness.Response repeat = gateway.postJson(SESSIONS, CAT, KEY_HEADER, key);

    assertThat(repeat.status()).isEqualTo(202);
    assertThat(repeat.body()).isEqualTo(first.body());
    assertThat(repeat.json().get("id").asString()).isEqualTo(id);
    assertThat(repeat.header("Location")).isEqualTo(first.header("Location"));
    assertThat(repeat.header("Location")).isEqualTo(SESSIONS + "/" + id);
    assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(creates()).isEqualTo(1);
    // The repeat's stream is the first start's: the credentials went out once, so only its state.
    assertThat(events(id)).extracting(EventStream.Event::name).endsWith("state");
    assertThat(gateway.get(SESSIONS).json().get("sessions")).hasSize(1);
  }

  @Test
  void theSameKeyWithAnotherBodyOrOnConnectIs422AndStartsNothing() {
    start("");
    String key = UUID.randomUUID().toString();
    GatewayHarness.Response first = gateway.postJson(SESSIONS, CAT, KEY_HEADER, key);
    assertThat(first.status()).isEqualTo(202);
    events(first.json().get("id").asString());

    GatewayHarness.Response otherBody = gateway.postJson(SESSIONS, INFLUENCER, KEY_HEADER, key);
    // The same key and body on the other starting endpoint is another request too.
    GatewayHarness.Response onConnect =
        gateway.postJson("/api/avatar/connect", CAT, KEY_HEADER, key);

    for (GatewayHarness.Response reused : List.of(otherBody, onConnect)) {
      assertThat(reused.status()).isEqualTo(422);
      assertThat(reused.code()).isEqualTo("idempotency_key_reused");
    }
    assertThat(creates()).isEqualTo(1);
  }

  @Test
  void aRepeatWhileTheFirstIsNotYetAcceptedIs409AndAFailureBeforeAcceptanceFreesTheKey()
      throws Exception {
    String custom = "3f0b7a52-9c1e-4b5e-8f43-2d6a1c9e7b10";
    // The custom avatar's check upstream runs after the key is claimed and before the start is
    // accepted: hanging it holds the first start there until its deadline.
    start("avatars:\n  allowedCustom: [" + custom + "]\nconnect:\n  deadline: 2s\n");
    gateway
        .upstream()
        .injectFault(FaultRule.builder().route(Route.AVATAR_RETRIEVE).hang().times(1).build());
    String body = "{\"customAvatarId\":\"" + custom + "\"}";
    String key = UUID.randomUUID().toString();
    ExecutorService clients = Executors.newFixedThreadPool(5);
    try {
      CompletableFuture<GatewayHarness.Response> first =
          CompletableFuture.supplyAsync(
              () -> gateway.postJson(SESSIONS, body, KEY_HEADER, key), clients);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gateway.upstream().stats().count(Route.AVATAR_RETRIEVE) == 1);

      List<CompletableFuture<GatewayHarness.Response>> repeats = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        repeats.add(
            CompletableFuture.supplyAsync(
                () -> gateway.postJson(SESSIONS, body, KEY_HEADER, key), clients));
      }
      for (CompletableFuture<GatewayHarness.Response> repeat : repeats) {
        GatewayHarness.Response r = repeat.get();
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("idempotency_key_in_use");
        assertThat(r.header("Retry-After")).isEqualTo("2");
      }

      // The first was never accepted (its check timed out): no 202 was stored, the key is free.
      GatewayHarness.Response answered = first.get();
      assertThat(answered.status()).as(answered.body()).isNotEqualTo(202);
      GatewayHarness.Response again = gateway.postJson(SESSIONS, body, KEY_HEADER, key);
      assertThat(again.code()).isNotEqualTo("idempotency_key_in_use");
      assertThat(again.code()).isEqualTo("avatar_not_found");
      assertThat(creates()).isZero();
    } finally {
      clients.shutdownNow();
    }
  }
}
