package dev.avatargateway.runway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.runway.internal.OutgoingRequest.RetrySafety;
import dev.avatargateway.runway.internal.TransportException.Kind;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The retry rules, decided against scripted attempts: each test asserts the attempts made and the
 * exact sleeps recorded, never wall time. The same rules are exercised over real HTTP against the
 * simulator in {@code RetryAgainstSimulatorTest}.
 */
class RetryingTransportTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final List<Duration> sleeps = new ArrayList<>();
  private final Deque<Object> script = new ArrayDeque<>();
  private int attempts;
  private double random = 0.0;

  private final HttpTransport scripted =
      request -> {
        attempts++;
        Object next = script.removeFirst();
        if (next instanceof TransportException e) {
          throw e;
        }
        return (HttpResult) next;
      };

  private final RetryingTransport transport =
      new RetryingTransport(scripted, clock, sleeps::add, Duration.ofSeconds(30), () -> random);

  @Test
  void retriesServerErrorsWithExponentialBackoff() throws Exception {
    script.add(response(500));
    script.add(response(502));
    script.add(response(200));

    HttpResult result = transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(result.status()).isEqualTo(200);
    assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000));
  }

  @Test
  void jitterTakesOffAtMostAQuarter() throws Exception {
    random = 0.999_999;
    script.add(response(503));
    script.add(response(200));

    transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(sleeps).containsExactly(Duration.ofMillis(375));
  }

  @Test
  void backoffIsCappedAtEightSeconds() {
    assertThat(transport.backoff(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(transport.backoff(10)).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void returnsTheLastResponseWhenRetriesRunOut() throws Exception {
    script.add(response(500));
    script.add(response(500));
    script.add(response(500));

    HttpResult result = transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(result.status()).isEqualTo(500);
    assertThat(attempts).isEqualTo(3);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void retries408And409And429ButNotOtherClientErrors() throws Exception {
    for (int status : new int[] {408, 409, 429}) {
      script.add(response(status));
      script.add(response(200));
      assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 2)).status()).isEqualTo(200);
    }
    assertThat(attempts).isEqualTo(6);
    for (int status : new int[] {400, 401, 402, 403, 404, 422}) {
      script.add(response(status));
      assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 2)).status()).isEqualTo(status);
    }
    assertThat(attempts).isEqualTo(12);
  }

  @Test
  void obeysXShouldRetry() throws Exception {
    script.add(response(500, Map.of("x-should-retry", "false")));
    assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 2)).status()).isEqualTo(500);
    assertThat(attempts).isEqualTo(1);

    script.add(response(400, Map.of("x-should-retry", "true")));
    script.add(response(200));
    assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 2)).status()).isEqualTo(200);
    assertThat(attempts).isEqualTo(3);
  }

  @Test
  void retryAfterMillisWinsOverRetryAfter() throws Exception {
    script.add(response(429, Map.of("retry-after-ms", "300.5", "retry-after", "7")));
    script.add(response(200));

    transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(sleeps).containsExactly(Duration.ofNanos(300_500_000));
  }

  @Test
  void retryAfterInSecondsAndAsHttpDate() throws Exception {
    script.add(response(429, Map.of("retry-after", "2")));
    script.add(response(503, Map.of("retry-after", httpDate(NOW.plusSeconds(3)))));
    script.add(response(503, Map.of("retry-after", httpDate(NOW.minusSeconds(5)))));
    script.add(response(200));

    transport.send(request(RetrySafety.IDEMPOTENT, 3));

    assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ZERO);
  }

  @Test
  void aServerAskedDelayAboveTheCapSurfacesAtOnce() throws Exception {
    script.add(response(429, Map.of("retry-after", "61")));

    HttpResult result = transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(result.status()).isEqualTo(429);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void malformedRetryAfterFallsBackToBackoff() throws Exception {
    script.add(response(429, Map.of("retry-after", "soon")));
    script.add(response(200));

    transport.send(request(RetrySafety.IDEMPOTENT, 2));

    assertThat(sleeps).containsExactly(Duration.ofMillis(500));
  }

  @Test
  void createIsNotRetriedAfterA5xxATimeOutOrABrokenConnection() throws Exception {
    script.add(response(500));
    assertThat(transport.send(request(RetrySafety.NOT_IDEMPOTENT, 2)).status()).isEqualTo(500);

    script.add(response(503, Map.of("x-should-retry", "true")));
    assertThat(transport.send(request(RetrySafety.NOT_IDEMPOTENT, 2)).status()).isEqualTo(503);

    script.add(new TransportException(Kind.TIMEOUT, "timed out", null));
    assertThatThrownBy(() -> transport.send(request(RetrySafety.NOT_IDEMPOTENT, 2)))
        .isInstanceOf(TransportException.class);

    script.add(new TransportException(Kind.IO, "reset", null));
    assertThatThrownBy(() -> transport.send(request(RetrySafety.NOT_IDEMPOTENT, 2)))
        .isInstanceOf(TransportException.class);

    assertThat(attempts).isEqualTo(4);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void createIsRetriedWhenTheUpstreamProvablyDidNothing() throws Exception {
    script.add(new TransportException(Kind.CONNECT_REFUSED, "refused", null));
    script.add(new TransportException(Kind.CONNECT_TIMEOUT, "connect timed out", null));
    script.add(response(429, Map.of("retry-after", "1")));
    script.add(response(200));

    HttpResult result = transport.send(request(RetrySafety.NOT_IDEMPOTENT, 3));

    assertThat(result.status()).isEqualTo(200);
    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofSeconds(1));
  }

  @Test
  void createIsRetriedAfterWaitingInVainForAConnectionBecauseNothingWasSent() throws Exception {
    script.add(new TransportException(Kind.NO_FREE_CONNECTION, "no free connection", null));
    script.add(response(200));

    HttpResult result = transport.send(request(RetrySafety.NOT_IDEMPOTENT, 2));

    assertThat(result.status()).isEqualTo(200);
    assertThat(attempts).isEqualTo(2);
    assertThat(sleeps).containsExactly(Duration.ofMillis(500));
  }

  @Test
  void readsAreRetriedAfterTimeOutsAndBrokenConnections() throws Exception {
    script.add(new TransportException(Kind.TIMEOUT, "timed out", null));
    script.add(new TransportException(Kind.IO, "reset", null));
    script.add(response(200));

    assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 2)).status()).isEqualTo(200);
    assertThat(attempts).isEqualTo(3);
  }

  @Test
  void noWaitRunsPastTheDeadline() throws Exception {
    script.add(response(429, Map.of("retry-after", "5")));

    HttpResult result =
        transport.send(request(RetrySafety.IDEMPOTENT, 2, Optional.of(NOW.plusSeconds(4))));

    assertThat(result.status()).isEqualTo(429);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void theAttemptTimeOutIsCutToTheDeadline() throws Exception {
    List<Duration> timeouts = new ArrayList<>();
    RetryingTransport recording =
        new RetryingTransport(
            r -> {
              timeouts.add(r.timeout());
              return response(200);
            },
            clock,
            sleeps::add,
            Duration.ofSeconds(30),
            () -> 0);

    recording.send(request(RetrySafety.IDEMPOTENT, 2, Optional.of(NOW.plusSeconds(3))));

    assertThat(timeouts).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void aPassedDeadlineSendsNothing() {
    assertThatThrownBy(
            () ->
                transport.send(request(RetrySafety.IDEMPOTENT, 2, Optional.of(NOW.minusMillis(1)))))
        .isInstanceOfSatisfying(
            TransportException.class, e -> assertThat(e.kind()).isEqualTo(Kind.DEADLINE));
    assertThat(attempts).isZero();
  }

  @Test
  void anInterruptEndsTheWait() {
    RetryingTransport interrupting =
        new RetryingTransport(
            scripted,
            clock,
            d -> {
              throw new InterruptedException();
            },
            Duration.ofSeconds(30),
            () -> 0);
    script.add(response(503));

    assertThatThrownBy(() -> interrupting.send(request(RetrySafety.IDEMPOTENT, 2)))
        .isInstanceOf(InterruptedException.class);
    assertThat(attempts).isEqualTo(1);
  }

  @Test
  void zeroRetriesMeansOneAttempt() throws Exception {
    script.add(response(500));
    assertThat(transport.send(request(RetrySafety.IDEMPOTENT, 0)).status()).isEqualTo(500);
    assertThat(attempts).isEqualTo(1);
  }

  private static OutgoingRequest request(RetrySafety safety, int maxRetries) {
    return request(safety, maxRetries, Optional.empty());
  }

  private static OutgoingRequest request(
      RetrySafety safety, int maxRetries, Optional<Instant> deadline) {
    return new OutgoingRequest(
        "GET",
        URI.create("http://127.0.0.1:1/v1/realtime_sessions"),
        List.of(),
        Optional.empty(),
        Duration.ofSeconds(60),
        deadline,
        maxRetries,
        safety,
        "test.operation",
        0,
        Duration.ZERO);
  }

  private static HttpResult response(int status) {
    return response(status, Map.of());
  }

  private static HttpResult response(int status, Map<String, String> headers) {
    Map<String, List<String>> map = new java.util.HashMap<>();
    headers.forEach((k, v) -> map.put(k, List.of(v)));
    return new HttpResult(status, HttpHeaders.of(map, (k, v) -> true), "");
  }

  private static String httpDate(Instant instant) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
  }
}
