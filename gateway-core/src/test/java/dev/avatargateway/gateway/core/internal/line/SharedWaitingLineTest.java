package dev.avatargateway.gateway.core.internal.line;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.RateLimitConfig.TokenBucket;
import dev.avatargateway.gateway.core.RedisConfig;
import dev.avatargateway.gateway.core.internal.limits.CuttableRedis;
import dev.avatargateway.gateway.core.internal.limits.RedisBuckets;
import dev.avatargateway.gateway.core.internal.limits.RedisLeases;
import dev.avatargateway.gateway.core.internal.limits.TestRedis;
import dev.avatargateway.gateway.core.internal.limits.UpstreamCreateGate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting line shared through a real Redis: two {@link WaitingLine}s with their own Redis
 * clients, lease renewers and pollers stand for two gateway instances on one key prefix. Arrivals
 * alternate between the instances; slots must be granted in ticket order across both, positions are
 * global, the bounds hold across both, and a dead instance's waiter is skipped once its lease
 * expires. Leases last the shortest allowed time (3 s); waits are on state (Awaitility).
 */
class SharedWaitingLineTest {
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration AWAIT = Duration.ofSeconds(15);

  private final String prefix = TestRedis.uniquePrefix();
  private final List<String> rejections = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final List<String> granted = new CopyOnWriteArrayList<>();
  private boolean usedRedis;

  @AfterEach
  void cleanUp() throws Exception {
    for (Waiter w : waiters) {
      w.thread.interrupt();
      w.thread.join(AWAIT);
      w.closePlace();
    }
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    if (usedRedis) {
      TestRedis.deleteUnder(prefix);
    }
  }

  @Test
  void slotsGoInArrivalOrderAcrossInstancesWithGlobalPositions() throws Exception {
    TestRedis.assumeRedis();
    WaitingLine east = line(1, config(10, 1));
    WaitingLine west = line(1, config(10, 1));
    WaitingLine.Place holder = east.enter("principal:holder", (p, eta) -> {});
    List<Waiter> arrivals = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      Waiter w = join(i % 2 == 1 ? east : west, "principal:" + i);
      int position = i;
      await().atMost(AWAIT).until(() -> w.positions.contains(position));
      arrivals.add(w);
    }
    await().atMost(AWAIT).until(() -> east.length() == 4 && west.length() == 4);

    holder.close();

