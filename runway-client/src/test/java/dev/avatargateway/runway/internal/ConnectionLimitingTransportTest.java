package dev.avatargateway.runway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.TransportException.Kind;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The connection limit against scripted attempts: what an attempt is sent with after waiting, and
 * that every outcome gives the connection back. Waits are awaited by state, never timed.
 */
class ConnectionLimitingTransportTest {
  private static final Duration AWAIT = Duration.ofSeconds(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ConnectionLimit limit = new ConnectionLimit(1);

  @Test
  void anAttemptThatFindsAConnectionFreeWaitsZeroAndKeepsItsTimeOut() throws Exception {
    AtomicReference<OutgoingRequest> sent = new AtomicReference<>();
    HttpTransport transport =
        new ConnectionLimitingTransport(
            r -> {
              sent.set(r);
              assertThat(limit.inFlight()).isEqualTo(1);
              return ok();
            },
            limit);

    transport.send(request(TIMEOUT));

    assertThat(sent.get().connectionWait()).isZero();
    assertThat(sent.get().timeout()).isEqualTo(TIMEOUT);
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void theWaitIsRecordedAndTakenOffTheAttemptsTimeOut() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicReference<OutgoingRequest> second = new AtomicReference<>();
    HttpTransport transport =
        new ConnectionLimitingTransport(
            r -> {
              if (r.operation().equals("first")) {
                holding.countDown();
                letGo.await();
              } else {
                second.set(r);
              }
              return ok();
            },
            limit);
    Thread first = Thread.ofVirtual().start(() -> sendQuietly(transport, named("first")));
    holding.await();
    Thread waiter = Thread.ofVirtual().start(() -> sendQuietly(transport, named("second")));
    await().atMost(AWAIT).until(() -> limit.waiting() == 1);

    letGo.countDown();
    first.join(AWAIT);
    waiter.join(AWAIT);

    OutgoingRequest sent = second.get();
    assertThat(sent.connectionWait()).isPositive();
    assertThat(sent.timeout().plus(sent.connectionWait())).isEqualTo(TIMEOUT);
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.timedOut()).isZero();
  }

  @Test
  void everyOutcomeGivesTheConnectionBack() {
    HttpTransport failing =
        new ConnectionLimitingTransport(
            r -> {
              throw new TransportException(Kind.IO, "reset", null);
            },
            limit);
    HttpTransport throwing =
        new ConnectionLimitingTransport(
            r -> {
              throw new IllegalStateException("bug");
            },
            limit);
    HttpTransport interrupted =
        new ConnectionLimitingTransport(
            r -> {
              throw new InterruptedException();
            },
            limit);

    assertThatThrownBy(() -> failing.send(request(TIMEOUT))).isInstanceOf(TransportException.class);
    assertThatThrownBy(() -> throwing.send(request(TIMEOUT)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> interrupted.send(request(TIMEOUT)))
        .isInstanceOf(InterruptedException.class);

    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void noConnectionInTimeFailsAsNothingSent() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    HttpTransport transport =
        new ConnectionLimitingTransport(
            r -> {
              holding.countDown();
              letGo.await();
              return ok();
            },
            limit);
    Thread first = Thread.ofVirtual().start(() -> sendQuietly(transport, request(TIMEOUT)));
    holding.await();

    assertThatThrownBy(() -> transport.send(request(Duration.ofMillis(50))))
        .isInstanceOfSatisfying(
            TransportException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NO_FREE_CONNECTION);
              assertThat(e.neverSent()).isTrue();
              assertThat(e.isTimeout()).isTrue();
              assertThat(e)
                  .hasMessage(
                      "Timed out: waited for a free connection for 50 ms (all 1 in use);"
                          + " nothing was sent");
            });
    assertThat(limit.timedOut()).isEqualTo(1);

    letGo.countDown();
    first.join(AWAIT);
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void anInterruptedCallerTakesNoConnection() {
    HttpTransport transport = new ConnectionLimitingTransport(r -> ok(), limit);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> transport.send(request(TIMEOUT)))
          .isInstanceOf(InterruptedException.class);
    } finally {
      boolean unused = Thread.interrupted();
    }
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void theBoundIsAtLeastOne() {
    assertThatThrownBy(() -> new ConnectionLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConnections must be >= 1");
  }

  @Test
  void anEndlessTimeOutIsWaitedForAsAVeryLongOne() throws Exception {
    HttpTransport transport = new ConnectionLimitingTransport(r -> ok(), limit);
    assertThat(transport.send(request(Duration.ofSeconds(Long.MAX_VALUE))).status()).isEqualTo(200);
  }

  private static void sendQuietly(HttpTransport transport, OutgoingRequest request) {
    try {
      transport.send(request);
    } catch (TransportException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static OutgoingRequest named(String operation) {
    return new OutgoingRequest(
        "GET",
        URI.create("http://127.0.0.1:1/v1/realtime_sessions"),
        List.of(),
        Optional.empty(),
        TIMEOUT,
        Optional.empty(),
        0,
        RetrySafety.IDEMPOTENT,
        operation,
        0,
        Duration.ZERO);
  }

  private static OutgoingRequest request(Duration timeout) {
    return named("test.operation").withTimeout(timeout);
  }

  private static HttpResult ok() {
    return new HttpResult(200, HttpHeaders.of(Map.of(), (k, v) -> true), "");
  }
}
