package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.InternalServerException;
import dev.avatargateway.runway.RateLimitException;
import dev.avatargateway.runway.ReadinessTimeoutException;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.RunwayInterruptedException;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.runway.SessionStateException;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against the simulator over real HTTP, on simulated time: the poller, the client and
 * the simulator share one clock that the test moves, and {@link ReadinessPoller#runDue()} runs the
 * scheduler's rounds (reads run inside it, on the test thread). The waiting threads are real
 * virtual threads blocked in {@code await}. No assertion depends on wall time.
 */
class ReadinessPollerTest {
  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");
  private static final String CAT = "cat-character";

  /** Longer than any wait here: a READY session is never failed for want of a participant. */
  private static final Duration READY_WINDOW = Duration.ofMinutes(10);

  /** How long a test waits in real time for its waiting threads to do their part. */
  private static final Duration THREADS = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock(T0);
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private RunwaySimulator simulator;
  private RealtimeSessions sessions;
  private ReadinessModel model;
  private ReadinessPoller poller;

  @AfterEach
  void closeEverything() throws Exception {
    threads.shutdownNow();
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private void start(DelayDistribution readyAfter, ReadinessConfig config) {
    start(SimulatorConfig.builder().readyAfter(readyAfter), config);
  }

  private void start(SimulatorConfig.Builder simulatorConfig, ReadinessConfig config) {
    simulator =
        track(
            RunwaySimulator.start(
                simulatorConfig.clock(clock).readyWindow(READY_WINDOW).seed(7).build()));
    sessions = client(simulator, clock).realtimeSessions();
    model =
        new ReadinessModel(config, Runnable::run, new Random(3)::nextDouble, () -> nanos(clock));
    poller = track(ReadinessPoller.manual(sessions, model, config, clock, Runnable::run));
  }

  // ----- The budget and its priorities

  @Test
  void twoHundredSessionsThroughOnePollerNeverExceedTheBudget() throws Exception {
    int budget = 20;
    start(
        DelayDistribution.logNormal(Duration.ofMillis(1500), 0.25),
        ReadinessConfig.defaults().withReadsPerSecond(budget));
    List<Future<RealtimeSession.Ready>> waits = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      waits.add(awaitAsync(create(), CAT, Duration.ofMinutes(2), status -> {}));
    }
    waitForWaiting(200);

    driveUntilNoneWaits(Duration.ofMinutes(2));

    for (Future<RealtimeSession.Ready> wait : waits) {
      assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RealtimeSession.Status.READY);
    }
    List<Instant> reads = statusReads();
    // Held back by the budget, most sessions are READY by their first read.
    assertThat(reads).hasSize((int) poller.readsStarted()).hasSizeGreaterThanOrEqualTo(200);
    assertThat(maxInAnySecond(reads)).isLessThanOrEqualTo(budget);
  }

  @Test
  void whenTheBudgetBindsTheLikeliestReadyIsReadFirst() throws Exception {
    start(
        DelayDistribution.fixed(Duration.ofSeconds(10)),
        ReadinessConfig.defaults().withReadsPerSecond(2));
    model.seed(
        Map.of(
            "quick",
            ReadinessModelTest.logNormal(new Random(1), 1.5, 0.25, 64),
            "slow",
            ReadinessModelTest.logNormal(new Random(2), 3.5, 0.25, 64)));
    String slow = create();
    simulator.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofSeconds(2)));
    String quick = create();
    clock.advance(Duration.ofSeconds(3));

    // Both are due at once, 3 s after create, and the budget has one read now: the session
    // registered first is the one less likely to be READY.
    Future<RealtimeSession.Ready> slowWait = awaitAsync(slow, "slow", T0, Duration.ofMinutes(1));
    waitForWaiting(1);
    Future<RealtimeSession.Ready> quickWait = awaitAsync(quick, "quick", T0, Duration.ofMinutes(1));
    waitForWaiting(2);
    poller.runDue();

    assertThat(quickWait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(quick);
    assertThat(record(quick).getCount()).isOne();
    assertThat(record(slow).getCount()).isZero();
    assertThat(slowWait).isNotDone();
    clock.advance(Duration.ofSeconds(1));
    poller.runDue();
    assertThat(record(slow).getCount()).isOne();
  }

  @Test
  void inAReadyBurstNoSessionIsLeftUnreadPastItsDeadlineWhileOthersAreReadAgain() throws Exception {
    // 200 sessions of a known avatar READY at once, 2 s after create, and 30 of an avatar the
    // model expects READY after 8 s, with a deadline of 5 s, registered last. The budget (50 a
    // second) binds from 2 s to about 6.5 s; the 30 are ranked below the 200 by their chance,
    // and their last read, due 4.75 s after create, would find no read left.
    start(DelayDistribution.fixed(Duration.ofSeconds(2)), ReadinessConfig.defaults());
    model.seed(
        Map.of(
            CAT,
            ReadinessModelTest.logNormal(new Random(1), 2.0, 0.1, 64),
            "slow",
            ReadinessModelTest.logNormal(new Random(2), 8.0, 0.1, 64)));
    List<Future<RealtimeSession.Ready>> many = new ArrayList<>();
    List<Future<RealtimeSession.Ready>> urgent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(awaitAsync(create(), CAT, Duration.ofMinutes(1), s -> {}));
    }
    waitForWaiting(200);
    for (int i = 0; i < 30; i++) {
      urgent.add(awaitAsync(create(), "slow", Duration.ofSeconds(5), s -> {}));
    }
    waitForWaiting(230);

    driveUntilNoneWaits(Duration.ofSeconds(30));

    for (Future<RealtimeSession.Ready> wait : urgent) {
      assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RealtimeSession.Status.READY);
    }
    for (Future<RealtimeSession.Ready> wait : many) {
      assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RealtimeSession.Status.READY);
    }
    // The budget did bind: more reads than it gives in the time the burst took.
    assertThat(maxInAnySecond(statusReads())).isLessThanOrEqualTo(50);
    assertThat(poller.readsStarted()).isGreaterThan(230);
  }

  @Test
  void noMoreReadsWaitForAnswersThanAllowed() throws Exception {
    start(DelayDistribution.fixed(Duration.ZERO), config(3));
    // Reads held by the test until it runs them: in flight until then.
    List<Runnable> held = new CopyOnWriteArrayList<>();
    poller.close();
    poller = track(ReadinessPoller.manual(sessions, model, config(3), clock, held::add));
    List<Future<RealtimeSession.Ready>> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waits.add(awaitAsync(create(), CAT, Duration.ofSeconds(30), s -> {}));
    }
    waitForWaiting(10);

    poller.runDue();
    assertThat(held).hasSize(3);
    assertThat(poller.readsInFlight()).isEqualTo(3);
    poller.runDue();
    assertThat(held).hasSize(3);

    while (poller.waiting() > 0) {
      List<Runnable> batch = List.copyOf(held);
      held.clear();
      batch.forEach(Runnable::run);
      poller.runDue();
      assertThat(held.size()).isLessThanOrEqualTo(3);
    }
    for (Future<RealtimeSession.Ready> wait : waits) {
      assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RealtimeSession.Status.READY);
    }
  }

  private static ReadinessConfig config(int maxReadsInFlight) {
    return new ReadinessConfig(null, 1000, maxReadsInFlight, null, null, null, null, null);
  }

  // ----- When reads come

  @Test
  void aKnownAvatarIsReadAroundItsReadyInstantAndNoticedSoon() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(1500)), ReadinessConfig.defaults());
    model.seed(Map.of(CAT, ReadinessModelTest.logNormal(new Random(4), 1.5, 0.25, 64)));
    String id = create();

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(id);
    List<Instant> reads = statusReads();
    // No read at once: the first comes when sessions of this avatar start to be ready.
    assertThat(Duration.between(T0, reads.get(0))).isGreaterThan(Duration.ofMillis(900));
    Duration late = Duration.between(record(id).readyAt().orElseThrow(), reads.getLast());
    assertThat(late).isBetween(Duration.ZERO, Duration.ofMillis(150));
    assertThat(reads).hasSizeLessThanOrEqualTo(6);
  }

  @Test
  void aSessionReadyEarlierThanEverIsNoticedAtTheFirstRead() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(300)), ReadinessConfig.defaults());
    model.seed(Map.of(CAT, ReadinessModelTest.logNormal(new Random(5), 1.5, 0.25, 64)));
    Duration firstRead = model.nextReadAfter(CAT, Duration.ZERO, 0);
    String id = create();

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(id);
    assertThat(statusReads()).containsExactly(T0.plus(firstRead));
  }

  @Test
  void thePollerLearnsFromTheSessionsItSeesBecomeReady() throws Exception {
    start(DelayDistribution.logNormal(Duration.ofMillis(1500), 0.25), ReadinessConfig.defaults());
    int minSamples = ReadinessConfig.defaults().minSamples();
    for (int i = 0; i < minSamples; i++) {
      Future<RealtimeSession.Ready> wait =
          awaitAsync(create(), CAT, Duration.ofSeconds(30), s -> {});
      waitForWaiting(1);
      driveUntilNoneWaits(Duration.ofSeconds(30));
      wait.get(THREADS.toSeconds(), TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(1));
    }

    ReadinessModel.Summary summary = model.summary(CAT).orElseThrow();
    assertThat(summary.samples()).isEqualTo(minSamples);
    assertThat(ModelSimulation.seconds(summary.median())).isBetween(1.2, 1.8);
    assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isGreaterThan(Duration.ofMillis(700));
  }

  @Test
  void aQueuedSessionIsReadEveryQueuedIntervalAndWaitsUntilItsQueuedDeadline() throws Exception {
    start(
        SimulatorConfig.builder()
            .readyAfter(DelayDistribution.fixed(Duration.ofMillis(1500)))
            .concurrencyCap(1),
        ReadinessConfig.defaults());
    String holder = create();
    String queued = create();
    List<RealtimeSession> statuses = new CopyOnWriteArrayList<>();

    Future<RealtimeSession.Ready> wait =
        awaitAsync(queued, CAT, T0, T0.plusSeconds(2), T0.plusSeconds(120), statuses::add);
    waitForWaiting(1);
    driveFor(Duration.ofSeconds(30));

    // At once, then every 5 s: no deadline at 2 s, since the session is queued.
    assertThat(poller.waiting()).isOne();
    assertThat(record(queued).getCount()).isBetween(6L, 8L);
    Awaitility.await().atMost(THREADS).until(() -> statuses.size() == record(queued).getCount());
    assertThat(statuses)
        .allSatisfy(s -> assertThat(((RealtimeSession.NotReady) s).queued()).isTrue());

    sessions.cancel(holder);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(queued);
    assertThat(statuses.getLast().status()).isEqualTo(RealtimeSession.Status.READY);
  }

  // ----- How a wait ends

  @Test
  void theDeadlinePassingFirstEndsTheWaitAfterALastReadJustBeforeIt() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMinutes(5)), ReadinessConfig.defaults());
    String id = create();

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(2), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(10));

    ReadinessTimeoutException e = failure(wait, ReadinessTimeoutException.class);
    assertThat(e.sessionId()).isEqualTo(id);
    assertThat(e.queued()).isFalse();
    // As before the model (cold): at once, at 250, 625 and 1187 ms, then the last at 1750.
    assertThat(statusReads())
        .extracting(at -> Duration.between(T0, at).toMillis())
        .containsExactly(0L, 250L, 625L, 1187L, 1750L);
  }

  @Test
  void aQueuedSessionTimesOutAtItsQueuedDeadline() throws Exception {
    start(
        SimulatorConfig.builder()
            .readyAfter(DelayDistribution.fixed(Duration.ofMinutes(5)))
            .concurrencyCap(1),
        ReadinessConfig.defaults());
    create();
    String queued = create();

    Future<RealtimeSession.Ready> wait =
        awaitAsync(queued, CAT, T0, T0.plusSeconds(2), T0.plusSeconds(12), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    ReadinessTimeoutException e = failure(wait, ReadinessTimeoutException.class);
    assertThat(e.queued()).isTrue();
    assertThat(statusReads().getLast()).isEqualTo(T0.plusSeconds(12).minusMillis(250));
  }

  @Test
  void aFailedSessionEndsTheWaitWithItsFailureCode() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(1500)), ReadinessConfig.defaults());
    simulator.admin().failNextSessions(1, "SAFETY.INPUT.TEXT", "Not allowed");
    String id = create();

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    SessionStateException e = failure(wait, SessionStateException.class);
    assertThat(e.session().status()).isEqualTo(RealtimeSession.Status.FAILED);
    assertThat(e.failureCode()).contains("SAFETY.INPUT.TEXT");
  }

  @Test
  void aSessionConsumedOrCancelledBySomeoneElseEndsTheWait() throws Exception {
    start(DelayDistribution.fixed(Duration.ZERO), ReadinessConfig.defaults());
    String consumed = create();
    sessions.consume(consumed, record(consumed).sessionKey().orElseThrow());
    String cancelled = create();
    sessions.cancel(cancelled);

    Future<RealtimeSession.Ready> a = awaitAsync(consumed, CAT, Duration.ofSeconds(30), s -> {});
    Future<RealtimeSession.Ready> b = awaitAsync(cancelled, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(2);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(failure(a, SessionStateException.class).session().status())
        .isEqualTo(RealtimeSession.Status.RUNNING);
    assertThat(failure(b, SessionStateException.class).session().status())
        .isEqualTo(RealtimeSession.Status.CANCELLED);
  }

  @Test
  void anInterruptEndsTheWaitAndTheSessionLeavesThePollerAtOnce() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMinutes(5)), ReadinessConfig.defaults());
    String id = create();
    AtomicReference<Thread> waiter = new AtomicReference<>();
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    AtomicInteger waitingAfter = new AtomicInteger(-1);
    Future<RuntimeException> wait =
        threads.submit(
            () -> {
              waiter.set(Thread.currentThread());
              try {
                poller.await(id, CAT, T0, T0.plusSeconds(30), T0.plusSeconds(30), s -> {});
                return null;
              } catch (RuntimeException e) {
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                waitingAfter.set(poller.waiting());
                return e;
              }
            });
    waitForWaiting(1);
    poller.runDue();
    long readsBefore = record(id).getCount();

    waiter.get().interrupt();

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(RunwayInterruptedException.class);
    assertThat(interruptedAfter).isTrue();
    assertThat(waitingAfter).hasValue(0);
    driveFor(Duration.ofSeconds(10));
    assertThat(record(id).getCount()).isEqualTo(readsBefore);
  }

  @Test
  void aReadThatFailsAfterTheClientsRetriesEndsTheWaitWithItsException() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(1500)), ReadinessConfig.defaults());
    String id = create();
    simulator.admin().injectFault(FaultRule.parse("retrieve:500"));

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(failure(wait, InternalServerException.class).status()).isEqualTo(500);
    // The first read and the poller's own retries, half a second and a second apart.
    assertThat(statusReads())
        .extracting(at -> Duration.between(T0, at).toMillis())
        .containsExactly(0L, 500L, 1500L);
  }

  @Test
  void aReadThatFailsOnceIsTriedAgainAndTheWaitGoesOn() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(1500)), ReadinessConfig.defaults());
    String id = create();
    simulator.admin().injectFault(FaultRule.parse("retrieve:503:times=1"));

    Future<RealtimeSession.Ready> wait = awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(id);
  }

  // ----- Runway's 429s

  @Test
  void a429HalvesTheBudgetStopsEveryReadForItsRetryAfterAndTheSessionsStillBecomeReady()
      throws Exception {
    start(
        DelayDistribution.fixed(Duration.ofMillis(500)),
        ReadinessConfig.defaults().withReadsPerSecond(100));
    List<String> ids = new ArrayList<>();
    List<Future<RealtimeSession.Ready>> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = create();
      ids.add(id);
      waits.add(awaitAsync(id, CAT, Duration.ofSeconds(30), s -> {}));
    }
    waitForWaiting(10);
    clock.advance(Duration.ofSeconds(1));
    simulator.admin().injectFault(FaultRule.parse("retrieve:429:times=3,retry-after=2"));

    // All ten first reads go at once (a burst of ten); Runway refuses the first three.
    poller.runDue();
    assertThat(poller.effectiveReadsPerSecond()).isEqualTo(50);
    assertThat(statusReads()).hasSize(10);
    driveFor(Duration.ofMillis(1_999));
    assertThat(statusReads()).hasSize(10);
    driveUntilNoneWaits(Duration.ofSeconds(10));

    for (Future<RealtimeSession.Ready> wait : waits) {
      assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RealtimeSession.Status.READY);
    }
    // The three refused were read again once Runway's two seconds had passed.
    assertThat(statusReads()).hasSize(13);
    assertThat(statusReads().subList(10, 13))
        .allSatisfy(at -> assertThat(at).isAfterOrEqualTo(T0.plusSeconds(3)));
    // Then, without 429s, back to the configured rate.
    driveFor(Duration.ofSeconds(20));
    poller.runDue();
    assertThat(poller.effectiveReadsPerSecond()).isEqualTo(100);
  }

  @Test
  void aRunwayRefusingEveryReadGetsAboutOneASecondAndTheWaitEndsWithItsRateLimit()
      throws Exception {
    start(DelayDistribution.fixed(Duration.ofMillis(500)), ReadinessConfig.defaults());
    simulator.admin().injectFault(FaultRule.parse("retrieve:429"));
    List<Future<RealtimeSession.Ready>> waits = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      waits.add(awaitAsync(create(), CAT, Duration.ofSeconds(20), s -> {}));
    }
    waitForWaiting(20);

    driveUntilNoneWaits(Duration.ofSeconds(30));

    for (Future<RealtimeSession.Ready> wait : waits) {
      assertThat(failure(wait, RateLimitException.class).status()).isEqualTo(429);
    }
    // At the lowest rate until the last refusal, climbing again since.
    assertThat(poller.effectiveReadsPerSecond()).isLessThan(10);
    // Twenty sessions over twenty seconds, each read again as soon as allowed: the halvings of
    // the first seconds, then one read a second.
    List<Instant> reads = statusReads();
    assertThat(reads.size()).isLessThan(20 + 5 + 25 + 20);
    assertThat(reads.stream().filter(at -> at.isAfter(T0.plusSeconds(10))).count())
        .isLessThanOrEqualTo(11);
  }

  @Test
  void everyStatusReachesOnStatusInOrderOnTheWaitingThread() throws Exception {
    start(DelayDistribution.fixed(Duration.ofSeconds(1)), ReadinessConfig.defaults());
    String id = create();
    List<RealtimeSession.Status> statuses = new CopyOnWriteArrayList<>();
    List<Thread> seenOn = new CopyOnWriteArrayList<>();
    AtomicReference<Thread> waiter = new AtomicReference<>();
    AtomicInteger wrapped = new AtomicInteger();
    UnaryOperator<Runnable> countingReads =
        read ->
            () -> {
              wrapped.incrementAndGet();
              read.run();
            };
    Future<RealtimeSession.Ready> wait =
        threads.submit(
            () -> {
              waiter.set(Thread.currentThread());
              return poller.await(
                  new ReadinessRequest(
                      id,
                      CAT,
                      T0,
                      T0.plusSeconds(30),
                      T0.plusSeconds(30),
                      status -> {
                        statuses.add(status.status());
                        seenOn.add(Thread.currentThread());
                      },
                      countingReads));
            });
    waitForWaiting(1);
    driveUntilNoneWaits(Duration.ofSeconds(30));

    assertThat(wait.get(THREADS.toSeconds(), TimeUnit.SECONDS).id()).isEqualTo(id);
    assertThat(statuses)
        .containsExactly(
            RealtimeSession.Status.NOT_READY,
            RealtimeSession.Status.NOT_READY,
            RealtimeSession.Status.NOT_READY,
            RealtimeSession.Status.READY);
    assertThat(seenOn).containsOnly(waiter.get());
    assertThat(wrapped).hasValue(4);
  }

  @Test
  void closingThePollerEndsEveryWait() throws Exception {
    start(DelayDistribution.fixed(Duration.ofMinutes(5)), ReadinessConfig.defaults());
    Future<RealtimeSession.Ready> wait = awaitAsync(create(), CAT, Duration.ofSeconds(30), s -> {});
    waitForWaiting(1);
    poller.runDue();

    poller.close();

    failure(wait, RunwayInterruptedException.class);
    assertThat(poller.waiting()).isZero();
  }

  // ----- The scheduler's own thread

  @Test
  void theSchedulerThreadServesManyWaitsOnItsOwn() throws Exception {
    // Real time here, with a short READY: nothing is asserted about how long anything took.
    RunwaySimulator sim =
        track(
            RunwaySimulator.start(
                SimulatorConfig.builder()
                    .readyAfter(
                        DelayDistribution.uniform(Duration.ofMillis(50), Duration.ofMillis(300)))
                    .readyWindow(READY_WINDOW)
                    .build()));
    RealtimeSessions real = client(sim, Clock.systemUTC()).realtimeSessions();
    ReadinessConfig config = ReadinessConfig.defaults();
    ReadinessModel realModel = new ReadinessModel(config, Runnable::run);
    ReadinessPoller threaded =
        track(ReadinessPoller.start(real, realModel, config, Clock.systemUTC()));
    List<Future<RealtimeSession.Ready>> waits = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = real.create(params());
      Instant created = Instant.now();
      waits.add(
          threads.submit(
              () ->
                  threaded.await(
                      id,
                      CAT,
                      created,
                      created.plusSeconds(30),
                      created.plusSeconds(30),
                      s -> {})));
    }

    for (Future<RealtimeSession.Ready> wait : waits) {
      assertThat(wait.get(30, TimeUnit.SECONDS).status()).isEqualTo(RealtimeSession.Status.READY);
    }
    assertThat(threaded.waiting()).isZero();
    assertThat(realModel.summary(CAT)).isPresent();
  }

  // ----- Helpers

  /** The model's time from the test's clock, so that its refits follow simulated time. */
  static long nanos(Clock clock) {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static RunwayClient client(RunwaySimulator sim, Clock clock) {
    return RunwayClient.builder()
        .apiKey(SimulatorConfig.DEFAULT_API_KEY)
        .baseUrl(sim.baseUrl())
        .clock(clock)
        .maxRetries(0)
        .build();
  }

  private static RealtimeSessionCreateParams params() {
    return RealtimeSessionCreateParams.builder(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
        .build();
  }

  private String create() {
    return sessions.create(params());
  }

  private Future<RealtimeSession.Ready> awaitAsync(
      String id, String avatar, Duration deadline, Consumer<RealtimeSession> onStatus) {
    Instant now = clock.instant();
    return awaitAsync(id, avatar, now, now.plus(deadline), now.plus(deadline), onStatus);
  }

  private Future<RealtimeSession.Ready> awaitAsync(
      String id, String avatar, Instant createdAt, Duration deadline) {
    return awaitAsync(
        id, avatar, createdAt, createdAt.plus(deadline), createdAt.plus(deadline), s -> {});
  }

  private Future<RealtimeSession.Ready> awaitAsync(
      String id,
      String avatar,
      Instant createdAt,
      Instant deadline,
      Instant queuedDeadline,
      Consumer<RealtimeSession> onStatus) {
    return threads.submit(
        () -> poller.await(id, avatar, createdAt, deadline, queuedDeadline, onStatus));
  }

  private void waitForWaiting(int n) {
    Awaitility.await().atMost(THREADS).until(() -> poller.waiting() == n);
  }

  /** Runs the scheduler, moving the clock to each instant it asks for, until no session waits. */
  private void driveUntilNoneWaits(Duration limit) {
    Instant end = clock.instant().plus(limit);
    while (true) {
      Instant next = poller.runDue();
      if (poller.waiting() == 0) {
        return;
      }
      if (clock.instant().isAfter(end)) {
        fail("sessions still waiting after " + limit + " of simulated time: " + poller.waiting());
      }
      step(next);
    }
  }

  /** Runs the scheduler for this much simulated time. */
  private void driveFor(Duration time) {
    Instant end = clock.instant().plus(time);
    while (clock.instant().isBefore(end)) {
      Instant next = poller.runDue();
      step(next.isAfter(end) ? end : next);
    }
    poller.runDue();
  }

  private void step(Instant next) {
    if (next.isAfter(clock.instant())) {
      clock.advanceTo(next);
    } else {
      clock.advance(Duration.ofMillis(1));
    }
  }

  /** When each status read reached the simulator, in order. */
  private List<Instant> statusReads() {
    return simulator.admin().requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().startsWith("/v1/realtime_sessions/"))
        .map(RecordedRequest::time)
        .toList();
  }

  private static int maxInAnySecond(List<Instant> times) {
    int max = 0;
    int from = 0;
    for (int to = 0; to < times.size(); to++) {
      while (!times.get(from).plusSeconds(1).isAfter(times.get(to))) {
        from++;
      }
      max = Math.max(max, to - from + 1);
    }
    return max;
  }

  private SessionRecord record(String id) {
    return simulator.admin().session(id).orElseThrow();
  }

  private static <T extends Throwable> T failure(Future<?> wait, Class<T> type)
      throws InterruptedException, TimeoutException {
    try {
      Object value = wait.get(THREADS.toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("expected " + type.getSimpleName() + ", got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(type);
      return type.cast(e.getCause());
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    toClose.add(resource);
    return resource;
  }
}