    await().atMost(AWAIT).until(() -> granted.size() == 4);
    assertThat(granted).containsExactly("principal:1", "principal:2", "principal:3", "principal:4");
    // A poll may come after two grants (4 then 2): positions only ever move up, to 1.
    assertThat(arrivals.get(3).positions)
        .startsWith(4)
        .endsWith(1)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(arrivals.get(1).positions).containsExactly(2, 1);
    await().atMost(AWAIT).until(() -> live(gateKey()) == 0 && members(waitersKey()) == 0);
    assertThat(rejections).isEmpty();
  }

  @Test
  void theLinesBoundsHoldAcrossInstances() throws Exception {
    TestRedis.assumeRedis();
    WaitingLine east = line(1, config(2, 1));
    WaitingLine west = line(1, config(2, 1));
    WaitingLine.Place holder = east.enter("principal:holder", (p, eta) -> {});
    Waiter first = join(east, "principal:alice");
    await().atMost(AWAIT).until(() -> first.positions.contains(1));

    assertThatThrownBy(() -> west.enter("principal:alice", (p, eta) -> {}))
        .as("alice already waits, on the other instance")
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_WAITING));
    Waiter second = join(west, "principal:bob");
    await().atMost(AWAIT).until(() -> second.positions.contains(2));
    assertThatThrownBy(() -> east.enter("principal:carol", (p, eta) -> {}))
        .as("two wait across both instances: the line is full")
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY));
    assertThat(rejections)
        .containsExactly(WaitingLine.REJECTED_PRINCIPAL, WaitingLine.REJECTED_FULL);

    holder.close();
    await().atMost(AWAIT).until(() -> granted.size() == 2);
    assertThat(granted).containsExactly("principal:alice", "principal:bob");
  }

  @Test
  void aDeadInstancesWaiterIsSkippedOnceItsLeaseExpires() throws Exception {
    TestRedis.assumeRedis();
    WaitingLine east = line(1, config(10, 1));
    Instance dying = instance();
    WaitingLine west = dying.line(1, config(10, 1));
    WaitingLine.Place holder = east.enter("principal:holder", (p, eta) -> {});
    Waiter doomed = join(west, "principal:doomed");
    await().atMost(AWAIT).until(() -> doomed.positions.contains(1));
    Waiter survivor = join(east, "principal:survivor");
    await().atMost(AWAIT).until(() -> survivor.positions.contains(2));

    dying.die(); // its renewer and poller stop; its waiter's thread is left parked

    await().atMost(AWAIT).until(() -> survivor.positions.contains(1));
    holder.close();
    await().atMost(AWAIT).until(() -> granted.contains("principal:survivor"));
    assertThat(granted).containsExactly("principal:survivor");
    assertThat(doomed.place.get()).isNull();
  }

  @Test
  void aSessionQueuedUpstreamOnOneInstanceClosesTheLineOnTheOther() throws Exception {
    TestRedis.assumeRedis();
    WaitingLine east = line(2, config(10, 1));
    WaitingLine west = line(2, config(10, 1));
    WaitingLine.Place queued = east.enter("principal:queued", (p, eta) -> {});
    queued.upstreamQueued(true);

    Waiter waiting = join(west, "principal:next");
    await().atMost(AWAIT).until(() -> waiting.positions.contains(1));
    await().atMost(AWAIT).until(west::closedByUpstream);
    assertThat(granted).as("a slot is free, but the line is closed").isEmpty();

    queued.upstreamQueued(false);
    await().atMost(AWAIT).until(() -> granted.contains("principal:next"));
    queued.close();
  }

  @Test
  void anUnreachableRedisRefusesOrFallsBackToThisInstancesLine() throws Exception {
    WaitingLine refusing = line(unreachable("refuse"), 1, config(10, 1));
    assertThatThrownBy(() -> refusing.enter("principal:alice", (p, eta) -> {}))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE));

    WaitingLine local = line(unreachable("local"), 1, config(10, 1));
    WaitingLine.Place place = local.enter("principal:alice", (p, eta) -> {});
    Waiter next = join(local, "principal:bob");
    await().atMost(AWAIT).until(() -> next.positions.contains(1));
    place.close();
    await().atMost(AWAIT).until(() -> granted.contains("principal:bob"));
  }

  @Test
  void aSlotReleasedDuringAnOutageFreesByItselfAndNothingIsLeakedOnceRedisIsBack()
      throws Exception {
    TestRedis.assumeRedis();
    CuttableRedis relay = CuttableRedis.start();
    opened.add(relay);
    Instance instance = new Instance(relay.url(), "refuse");
    usedRedis = true;
    WaitingLine line = instance.line(1, config(10, 1));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter next = join(line, "principal:next");
    await().atMost(AWAIT).until(() -> next.positions.contains(1));

    relay.cut();
    holder.close(); // the release fails: counted, and the lease expires by itself
    assertThatThrownBy(() -> line.enter("principal:late", (p, eta) -> {}))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE));
    relay.restore();

    await().atMost(AWAIT).until(() -> granted.contains("principal:next"));
    await().atMost(AWAIT).until(() -> live(gateKey()) == 0);
    assertThat(members(waitersKey())).isZero();
    assertThat(instance.leases.held()).isZero();
    assertThat(next.failure.get()).isNull();
  }

  /** One gateway instance: its own Redis client, renewer and (through its lines) poller. */
  private final class Instance {
    final RedisBuckets redis;
    final RedisLeases leases;
    final List<WaitingLine> lines = new ArrayList<>();

    Instance(String url, String onFailure) {
      usedRedis |= url.equals(TestRedis.URL);
      redis =
          RedisBuckets.create(
              new RedisConfig(url, prefix, onFailure, null, LEASE), System::nanoTime);
      leases = RedisLeases.start(redis);
      opened.add(redis);
      opened.add(leases);
    }

    WaitingLine line(int slots, LineConfig config) {
      UpstreamCreateGate gate =
          UpstreamCreateGate.shared(
              new RateLimitConfig(
                  TokenBucket.OFF, TokenBucket.OFF, 0, slots, null, null, null, TokenBucket.OFF),
              leases,
              limit -> {});
      WaitingLine line =
          new WaitingLine(gate, config, WaitEstimator.none(), Clock.systemUTC(), rejections::add);
      lines.add(line);
      opened.add(line::close);
      return line;
    }

    void die() {
      lines.forEach(WaitingLine::close);
      leases.close();
    }
  }

  private Instance instance() {
    return new Instance(TestRedis.URL, "refuse");
  }

  private Instance unreachable(String onFailure) {
    return new Instance(TestRedis.UNREACHABLE_URL, onFailure);
  }

  private WaitingLine line(int slots, LineConfig config) {
    return instance().line(slots, config);
  }

  private static WaitingLine line(Instance instance, int slots, LineConfig config) {
    return instance.line(slots, config);
  }

  private static LineConfig config(int maxWaiting, int perPrincipal) {
    return new LineConfig(maxWaiting, perPrincipal, Duration.ofSeconds(60), null);
  }

  private String gateKey() {
    return prefix + UpstreamCreateGate.SET_NAME;
  }

  private String waitersKey() {
    return prefix + SharedLine.WAITERS;
  }

  private static long members(String key) {
    return TestRedis.withRedis(redis -> redis.zcard(key));
  }

  /** Members whose lease has not expired by Redis's clock. */
  private static long live(String set) {
    long now = TestRedis.serverMillis();
    return TestRedis.withRedis(
        redis -> redis.zcount(set, io.lettuce.core.Range.create((double) now, Double.MAX_VALUE)));
  }

  /**
   * Joins {@code line} on a virtual thread of its own, recording what it is told; once served it
   * records its key in {@link #granted} and gives its slot back, so the next in line is served.
   */
  private Waiter join(WaitingLine line, String key) {
    Waiter w = new Waiter();
    w.thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    WaitingLine.Place place =
                        line.enter(key, (position, eta) -> w.positions.add(position));
                    w.place.set(place);
                    granted.add(key);
                    place.close();
                  } catch (InterruptedException | RuntimeException e) {
                    w.failure.set(e);
                  }
                });
    waiters.add(w);
    return w;
  }

  private static final class Waiter {
    final List<Integer> positions = new CopyOnWriteArrayList<>();
    final AtomicReference<WaitingLine.Place> place = new AtomicReference<>();
    final AtomicReference<Exception> failure = new AtomicReference<>();
    Thread thread;

    void closePlace() {
      WaitingLine.Place p = place.get();
      if (p != null) {
        p.close();
      }
    }
  }
}
