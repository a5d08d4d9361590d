package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many virtual threads at once never get more slots than the caps allow. */
class ConcurrencyTest {
  private static final int THREADS = 2_000;
  private static final int CAP = 3;

  @Test
  void concurrentAdmitsNeverExceedAPrincipalsCap() throws Exception {
    InFlightCounters counters = new InFlightCounters(CAP, 1_000);
    AtomicInteger rejected = new AtomicInteger();
    ConnectLimiter limiter =
        new ConnectLimiter(null, null, counters, 64, limit -> rejected.incrementAndGet());
    List<Principal> principals =
        List.of(new Principal("alice", "jwt"), new Principal("bob", "jwt"));
    List<AtomicInteger> inFlight = List.of(new AtomicInteger(), new AtomicInteger());
    List<AtomicInteger> highWater = List.of(new AtomicInteger(), new AtomicInteger());
    AtomicInteger admitted = new AtomicInteger();

    runAtOnce(
        i -> {
          int who = i % 2;
          Permit permit;
          try {
            permit = limiter.admit(principals.get(who), "192.0.2." + (i % 200));
          } catch (GatewayException e) {
            return; // rejected: expected for most
          }
          try {
            admitted.incrementAndGet();
            int now = inFlight.get(who).incrementAndGet();
            highWater.get(who).accumulateAndGet(now, Math::max);
            Thread.sleep(1); // hold the slot while others try
            inFlight.get(who).decrementAndGet();
          } finally {
            permit.close();
          }
        });

    assertThat(highWater.get(0).get()).isBetween(1, CAP);
    assertThat(highWater.get(1).get()).isBetween(1, CAP);
    assertThat(admitted.get() + rejected.get()).isEqualTo(THREADS);
    assertThat(counters.trackedKeys()).isZero();
  }

  @Test
  void concurrentAcquiresNeverExceedTheUpstreamCap() throws Exception {
    UpstreamCreateGate gate = new UpstreamCreateGate(CAP, limit -> {});
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger highWater = new AtomicInteger();

    runAtOnce(
        i -> {
          Permit permit;
          try {
            permit = gate.acquire();
          } catch (GatewayException e) {
            return; // rejected: expected for most
          }
          try {
            highWater.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            assertThat(gate.inFlight()).isBetween(1, CAP);
            Thread.sleep(1);
            inFlight.decrementAndGet();
          } finally {
            permit.close();
          }
        });

    assertThat(highWater.get()).isBetween(1, CAP);
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void racingClosesReleaseOnce() throws Exception {
    ConnectLimiter limiter =
        ConnectLimiter.inMemory(
            new RateLimitConfig(TokenBucket.OFF, TokenBucket.OFF, 1, null, null, null, null),
            System::nanoTime,
            limit -> {});
    Principal alice = new Principal("alice", "jwt");
    for (int round = 0; round < 200; round++) {
      Permit permit = limiter.admit(alice, "192.0.2.1");
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> closers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        closers.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      awaitQuietly(start);
                      permit.close();
                    }));
      }
      start.countDown();
      for (Thread closer : closers) {
        closer.join();
      }
      // Released exactly once: one slot free again, and only one.
      Permit next = limiter.admit(alice, "192.0.2.1");
      assertThat(rejects(() -> limiter.admit(alice, "192.0.2.1"))).isTrue();
      next.close();
    }
  }

  private interface Task {
    void run(int index) throws Exception;
  }

  /** Starts every task on its own virtual thread, releases them together, waits for all. */
  private static void runAtOnce(Task task) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < THREADS; i++) {
        int index = i;
        futures.add(
            executor.submit(
                () -> {
                  start.await();
                  task.run(index);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(); // rethrows a failed assertion from a task
      }
    }
  }

  private static boolean rejects(Runnable admit) {
    try {
      admit.run();
      return false;
    } catch (GatewayException e) {
      return true;
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
