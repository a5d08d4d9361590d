package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each error class and each retry rule over real HTTP, with faults injected into the simulator.
 * Waits are recorded by the simulated clock's sleeper: asserted exactly, never timed.
 */
class ErrorsAndRetriesTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RealtimeSessions sessions = runway.client().realtimeSessions();

  @AfterEach
  void close() {
    runway.close();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "400, dev.avatargateway.runway.BadRequestException, 1",
    "401, dev.avatargateway.runway.AuthenticationException, 1",
    "402, dev.avatargateway.runway.RunwayApiException, 1",
    "403, dev.avatargateway.runway.PermissionDeniedException, 1",
    "404, dev.avatargateway.runway.NotFoundException, 1",
    "405, dev.avatargateway.runway.RunwayApiException, 1",
    "408, dev.avatargateway.runway.RunwayApiException, 3",
    "409, dev.avatargateway.runway.ConflictException, 3",
    "422, dev.avatargateway.runway.UnprocessableEntityException, 1",
    "429, dev.avatargateway.runway.RateLimitException, 3",
    "500, dev.avatargateway.runway.InternalServerException, 3",
    "502, dev.avatargateway.runway.InternalServerException, 3",
    "503, dev.avatargateway.runway.InternalServerException, 3",
    "504, dev.avatargateway.runway.InternalServerException, 3",
  })
  void eachStatusHasItsExceptionAndRetryRule(int status, Class<?> type, int attempts) {
    String id = sessions.create(CAT);
    runway.admin().injectFault(FaultRule.builder().route(Route.RETRIEVE).status(status).build());

    assertThatThrownBy(() -> sessions.retrieve(id))
        .isExactlyInstanceOf(type)
        .satisfies(
            e -> {
              RunwayApiException api = (RunwayApiException) e;
              assertThat(api.status()).isEqualTo(status);
              assertThat(api.requestId()).isPresent();
            });
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(attempts);
    assertThat(runway.sleeps).hasSize(attempts - 1);
  }

  @Test
  void defaultBackoffIsHalfASecondThenOneWithUpToAQuarterJitter() {
    String id = sessions.create(CAT);
    runway
        .admin()
        .injectFault(FaultRule.builder().route(Route.RETRIEVE).status(503).times(2).build());

    assertThat(sessions.retrieve(id)).isInstanceOf(RealtimeSession.NotReady.class);

    assertThat(runway.sleeps).hasSize(2);
    assertThat(runway.sleeps.get(0)).isBetween(Duration.ofMillis(375), Duration.ofMillis(500));
    assertThat(runway.sleeps.get(1)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1000));
  }

  @Test
  void createIsNotRetriedAfterA500() {
    runway
        .admin()
        .injectFault(FaultRule.builder().route(Route.CREATE).status(500).times(1).build());

    assertThatThrownBy(() -> sessions.create(CAT)).isInstanceOf(InternalServerException.class);

    assertThat(runway.admin().stats().count(Route.CREATE)).isEqualTo(1);
    assertThat(runway.sleeps).isEmpty();
  }

  @Test
  void aCreateThatFailsAfterCommitLeavesExactlyOneSessionNotTwo() {
    runway
        .admin()
        .injectFault(
            FaultRule.builder().route(Route.CREATE).status(502).afterCommit(true).times(1).build());

    assertThatThrownBy(() -> sessions.create(CAT)).isInstanceOf(InternalServerException.class);

    // The official SDK would retry and start a second paid session here.
    assertThat(runway.admin().sessions()).hasSize(1);
  }

  @Test
  void createIsRetriedAfterA429WithTheAskedDelay() {
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.CREATE)
                .status(429)
                .retryAfter(RetryAfter.seconds(2))
                .times(1)
                .build());

    String id = sessions.create(CAT);

    assertThat(id).isNotBlank();
    assertThat(runway.sleeps).containsExactly(Duration.ofSeconds(2));
    assertThat(runway.admin().sessions()).hasSize(1);
  }

  @Test
  void retryAfterInMillisecondsAndAsAnHttpDate() {
    String id = sessions.create(CAT);
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.RETRIEVE)
                .status(429)
                .retryAfter(RetryAfter.millis(300))
                .times(1)
                .build());
    sessions.retrieve(id);
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.RETRIEVE)
                .status(503)
                .retryAfter(RetryAfter.httpDate(Duration.ofSeconds(3)))
                .times(1)
                .build());
    sessions.retrieve(id);

    // An HTTP date has whole-second precision, so the wait is 2 to 3 seconds.
    assertThat(runway.sleeps).hasSize(2);
    assertThat(runway.sleeps.get(0)).isEqualTo(Duration.ofMillis(300));
    assertThat(runway.sleeps.get(1)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  @Test
  void aRetryAfterAboveTheCapSurfacesAtOnceWithTheAskedDelay() {
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.CREATE)
                .status(429)
                .retryAfter(RetryAfter.seconds(61))
                .build());

    assertThatThrownBy(() -> sessions.create(CAT))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(61)));
    assertThat(runway.sleeps).isEmpty();
    assertThat(runway.admin().stats().count(Route.CREATE)).isEqualTo(1);
  }

  @Test
  void xShouldRetryFalseIsObeyed() {
    String id = sessions.create(CAT);
    runway
        .admin()
        .injectFault(
            FaultRule.builder().route(Route.RETRIEVE).status(503).shouldRetry(false).build());

    assertThatThrownBy(() -> sessions.retrieve(id)).isInstanceOf(InternalServerException.class);
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(1);
  }

  @Test
  void theDeadlineCutsARetryAfterWaitShort() {
    String id = sessions.create(CAT);
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.RETRIEVE)
                .status(429)
                .retryAfter(RetryAfter.seconds(10))
                .build());

    assertThatThrownBy(
            () ->
                sessions.retrieve(
                    id, RequestOptions.deadline(runway.clock.instant().plusSeconds(5))))
        .isInstanceOf(RateLimitException.class);
    assertThat(runway.sleeps).isEmpty();
  }

  @Test
  void anInterruptEndsARetryAfterWaitAtOnce() throws Exception {
    RealtimeSessions realSleep =
        runway.client().withOptions(o -> o.sleeper(Sleeper.system())).realtimeSessions();
    String id = realSleep.create(CAT);
    runway
        .admin()
        .injectFault(
            FaultRule.builder()
                .route(Route.RETRIEVE)
                .status(429)
                .retryAfter(RetryAfter.seconds(25))
                .build());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagAfter = new AtomicReference<>();
    Thread caller =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    realSleep.retrieve(id);
                  } catch (RuntimeException e) {
                    thrown.set(e);
                    flagAfter.set(Thread.currentThread().isInterrupted());
                  }
                });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> runway.admin().stats().count(Route.RETRIEVE) == 1);

    caller.interrupt();
    caller.join(Duration.ofSeconds(10));

    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(RunwayInterruptedException.class);
    assertThat(flagAfter.get()).isTrue();
  }

  @Test
  void resetConnectionsAreRetriedForReadsAndSurfaceAsConnectionErrors() {
    String id = sessions.create(CAT);
    runway.admin().injectFault(FaultRule.builder().route(Route.RETRIEVE).reset().build());

    assertThatThrownBy(() -> sessions.retrieve(id))
        .isInstanceOf(RunwayConnectionException.class)
        .isNotInstanceOf(RunwayTimeoutException.class);
    // Three attempts of ours, two waits between them. On the wire there can be up to twice as
    // many: the JDK client itself repeats a GET once when a pooled connection was reset.
    assertThat(runway.sleeps).hasSize(2);
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isBetween(3L, 6L);
  }

  @Test
  void aResetCreateIsNotRetried() {
    runway.admin().injectFault(FaultRule.builder().route(Route.CREATE).reset().build());

    assertThatThrownBy(() -> sessions.create(CAT)).isInstanceOf(RunwayConnectionException.class);
    assertThat(runway.admin().stats().count(Route.CREATE)).isEqualTo(1);
  }

  @Test
  void aHangingUpstreamTimesOut() {
    String id = sessions.create(CAT);
    runway.admin().injectFault(FaultRule.builder().route(Route.RETRIEVE).hang().build());
    RealtimeSessions impatient =
        runway
            .client()
            .withOptions(o -> o.timeout(Duration.ofMillis(200)).maxRetries(1))
            .realtimeSessions();

    assertThatThrownBy(() -> impatient.retrieve(id)).isInstanceOf(RunwayTimeoutException.class);
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(2);
  }

  @Test
  void aRefusedConnectionIsRetriedEvenForCreate() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    RealtimeSessions nowhere =
        runway
            .client()
            .withOptions(o -> o.baseUrl("http://127.0.0.1:" + closedPort))
            .realtimeSessions();

    assertThatThrownBy(() -> nowhere.create(CAT))
        .isInstanceOf(RunwayConnectionException.class)
        .hasMessageContaining("POST /v1/realtime_sessions");
    assertThat(runway.sleeps).hasSize(2);
  }
}
