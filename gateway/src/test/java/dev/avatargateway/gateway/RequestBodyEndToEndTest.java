package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.internal.observability.LogCapture;
import dev.avatargateway.simulator.DelayDistribution;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bodies that never arrive whole, over raw sockets: a client that gives up halfway (or breaks the
 * chunked framing) gets 400 {@code incomplete_body}, one that stops sending or trickles gets 408
 * {@code request_timeout} once {@code server.bodyReadTimeout} has passed. Either way the answer is
 * the usual JSON error, the log has one line for it and no stack trace, and no upstream session is
 * started. No assertion depends on how long anything took.
 */
class RequestBodyEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";

  /** Announces 100 bytes; the tests send fewer. */
  private static final String HEAD =
      "POST "
          + CONNECT
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n";

  private static final String PART_OF_A_BODY = "{\"avatarId\":";

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      assertThat(gateway.upstream().sessions()).isEmpty();
      gateway.closeAssertingNothingLeaked();
    }
  }

  @Test
  void aBodyCutOffByTheClientIs400IncompleteBody() {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST);

    try (LogCapture logs = LogCapture.start();
        RawHttp http = RawHttp.connect(gateway)) {
      RawHttp.Answer answer = http.send(HEAD + PART_OF_A_BODY).stopSending().read();

      assertThat(answer.status()).isEqualTo(400);
      assertIsAJsonError(answer, "incomplete_body");
      assertThat(http.closedByServer()).isTrue();
      assertOneLineWithoutStackTrace(logs, "incomplete_body");
    }
  }

  @Test
  void aClientThatClosesMidBodyEndsAsIncompleteBody() {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST);

    try (LogCapture logs = LogCapture.start()) {
      try (RawHttp http = RawHttp.connect(gateway)) {
        http.send(HEAD + PART_OF_A_BODY);
      }

      // Nobody is left to read the answer; the log says how the request ended.
      await().atMost(Duration.ofSeconds(10)).until(() -> !logs.lines().isEmpty());
      assertOneLineWithoutStackTrace(logs, "incomplete_body");
    }
  }

  @Test
  void aChunkedBodyWhoseFramingIsBrokenIs400IncompleteBody() {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST);

    try (LogCapture logs = LogCapture.start();
        RawHttp http = RawHttp.connect(gateway)) {
      RawHttp.Answer answer =
          http.send(
                  "POST "
                      + CONNECT
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
              .read();

      assertThat(answer.status()).isEqualTo(400);
      assertIsAJsonError(answer, "incomplete_body");
      assertOneLineWithoutStackTrace(logs, "incomplete_body");
    }
  }

  @Test
  void aStalledBodyIs408AfterTheReadTimeout() {
    gateway =
        GatewayHarness.start(ConnectEndToEndTest.FAST + "server:\n  bodyReadTimeout: 200ms\n");

    try (LogCapture logs = LogCapture.start();
        RawHttp http = RawHttp.connect(gateway)) {
      RawHttp.Answer answer = http.send(HEAD + PART_OF_A_BODY).read();

      assertThat(answer.status()).isEqualTo(408);
      assertIsAJsonError(answer, "request_timeout");
      assertThat(answer.header("Connection")).isEqualTo("close");
      assertThat(http.closedByServer()).isTrue();
      assertOneLineWithoutStackTrace(logs, "request_timeout");
    }
  }

  @Test
  void theTimeoutBoundsTheWholeBodyNotEachRead() throws Exception {
    gateway =
        GatewayHarness.start(ConnectEndToEndTest.FAST + "server:\n  bodyReadTimeout: 500ms\n");

    try (RawHttp http = RawHttp.connect(gateway)) {
      http.send(HEAD);
      // One byte every 100 ms: never quiet for the whole timeout, but 100 bytes take 10 s.
      AtomicBoolean answered = new AtomicBoolean();
      CompletableFuture<Void> trickle =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 100 && !answered.get(); i++) {
                  try {
                    http.send(" ");
                    Thread.sleep(100);
                  } catch (RuntimeException | InterruptedException e) {
                    return; // the gateway closed the connection: the answer has come
                  }
                }
              });
      RawHttp.Answer answer = http.read();
      answered.set(true);
      trickle.get();

      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.code()).isEqualTo("request_timeout");
    }
  }

  @Test
  void aShortReadTimeoutDoesNotCutConnectsThatWaitLongerForTheirSession() {
    gateway =
        GatewayHarness.start(ConnectEndToEndTest.FAST + "server:\n  bodyReadTimeout: 100ms\n");
    // Far longer than the body's budget: the connection's usual time-out must be back.
    gateway.upstream().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(2)));

    GatewayHarness.Response response =
        gateway.postJson(CONNECT, "{\"avatarId\":\"cat-character\"}");

    assertThat(response.status()).as(response.body()).isEqualTo(200);
    gateway.close();
    gateway = null;
  }

  private static void assertIsAJsonError(RawHttp.Answer answer, String code) {
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    JsonNode body = answer.json();
    assertThat(body.propertyNames()).containsExactly("error", "code", "requestId");
    assertThat(body.get("code").asString()).isEqualTo(code);
    assertThat(body.get("error").asString()).isNotBlank();
    assertThat(body.get("requestId").asString()).isEqualTo(answer.header("X-Request-Id"));
    assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
    assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  /** The request is logged as one line, INFO or WARN, naming the code, with no stack trace. */
  private static void assertOneLineWithoutStackTrace(LogCapture logs, String code) {
    List<JsonNode> events = logs.events();
    assertThat(events).as(logs.text()).hasSize(1);
    JsonNode line = events.getFirst();
    assertThat(line.get("level").asString()).isIn("INFO", "WARN");
    assertThat(line.get(LogFields.CODE).asString()).isEqualTo(code);
    assertThat(line.has("stack_trace")).as(logs.text()).isFalse();
  }
}
