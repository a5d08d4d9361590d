package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on connections over real HTTP: measured on the server side, shared by copies, and every
 * way a wait for a connection ends (a connection, the deadline, an interrupt). Nothing here is
 * timed; waits are awaited by state, and deadlines are set on the simulated clock.
 */
class ConnectionLimitTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final SimulatedRunway runway = new SimulatedRunway();
  private final List<RequestObserver.Attempt> attempts = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void fourConnectionsCarryTwoHundredConcurrentPollers() throws Exception {
    int connections = 4;
    int pollers = 200;
    int pollsEach = 3;
    RealtimeSessions direct = runway.client().realtimeSessions();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(direct.create(CAT));
    }
    try (CountingProxy proxy = new CountingProxy(runway.simulator.baseUrl(), connections)) {
      RunwayClient client =
          runway
              .client()
              .withOptions(
                  o ->
                      o.baseUrl(proxy.baseUrl())
                          .maxConnections(connections)
                          .observer(attempts::add));
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<RealtimeSession>>> calls = new ArrayList<>();
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < pollers; i++) {
          String id = ids.get(i % ids.size());
          calls.add(
              threads.submit(
                  () -> {
                    start.await();
                    List<RealtimeSession> seen = new ArrayList<>();
                    for (int poll = 0; poll < pollsEach; poll++) {
                      seen.add(client.realtimeSessions().retrieve(id));
                    }
                    return seen;
                  }));
        }
        start.countDown();
        for (Future<List<RealtimeSession>> call : calls) {
          assertThat(call.get())
              .hasSize(pollsEach)
              .allMatch(RealtimeSession.NotReady.class::isInstance);
        }
      }

      assertThat(proxy.maxInFlight()).isEqualTo(connections);
      assertThat(proxy.connections()).hasSizeLessThanOrEqualTo(connections);
      assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(pollers * pollsEach);
      assertThat(client.connectionUsage()).isEqualTo(new ConnectionUsage(connections, 0, 0, 0));
      assertThat(attempts).hasSize(pollers * pollsEach);
      assertThat(attempts)
          .allSatisfy(a -> assertThat(a.connectionWait()).isGreaterThanOrEqualTo(Duration.ZERO));
      assertThat(attempts).anySatisfy(a -> assertThat(a.connectionWait()).isPositive());
    }
  }

  @Test
  void aCallerWhoseDeadlinePassesWhileWaitingTimesOutAndSendsNothing() throws Exception {
    RunwayClient client = runway.client().withOptions(o -> o.maxConnections(1));
    RunwayClient observed = client.withOptions(o -> o.observer(attempts::add));
    String id = client.realtimeSessions().create(CAT);
    Thread holder = holdTheOnlyConnection(client, id);

    assertThatThrownBy(
            () ->
                observed
                    .realtimeSessions()
                    .create(CAT, RequestOptions.deadline(runway.clock.instant().plusMillis(300))))
        .isInstanceOf(RunwayTimeoutException.class)
        .hasMessageContaining("waited for a free connection")
        .hasMessageContaining("nothing was sent")
        .hasMessageContaining("POST /v1/realtime_sessions");

    assertThat(runway.admin().stats().count(Route.CREATE)).isEqualTo(1);
    assertThat(runway.admin().sessions()).hasSize(1);
    assertThat(attempts).isEmpty();
    assertThat(observed.connectionUsage()).isEqualTo(new ConnectionUsage(1, 1, 0, 1));
    release(holder);
  }

  @Test
  void anInterruptEndsTheWaitForAConnection() throws Exception {
    RunwayClient client = runway.client().withOptions(o -> o.maxConnections(1));
    String id = client.realtimeSessions().create(CAT);
    Thread holder = holdTheOnlyConnection(client, id);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagAfter = new AtomicReference<>();
    Thread waiter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    client.realtimeSessions().retrieve(id);
                  } catch (RuntimeException e) {
                    thrown.set(e);
                    flagAfter.set(Thread.currentThread().isInterrupted());
                  }
                });
    await().atMost(AWAIT).until(() -> client.connectionUsage().waiting() == 1);

    waiter.interrupt();
    waiter.join(AWAIT);

    assertThat(waiter.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(RunwayInterruptedException.class);
    assertThat(flagAfter.get()).isTrue();
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(1);
    assertThat(client.connectionUsage()).isEqualTo(new ConnectionUsage(1, 1, 0, 0));
    release(holder);
  }

  @Test
  void aRetryBackOffHoldsNoConnection() {
    AtomicReference<RunwayClient> self = new AtomicReference<>();
    AtomicReference<String> id = new AtomicReference<>();
    List<ConnectionUsage> duringBackOff = new ArrayList<>();
    List<RealtimeSession> readDuringBackOff = new ArrayList<>();
    RunwayClient client =
        runway
            .client()
            .withOptions(
                o ->
                    o.maxConnections(1)
                        .sleeper(
                            delay -> {
                              duringBackOff.add(self.get().connectionUsage());
                              // Would time out waiting if the back-off held the one connection.
                              readDuringBackOff.add(
                                  self.get()
                                      .realtimeSessions()
                                      .retrieve(
                                          id.get(),
                                          RequestOptions.deadline(
                                                  runway.clock.instant().plusSeconds(1))
                                              .withMaxRetries(0)));
                              runway.sleep(delay);
                            }));
    self.set(client);
    id.set(client.realtimeSessions().create(CAT));
    runway
        .admin()
        .injectFault(FaultRule.builder().route(Route.RETRIEVE).status(503).times(1).build());

    assertThat(client.realtimeSessions().retrieve(id.get()))
        .isInstanceOf(RealtimeSession.NotReady.class);

    assertThat(duringBackOff).containsExactly(new ConnectionUsage(1, 0, 0, 0));
    assertThat(readDuringBackOff).hasSize(1);
    assertThat(runway.admin().stats().count(Route.RETRIEVE)).isEqualTo(3);
  }

  @Test
  void copiesShareTheBoundUnlessTheySetTheirOwn() throws Exception {
    RunwayClient client = runway.client().withOptions(o -> o.maxConnections(1));
    RunwayClient copy = client.withOptions(o -> o.maxRetries(0).timeout(Duration.ofSeconds(9)));
    RunwayClient rebuilt = client.toBuilder().observer(attempts::add).build();
    RunwayClient own = client.withOptions(o -> o.maxConnections(3));
    String id = client.realtimeSessions().create(CAT);

    Thread holder = holdTheOnlyConnection(copy, id);

    assertThat(client.connectionUsage().inFlight()).isEqualTo(1);
    assertThat(rebuilt.connectionUsage().inFlight()).isEqualTo(1);
    assertThat(own.connectionUsage()).isEqualTo(new ConnectionUsage(3, 0, 0, 0));
    assertThat(own.realtimeSessions().retrieve(id, RequestOptions.none().withMaxRetries(0)))
        .isNotNull();
    assertThatThrownBy(
            () ->
                rebuilt
                    .realtimeSessions()
                    .retrieve(
                        id,
                        RequestOptions.deadline(runway.clock.instant().plusMillis(200))
                            .withMaxRetries(0)))
        .isInstanceOf(RunwayTimeoutException.class)
        .hasMessageContaining("waited for a free connection");
    // Making copies changed nothing in the original.
    assertThat(client.connectionUsage().maxConnections()).isEqualTo(1);
    release(holder);
  }

  @Test
  void theDefaultBoundIs64AndAtLeastOneIsRequired() {
    assertThat(runway.client().connectionUsage())
        .isEqualTo(new ConnectionUsage(RunwayClient.DEFAULT_MAX_CONNECTIONS, 0, 0, 0));
    assertThat(RunwayClient.DEFAULT_MAX_CONNECTIONS).isEqualTo(64);
    assertThatThrownBy(() -> RunwayClient.builder().maxConnections(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections must be >= 1");
  }

  /**
   * Sends a retrieve that the simulator never answers, on a thread of its own, and returns once it
   * holds the client's only connection.
   */
  private Thread holdTheOnlyConnection(RunwayClient client, String id) {
    runway.admin().injectFault(FaultRule.builder().route(Route.RETRIEVE).hang().times(1).build());
    Thread holder =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    client.realtimeSessions().retrieve(id, RequestOptions.none().withMaxRetries(0));
                  } catch (RunwayException expected) {
                    // the simulator closes the hung exchange when the test ends
                  }
                });
    await()
        .atMost(AWAIT)
        .until(
            () ->
                client.connectionUsage().inFlight() == 1
                    && runway.admin().stats().count(Route.RETRIEVE, 0) == 1);
    return holder;
  }

  private void release(Thread holder) throws InterruptedException {
    runway.close();
    holder.join(AWAIT);
    assertThat(holder.isAlive()).isFalse();
  }
}
