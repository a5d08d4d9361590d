package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One shared client from a thousand virtual threads at once, each running the whole flow against
 * the simulator in real time: every call succeeds, every session is distinct and nothing leaks.
 * Nothing here is timed; the figures for speed are in BENCHMARKS.md.
 */
class ConcurrencyTest {
  private static final int CALLERS = 1_000;

  @Test
  void aThousandVirtualThreadsShareOneClient() throws Exception {
    try (RunwaySimulator simulator =
            RunwaySimulator.start(
                SimulatorConfig.builder()
                    .readyAfter(
                        DelayDistribution.uniform(Duration.ofMillis(100), Duration.ofMillis(400)))
                    .build());
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      RunwayClient client =
          RunwayClient.builder()
              .apiKey(SimulatorConfig.DEFAULT_API_KEY)
              .baseUrl(simulator.baseUrl())
              .build();
      RealtimeSessionCreateParams params =
          RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.TENNIS_COACH));
      Instant deadline = Instant.now().plusSeconds(60);

      List<Future<StartedSession>> calls = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        calls.add(threads.submit(() -> client.realtimeSessions().startSession(params, deadline)));
      }
      Set<String> ids = ConcurrentHashMap.newKeySet();
      for (Future<StartedSession> call : calls) {
        ids.add(call.get().sessionId());
      }

      assertThat(ids).hasSize(CALLERS);
      assertThat(simulator.admin().sessions())
          .hasSize(CALLERS)
          .allSatisfy(s -> assertThat(s.status()).isEqualTo("RUNNING"));
      assertThat(simulator.admin().leakedCount()).isZero();
    }
  }
}
