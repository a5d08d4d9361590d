package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.AvatarPreset;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.SessionAvatar;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Prints the status reads per session that the poller spends, over HTTP against the simulator, next
 * to what the model alone spends ({@link ModelSimulation}) on the same kind of sessions: whether
 * the poller adds reads of its own (a read at create time, a read before the previous one answered,
 * reads the budget moved). Not a test: figures to compare. Simulated time (a {@link ManualClock}
 * shared with the simulator), so reads take no time and lateness is not what is looked at.
 *
 * <p>As the readiness benchmark's section 1: READY after {@code lognormal(1500 ms, 0.25)}, 40
 * warm-up sessions, then 200 measured, 8 created at once; once with the default budget (50 a
 * second, whose burst of 5 holds back 3 of every 8 first reads) and once with a budget that never
 * binds.
 *
 * <pre>{@code
 * mvn -B -q -pl gateway-core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.avatargateway.gateway.core.internal.readiness.ReadinessPollerReads
 * }</pre>
 */
public final class ReadinessPollerReads {
  private static final int WARM_UP = 40;
  private static final int MEASURED = 200;
  private static final int AT_ONCE = 8;

  /** A budget that never binds for 8 sessions at once. */
  private static final int AMPLE_BUDGET = 1_000;

  /** Seeds of the model-only runs, for the spread of a mean over 200 sessions. */
  private static final int MODEL_SEEDS = 8;

  private static final String AVATAR = "cat-character";

  private ReadinessPollerReads() {}

  public static void main(String[] args) throws Exception {
    for (int budget : new int[] {ReadinessConfig.DEFAULT_READS_PER_SECOND, AMPLE_BUDGET}) {
      System.out.printf(
          "poller over HTTP, %d at once, %d reads a second: %.3f status reads per session%n",
          AT_ONCE, budget, pollerReads(budget));
    }
    for (long seed = 1; seed <= MODEL_SEEDS; seed++) {
      ModelSimulation.Figures f =
          ModelSimulation.run(
              ReadinessConfig.defaults(),
              ModelSimulation.logNormal(new Random(seed), 1.5, 0.25),
              WARM_UP,
              MEASURED);
      System.out.printf("model alone, seed %d: %s%n", seed, f);
    }
  }

  private static double pollerReads(int readsPerSecond) throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2030-01-01T12:00:00Z"));
    ReadinessConfig config = ReadinessConfig.defaults().withReadsPerSecond(readsPerSecond);
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        RunwaySimulator simulator =
            RunwaySimulator.start(
                SimulatorConfig.builder()
                    .readyAfter(DelayDistribution.logNormal(Duration.ofMillis(1500), 0.25))
                    .clock(clock)
                    .readyWindow(Duration.ofMinutes(10))
                    .seed(7)
                    .build())) {
      RealtimeSessions sessions =
          RunwayClient.builder()
              .apiKey(SimulatorConfig.DEFAULT_API_KEY)
              .baseUrl(simulator.baseUrl())
              .clock(clock)
              .maxRetries(0)
              .build()
              .realtimeSessions();
      ReadinessModel model =
          new ReadinessModel(
              config,
              Runnable::run,
              new Random(3)::nextDouble,
              () -> ReadinessPollerTest.nanos(clock));
      List<String> measured = new ArrayList<>();
      try (ReadinessPoller poller =
          ReadinessPoller.manual(sessions, model, config, clock, Runnable::run)) {
        for (int done = 0; done < WARM_UP + MEASURED; done += AT_ONCE) {
          List<Future<?>> waits = new ArrayList<>();
          for (int i = 0; i < AT_ONCE; i++) {
            String id =
                sessions.create(
                    RealtimeSessionCreateParams.builder(
                            SessionAvatar.preset(AvatarPreset.CAT_CHARACTER))
                        .build());
            if (done >= WARM_UP) {
              measured.add(id);
            }
            Instant now = clock.instant();
            Instant deadline = now.plusSeconds(30);
            waits.add(
                threads.submit(() -> poller.await(id, AVATAR, now, deadline, deadline, s -> {})));
          }
          while (poller.waiting() < AT_ONCE) {
            LockSupport.parkNanos(1_000_000);
          }
          while (poller.waiting() > 0) {
            Instant next = poller.runDue();
            if (next.isAfter(clock.instant())) {
              clock.advanceTo(next);
            } else {
              clock.advance(Duration.ofMillis(1));
            }
          }
          for (Future<?> wait : waits) {
            wait.get();
          }
        }
      }
      long reads = 0;
      for (String id : measured) {
        reads += simulator.admin().session(id).orElseThrow().getCount();
      }
      return (double) reads / measured.size();
    }
  }
}
