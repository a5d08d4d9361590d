package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.internal.observability.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Overload over real HTTP: connects beyond what the gateway can hold are refused at once with 503
 * {@code overloaded} while the admitted ones finish, and the sockets of silent clients are closed.
 */
class OverloadEndToEndTest {
  /** The rate limits off (they have their own test): only admission refuses here. */
  private static final String NO_RATE_LIMITS =
      "rateLimit:\n  perPrincipal: {capacity: 0}\n  perClientAddress: {capacity: 0}\n"
          + "  maxConcurrentConnectsPerPrincipal: 0\n  maxUpstreamCreatesInFlight: 0\n";

  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  /**
   * How long a socket read may block before the test fails instead of hanging: far beyond any
   * time-out configured here, and no assertion depends on it.
   */
  private static final Duration READ_LIMIT = Duration.ofSeconds(30);

  /**
   * How long a silent connection may stay open with {@code server.idleTimeout: 1s}: generous, and
   * below Jetty's own default of 30 s, so that passing proves the setting is applied.
   */
  private static final Duration IDLE_CLOSE_LIMIT = Duration.ofSeconds(15);

  /** Long enough for an answer on a loaded machine to have come if it was going to. */
  private static final Duration NO_ANSWER_YET = Duration.ofMillis(500);

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  @Test
  void beyondTheCapAConnectIs503OverloadedAtOnceAndTheAdmittedOnesFinish() throws Exception {
    gateway =
        GatewayHarness.start(
            NO_RATE_LIMITS
                + "runway:\n  simulatedReadyAfter: 10s\n"
                + "admission:\n  maxConnectsInFlight: 2\n");
    List<CompletableFuture<GatewayHarness.Response>> admitted =
        List.of(
            CompletableFuture.supplyAsync(() -> gateway.postJson(CONNECT, CAT)),
            CompletableFuture.supplyAsync(() -> gateway.postJson(CONNECT, CAT)));
    await().atMost(READ_LIMIT).until(() -> gateway.upstream().sessions().size() == 2);

    try (LogCapture logs = LogCapture.start();
        RawHttp http = RawHttp.connect(gateway)) {
      RawHttp.Answer refused =
          http.send(
                  "POST "
                      + CONNECT
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + CAT.length()
                      + "\r\n\r\n"
                      + CAT)
              .read();

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.code()).isEqualTo("overloaded");
      assertThat(refused.header("Retry-After")).isEqualTo("5");
      assertThat(refused.json().get("requestId").asString())
          .isEqualTo(refused.header("X-Request-Id"));
      assertThat(refused.json().get("error").asString()).isNotBlank();
      assertThat(refused.header("Connection")).isEqualTo("close");
      assertThat(http.closedByServer()).isTrue();
      // At once: the two admitted connects are still waiting for their sessions.
      assertThat(admitted).noneMatch(CompletableFuture::isDone);
      await()
          .atMost(READ_LIMIT)
          .untilAsserted(
              () ->
                  assertThat(summaryOf(logs, refused).get("code").asString())
                      .isEqualTo("overloaded"));
    }
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics)
        .contains("avatar_gateway_admission_rejections_total{reason=\"connects_in_flight\"} 1.0")
        .contains("avatar_gateway_connects_total{code=\"overloaded\",outcome=\"error\"} 1.0");

    // The admitted ones finish normally once their sessions are ready.
    gateway.upstream().advanceClock(Duration.ofSeconds(10));
    for (CompletableFuture<GatewayHarness.Response> connect : admitted) {
      GatewayHarness.Response response = connect.get();
      assertThat(response.status()).as(response.body()).isEqualTo(200);
    }
    // Only they reached the upstream.
    assertThat(gateway.upstream().sessions()).hasSize(2);
    await().atMost(READ_LIMIT).until(() -> gateway.app().connectsInFlight() == 0);
  }

  @Test
  void aHeapTooFullAfterTheLatestCollectionIs503Overloaded() {
    // 0.0: any heap in use after a collection is too full.
    gateway =
        GatewayHarness.start(
            NO_RATE_LIMITS
                + "runway:\n  simulatedReadyAfter: 100ms\n"
                + "admission:\n  maxHeapUsedAfterGc: 0.0\n");

    // A test may ask for a collection (its notification is the reading); the gateway never does.
    System.gc();

    await()
        .atMost(READ_LIMIT)
        .untilAsserted(
            () -> {
              GatewayHarness.Response response = gateway.postJson(CONNECT, CAT);
              assertThat(response.status()).isEqualTo(503);
              assertThat(response.code()).isEqualTo("overloaded");
              assertThat(response.header("Retry-After")).isEqualTo("5");
            });
    assertThat(gateway.get("/metrics").body())
        .contains("avatar_gateway_admission_rejections_total{reason=\"heap\"}");
  }

  @Test
  void theIdleTimeoutClosesTheSocketOfASilentClient() throws Exception {
    gateway = GatewayHarness.start(NO_RATE_LIMITS + "server:\n  idleTimeout: 1s\n");

    try (Socket silent = socket()) {
      silent.setSoTimeout((int) IDLE_CLOSE_LIMIT.toMillis());
      assertThat(readsEndOfStream(silent)).isTrue();
    }
    // A kept-alive connection is closed too once it has been idle that long after its answer.
    try (Socket keptAlive = socket()) {
      send(keptAlive, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      String answer = readAnswerHead(keptAlive);
      assertThat(answer).startsWith("HTTP/1.1 200");
      assertThat(answer.toLowerCase(java.util.Locale.ROOT)).doesNotContain("connection: close");
      keptAlive.setSoTimeout((int) IDLE_CLOSE_LIMIT.toMillis());
      assertThat(readsEndOfStream(keptAlive)).isTrue();
    }
  }

  @Test
  void atTheConnectionCapNewConnectionsWaitUntilOneCloses() throws Exception {
    gateway = GatewayHarness.start(NO_RATE_LIMITS + "server:\n  maxConnections: 1\n");

    try (Socket holder = socket();
        Socket waiting = socket()) {
      // The holder is accepted (it gets answers); the second waits in the accept queue.
      send(holder, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(readAnswerHead(holder)).startsWith("HTTP/1.1 200");
      send(waiting, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      waiting.setSoTimeout((int) NO_ANSWER_YET.toMillis());
      assertThatThrownBy(() -> waiting.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);

      holder.close();

      waiting.setSoTimeout((int) READ_LIMIT.toMillis());
      assertThat(readAnswerHead(waiting)).startsWith("HTTP/1.1 200");
    }
  }

  private Socket socket() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.app().port());
    socket.setSoTimeout((int) READ_LIMIT.toMillis());
    return socket;
  }

  private static void send(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The status line and headers of one answer without a body (or whose body is ignored). */
  private static String readAnswerHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before a whole answer: " + head);
      }
      head.append((char) b);
    }
    String text = head.toString();
    int length = contentLength(text);
    if (in.readNBytes(length).length != length) {
      throw new IOException("closed inside the body: " + text);
    }
    return text;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return 0;
  }

  /**
   * Whether the server closed the connection: a read ends the stream (or the connection is reset);
   * a read that times out fails the test.
   */
  private static boolean readsEndOfStream(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the silent connection open", e);
    } catch (IOException reset) {
      return true;
    }
  }

  /** The one summary line of the connect that got this answer. */
  private static JsonNode summaryOf(LogCapture logs, RawHttp.Answer answer) {
    String requestId = answer.header("X-Request-Id");
    List<JsonNode> summaries =
        logs.events(LogCapture.CONNECT_SUMMARY).stream()
            .filter(event -> requestId.equals(event.path("requestId").asString()))
            .toList();
    assertThat(summaries).as("summary lines of request %s", requestId).hasSize(1);
    return summaries.getFirst();
  }
}
