package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent requests start no platform threads: the client's own JDK HTTP client completes
 * requests on its one selector thread, where the JDK's default executor would grow a pool thread
 * for about every concurrent request.
 */
class PlatformThreadsTest {
  private static final int CONCURRENT_REQUESTS = 500;

  private final SimulatedRunway runway = new SimulatedRunway();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void aBurstOfConcurrentRequestsStartsNoHttpClientThread() throws Exception {
    RunwayClient client = runway.client();
    String id =
        client
            .realtimeSessions()
            .create(RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.INFLUENCER)));
    // The first request has started the client's selector thread.
    Set<Thread> before = httpClientPlatformThreads();

    CountDownLatch start = new CountDownLatch(1);
    List<Future<RealtimeSession>> calls = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CONCURRENT_REQUESTS; i++) {
        calls.add(
            threads.submit(
                () -> {
                  start.await();
                  return client.realtimeSessions().retrieve(id);
                }));
      }
      start.countDown();
      for (Future<RealtimeSession> call : calls) {
        assertThat(call.get()).isInstanceOf(RealtimeSession.NotReady.class);
      }
    }

    Set<Thread> started = httpClientPlatformThreads();
    started.removeAll(before);
    assertThat(started).isEmpty();
  }

  /** The JDK names its HTTP client threads {@code HttpClient-<n>-SelectorManager/Worker-<m>}. */
  private static Set<Thread> httpClientPlatformThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.isVirtual() && t.getName().startsWith("HttpClient-"))
        .collect(Collectors.toSet());
  }
}
