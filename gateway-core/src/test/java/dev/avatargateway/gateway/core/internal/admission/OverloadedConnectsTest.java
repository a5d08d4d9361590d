package dev.avatargateway.gateway.core.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.AdmissionConfig;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.internal.observability.GatewayMetrics;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission in the connect flow, through {@link GatewayCore} against the simulator: a refused
 * connect costs nothing (no header or body read, no upstream call, no ledger row) and is still
 * reported as one {@code Ended}, while the admitted ones finish.
 */
class OverloadedConnectsTest {
  private static final String API_KEY = "admission-test-key-0123456789";

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder()
              .readyAfter(DelayDistribution.fixed(Duration.ofMillis(1500)))
              .build());
  private final List<ConnectEvent> events = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger headerReads = new AtomicInteger();
  private final AtomicInteger bodyReads = new AtomicInteger();
  private GatewayCore core;

  @AfterEach
  void stop() {
    if (core != null) {
      core.close();
    }
    simulator.close();
  }

  @Test
  void beyondTheCapAConnectIsRefusedBeforeAnyWorkAndTheAdmittedOnesFinish() throws Exception {
    core = core(new AdmissionConfig(2, null));
    List<CompletableFuture<ConnectResult>> admitted =
        List.of(
            CompletableFuture.supplyAsync(() -> core.connect(request("a"))),
            CompletableFuture.supplyAsync(() -> core.connect(request("b"))));
    await().atMost(Duration.ofSeconds(30)).until(() -> simulator.admin().sessions().size() == 2);
    int headersBefore = headerReads.get();
    int bodiesBefore = bodyReads.get();

    GatewayException refused =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request("c")));

    assertThat(refused.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(refused.retryAfter()).contains(Admission.RETRY_AFTER);
    assertThat(headerReads.get()).isEqualTo(headersBefore);
    assertThat(bodyReads.get()).isEqualTo(bodiesBefore);
    ConnectEvent.Ended ended = endedOf("c");
    assertThat(ended.code()).contains(ErrorCode.OVERLOADED);
    assertThat(ended.principal()).isEmpty();
    assertThat(ended.sessionId()).isEmpty();
    assertThat(ended.upstreamRequests()).isZero();
    assertThat(events).filteredOn(e -> e.connectId().equals(ended.connectId())).hasSize(1);
    assertThat(
            registry
                .counter(GatewayMetrics.ADMISSION_REJECTIONS, "reason", "connects_in_flight")
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .counter(GatewayMetrics.CONNECTS, "outcome", "error", "code", "overloaded")
                .count())
        .isEqualTo(1.0);

    for (CompletableFuture<ConnectResult> connect : admitted) {
      assertThat(connect.get()).isInstanceOf(ConnectResult.Credentials.class);
    }
    assertThat(simulator.admin().sessions()).hasSize(2);
    // Both answered: their places are free again.
    assertThat(core.connect(request("d"))).isInstanceOf(ConnectResult.Credentials.class);
  }

  @Test
  void aHeapTooFullAfterTheLatestCollectionRefuses() {
    // 0.0: any heap in use after a collection is too full.
    core = core(new AdmissionConfig(null, 0.0));

    // A test may ask for a collection; the gateway itself never does.
    System.gc();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        catchThrowableOfType(
                                GatewayException.class, () -> core.connect(request("x")))
                            .code())
                    .isEqualTo(ErrorCode.OVERLOADED));

    assertThat(registry.counter(GatewayMetrics.ADMISSION_REJECTIONS, "reason", "heap").count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(simulator.admin().sessions()).isEmpty();
  }

  private GatewayCore core(AdmissionConfig admission) {
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(SimulatorConfig.DEFAULT_API_KEY)
            .baseUrl(simulator.baseUrl())
            .build();
    return GatewayCore.builder(runway)
        .admission(admission)
        .auth(
            new AuthConfig(
                AuthConfig.Mode.API_KEY,
                null,
                List.of(new AuthConfig.ApiKey("tester", API_KEY, null)),
                null))
        .rateLimit(RateLimitConfig.unlimited())
        .simulatedUpstream(true)
        .ledger(inMemoryLedger())
        .meterRegistry(registry)
        .listener(events::add)
        .build();
  }

  private ConnectRequest request(String requestId) {
    return new ConnectRequest(
        requestId,
        name -> {
          headerReads.incrementAndGet();
          return "Authorization".equalsIgnoreCase(name)
              ? Optional.of("Bearer " + API_KEY)
              : Optional.empty();
        },
        "127.0.0.1",
        List.of(),
        () -> {
          bodyReads.incrementAndGet();
          return new AvatarChoice(Optional.of("cat-character"), Optional.empty());
        },
        ClientPresence.UNKNOWN);
  }

  private ConnectEvent.Ended endedOf(String requestId) {
    return events.stream()
        .filter(ConnectEvent.Ended.class::isInstance)
        .map(ConnectEvent.Ended.class::cast)
        .filter(e -> e.requestId().equals(requestId))
        .findFirst()
        .orElseThrow();
  }

  private static LedgerConfig inMemoryLedger() {
    return new LedgerConfig(
        "jdbc:h2:mem:admission-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
