package dev.avatargateway.gateway.core.internal.line;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.internal.auth.TestClock;
import dev.avatargateway.gateway.core.internal.limits.UpstreamCreateGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The waiting line with real (virtual) threads and a clock moved by hand: strict arrival order,
 * positions told and updated, a leaver's place freed, the bounds, the deadline, and the upstream's
 * queued signal closing and reopening it.
 */
class WaitingLineTest {
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T12:00:00Z"));
  private final List<String> rejections = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  @AfterEach
  void noThreadIsLeftWaiting() throws InterruptedException {
    for (Waiter w : waiters) {
      w.thread.interrupt();
      w.thread.join(AWAIT);
      w.closePlace();
    }
  }

  @Test
  void aStartPassesAtOnceWhileASlotIsFreeAndIsToldNothing() throws Exception {
    WaitingLine line = line(1, config(10, 0, 30));
    List<Integer> told = new ArrayList<>();

    WaitingLine.Place place = line.enter("principal:alice", (p, eta) -> told.add(p));

    assertThat(told).isEmpty();
    assertThat(line.length()).isZero();
    place.close();
  }

  @Test
  void manyStartsJoiningAtOnceAreServedStrictlyInTheOrderTheyJoined() throws Exception {
    WaitingLine line = line(1, config(100, 0, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    int starts = 40;
    List<Integer> served = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> joinedAt = new ConcurrentHashMap<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < starts; i++) {
      int id = i;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                      WaitingLine.Place place =
                          line.enter("principal:p" + id, (p, eta) -> joinedAt.putIfAbsent(id, p));
                      served.add(id);
                      place.close();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    go.countDown();
    await().atMost(AWAIT).until(() -> line.length() == starts && joinedAt.size() == starts);

    holder.close();
    for (Thread t : threads) {
      t.join(AWAIT);
    }

    List<Integer> byPosition = new ArrayList<>(joinedAt.keySet());
    byPosition.sort((a, b) -> Integer.compare(joinedAt.get(a), joinedAt.get(b)));
    assertThat(joinedAt.values()).doesNotHaveDuplicates();
    assertThat(served).containsExactlyElementsOf(byPosition);
    assertThat(line.length()).isZero();
  }

  @Test
  void aSlotThatFreesGoesToTheHeadNotToANewArrival() throws Exception {
    WaitingLine line = line(1, config(10, 0, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter first = join(line, "principal:first");
    await().atMost(AWAIT).until(() -> first.positions.equals(List.of(1)));

    holder.close();
    await().atMost(AWAIT).until(() -> first.place.get() != null);
    // The slot is the first's now: a newcomer waits behind, it does not take it.
    Waiter newcomer = join(line, "principal:newcomer");
    await().atMost(AWAIT).until(() -> newcomer.positions.equals(List.of(1)));
    assertThat(newcomer.place.get()).isNull();

    first.closePlace();
    await().atMost(AWAIT).until(() -> newcomer.place.get() != null);
  }

  @Test
  void eachWaiterIsToldItsPositionOnJoiningAndWheneverItMoves() throws Exception {
    WaitingLine line = line(1, config(10, 0, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter a = join(line, "principal:a");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    Waiter b = join(line, "principal:b");
    await().atMost(AWAIT).until(() -> line.length() == 2);
    Waiter c = join(line, "principal:c");
    await().atMost(AWAIT).until(() -> c.positions.size() == 1);

    holder.close();
    await().atMost(AWAIT).until(() -> a.place.get() != null && c.positions.size() == 2);

    assertThat(a.positions).containsExactly(1);
    assertThat(b.positions).containsExactly(2, 1);
    assertThat(c.positions).containsExactly(3, 2);
  }

  @Test
  void aWaiterThatLeavesGivesUpItsPlaceAtOnceAndThoseBehindMoveUp() throws Exception {
    WaitingLine line = line(1, config(10, 0, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter a = join(line, "principal:a");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    Waiter b = join(line, "principal:b");
    await().atMost(AWAIT).until(() -> line.length() == 2);
    Waiter c = join(line, "principal:c");
    await().atMost(AWAIT).until(() -> c.positions.size() == 1);

    b.thread.interrupt(); // what a client that disconnects does to its connect
    b.thread.join(AWAIT);

    assertThat(b.failure.get()).isInstanceOf(InterruptedException.class);
    await().atMost(AWAIT).until(() -> c.positions.equals(List.of(3, 2)));
    assertThat(line.length()).isEqualTo(2);
    assertThat(a.positions).containsExactly(1);

    holder.close();
    await().atMost(AWAIT).until(() -> a.place.get() != null);
    a.closePlace();
    await().atMost(AWAIT).until(() -> c.place.get() != null);
    assertThat(b.place.get()).isNull();
  }

  @Test
  void beyondItsBoundTheLineAnswersUpstreamBusy() throws Exception {
    WaitingLine line = line(1, config(2, 0, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    join(line, "principal:a");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    join(line, "principal:b");
    await().atMost(AWAIT).until(() -> line.length() == 2);

    GatewayException full =
        catchThrowableOfType(
            GatewayException.class, () -> line.enter("principal:c", (p, eta) -> {}));

    assertThat(full.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY);
    assertThat(full.retryAfter()).isEqualTo(Optional.of(WaitingLine.DEFAULT_RETRY_AFTER));
    assertThat(rejections).containsExactly(WaitingLine.REJECTED_FULL);
    assertThat(line.length()).isEqualTo(2);
    holder.close();
  }

  @Test
  void switchedOffAFullGateRefusesAtOnce() {
    WaitingLine line = line(1, LineConfig.off());
    WaitingLine.Place holder = tryEnter(line, "principal:holder");

    GatewayException busy =
        catchThrowableOfType(
            GatewayException.class, () -> line.enter("principal:a", (p, eta) -> {}));

    assertThat(busy.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY);
    assertThat(line.length()).isZero();
    holder.close();
    assertThat(tryEnter(line, "principal:a")).isNotNull();
  }

  @Test
  void onePrincipalCannotHoldMoreThanItsPlaces() throws Exception {
    WaitingLine line = line(1, config(10, 2, 60));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    join(line, "principal:alice");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    join(line, "principal:alice");
    await().atMost(AWAIT).until(() -> line.length() == 2);

    GatewayException third =
        catchThrowableOfType(
            GatewayException.class, () -> line.enter("principal:alice", (p, eta) -> {}));
    Waiter bob = join(line, "principal:bob");

    assertThat(third.code()).isEqualTo(ErrorCode.TOO_MANY_WAITING);
    assertThat(third.code().status()).isEqualTo(429);
    assertThat(rejections).containsExactly(WaitingLine.REJECTED_PRINCIPAL);
    await().atMost(AWAIT).until(() -> bob.positions.equals(List.of(3)));
    holder.close();
  }

  @Test
  void aStartWhoseWaitReachesMaxWaitLeavesWithUpstreamBusyAndOthersMoveUp() throws Exception {
    WaitingLine line = line(1, config(10, 0, 5));
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter a = join(line, "principal:a");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    clock.advance(Duration.ofSeconds(3));
    Waiter b = join(line, "principal:b");
    await().atMost(AWAIT).until(() -> b.positions.size() == 1);

    clock.advance(Duration.ofSeconds(2)); // a has waited its 5 s, b only 2
    line.recheckDeadlines();
    a.thread.join(AWAIT);

    assertThat(a.failure.get()).isInstanceOf(GatewayException.class);
    GatewayException expired = (GatewayException) a.failure.get();
    assertThat(expired.code()).isEqualTo(ErrorCode.UPSTREAM_BUSY);
    assertThat(expired.retryAfter()).isPresent();
    await().atMost(AWAIT).until(() -> b.positions.equals(List.of(2, 1)));
    assertThat(b.failure.get()).isNull();
    assertThat(line.length()).isEqualTo(1);
    holder.close();
    await().atMost(AWAIT).until(() -> b.place.get() != null);
  }

  @Test
  void aQueuedUpstreamSessionClosesTheLineUntilNoneIsQueued() throws Exception {
    WaitingLine line = line(3, config(10, 0, 60));
    WaitingLine.Place first = line.enter("principal:first", (p, eta) -> {});
    WaitingLine.Place second = line.enter("principal:second", (p, eta) -> {});

    first.upstreamQueued(true);
    second.upstreamQueued(true);
    // A slot is free, but the organisation is full: the start waits.
    Waiter a = join(line, "principal:a");
    await().atMost(AWAIT).until(() -> a.positions.equals(List.of(1)));
    assertThat(line.closedByUpstream()).isTrue();

    first.upstreamQueued(false);
    assertThat(line.closedByUpstream()).isTrue();
    second.close(); // a queued session whose connect ends no longer holds the line closed
    await().atMost(AWAIT).until(() -> a.place.get() != null);
    assertThat(line.closedByUpstream()).isFalse();
    first.close();
  }

  @Test
  void theEstimatedWaitComesWithEachPosition() throws Exception {
    WaitEstimator estimator =
        new WaitEstimator(
            () ->
                new WaitEstimator.History(Optional.of(Duration.ofSeconds(8)), Optional.empty(), 0),
            1,
            Duration.ofSeconds(30),
            clock,
            Runnable::run);
    WaitingLine line =
        new WaitingLine(gate(1), config(10, 0, 60), estimator, clock, rejections::add);
    WaitingLine.Place holder = line.enter("principal:holder", (p, eta) -> {});
    Waiter a = join(line, "principal:a");
    await().atMost(AWAIT).until(() -> line.length() == 1);
    Waiter b = join(line, "principal:b");
    await().atMost(AWAIT).until(() -> b.etas.size() == 1);

    assertThat(a.etas).containsExactly(Optional.of(Duration.ofSeconds(8)));
    assertThat(b.etas).containsExactly(Optional.of(Duration.ofSeconds(16)));
    holder.close();
    await().atMost(AWAIT).until(() -> b.etas.size() == 2);
    assertThat(b.etas.get(1)).contains(Duration.ofSeconds(8));
  }

  @Test
  void aPrincipalsBudgetIsReadOnlyWhenItMustWaitAndBoundsItsPlaces() throws Exception {
    List<String> read = new CopyOnWriteArrayList<>();
    // Two places allowed to alice, none beyond; bob unbounded.
    WaitingLine.PlaceBudget budget =
        principal -> {
          read.add(principal);
          return held ->
              principal.equals("alice") && held >= 2
                  ? Optional.of(new GatewayException(ErrorCode.QUOTA_EXCEEDED, "over budget"))
                  : Optional.empty();
        };
    WaitingLine line =
        new WaitingLine(
            gate(1), config(10, 0, 60), WaitEstimator.none(), clock, rejections::add, budget);

    WaitingLine.Place holder = line.enter("principal:alice", Optional.of("alice"), (p, eta) -> {});
    assertThat(read).as("a start that passes at once reads no budget").isEmpty();
    joinAs(line, "alice");
    joinAs(line, "alice");
    await().atMost(AWAIT).until(() -> line.length() == 2);

    GatewayException refused =
        catchThrowableOfType(
            GatewayException.class,
            () -> line.enter("principal:alice", Optional.of("alice"), (p, eta) -> {}));

    assertThat(refused.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    assertThat(rejections).containsExactly(WaitingLine.REJECTED_BUDGET);
    assertThat(line.length()).isEqualTo(2);
    joinAs(line, "bob");
    await().atMost(AWAIT).until(() -> line.length() == 3);
    assertThat(read).containsExactly("alice", "alice", "alice", "bob");
    holder.close();
  }

  private void joinAs(WaitingLine line, String principal) {
    Waiter w = new Waiter();
    w.thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    w.place.set(
                        line.enter("principal:" + principal, Optional.of(principal), (p, e) -> {}));
                  } catch (InterruptedException | GatewayException e) {
                    w.failure.set(e);
                  }
                });
    waiters.add(w);
  }

  // ----- helpers

  private WaitingLine line(int slots, LineConfig config) {
    return new WaitingLine(gate(slots), config, WaitEstimator.none(), clock, rejections::add);
  }

  private static UpstreamCreateGate gate(int slots) {
    return UpstreamCreateGate.inMemory(
        new RateLimitConfig(null, null, null, slots, null, null, null), limit -> {});
  }

  private static LineConfig config(int maxWaiting, int perPrincipal, int maxWaitSeconds) {
    return new LineConfig(maxWaiting, perPrincipal, Duration.ofSeconds(maxWaitSeconds), null);
  }

  private static WaitingLine.Place tryEnter(WaitingLine line, String key) {
    try {
      return line.enter(key, (p, eta) -> {});
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Joins the line on a virtual thread of its own, recording what it is told. */
  private Waiter join(WaitingLine line, String key) {
    Waiter w = new Waiter();
    w.thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    w.place.set(
                        line.enter(
                            key,
                            (position, eta) -> {
                              w.positions.add(position);
                              w.etas.add(eta);
                            }));
                  } catch (InterruptedException | GatewayException e) {
                    w.failure.set(e);
                  }
                });
    waiters.add(w);
    return w;
  }

  private static final class Waiter {
    final List<Integer> positions = new CopyOnWriteArrayList<>();
    final List<Optional<Duration>> etas = new CopyOnWriteArrayList<>();
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
