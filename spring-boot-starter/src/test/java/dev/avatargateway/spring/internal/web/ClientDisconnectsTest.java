package dev.avatargateway.spring.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.core.ClientConnection;
import dev.avatargateway.gateway.core.ClientPresence;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The sweep's bookkeeping, on connections whose looks the test decides. */
class ClientDisconnectsTest {
  /** Short, so that the tests wait little for the sweep. */
  private static final Duration POLL = Duration.ofMillis(5);

  /** Generous for a few sweeps, short of hanging the build. */
  private static final Duration UNTIL_SWEPT = Duration.ofSeconds(5);

  /** What the connection's next look finds. */
  private final AtomicReference<ClientConnection.Look> next =
      new AtomicReference<>(ClientConnection.Look.WAITING);

  private final AtomicInteger looks = new AtomicInteger();

  private final ClientConnection connection =
      scratch -> {
        looks.incrementAndGet();
        return next.get();
      };

  private final ClientDisconnects disconnects =
      new ClientDisconnects((request, whileWriting) -> Optional.of(connection), POLL);
  private final MockHttpServletRequest request = new MockHttpServletRequest();
  private final MockHttpServletResponse response = new MockHttpServletResponse();
  private final AtomicInteger gone = new AtomicInteger();

  @AfterEach
  void stop() {
    disconnects.close();
  }

  @Test
  void aClientThatLeavesIsToldOnceAndNoLongerWatched() {
    ClientPresence.Watch watch = disconnects.watch(request, response, false, gone::incrementAndGet);
    await().atMost(UNTIL_SWEPT).until(() -> looks.get() >= 2);
    assertThat(gone).hasValue(0);

    next.set(ClientConnection.Look.GONE);

    await().atMost(UNTIL_SWEPT).until(() -> gone.get() == 1);
    assertThat(disconnects.watchedCount()).isZero();
    watch.close();
    assertThat(gone).hasValue(1);
    assertThat(response.getHeader("Connection")).isNull();
  }

  @Test
  void bytesThatCouldNotBeGivenBackCloseTheConnectionAfterTheAnswer() {
    ClientPresence.Watch watch = disconnects.watch(request, response, false, gone::incrementAndGet);
    next.set(ClientConnection.Look.LOST_BYTES);
    await().atMost(UNTIL_SWEPT).until(() -> disconnects.watchedCount() == 0);

    watch.close();
    watch.close(); // twice: harmless

    assertThat(response.getHeader("Connection")).isEqualTo("close");
    assertThat(gone).hasValue(0);
  }

  @Test
  void lostBytesLeaveAnAnswerAlreadyCommittedAsItIs() {
    ClientPresence.Watch watch = disconnects.watch(request, response, true, gone::incrementAndGet);
    next.set(ClientConnection.Look.LOST_BYTES);
    await().atMost(UNTIL_SWEPT).until(() -> disconnects.watchedCount() == 0);
    response.setCommitted(true); // an event stream's first event went out

    watch.close();

    assertThat(response.getHeader("Connection")).isNull();
    assertThat(gone).hasValue(0);
  }

  @Test
  void bytesGivenBackKeepTheConnectionButEndTheWatch() {
    ClientPresence.Watch watch = disconnects.watch(request, response, false, gone::incrementAndGet);
    next.set(ClientConnection.Look.SENT_BYTES);
    await().atMost(UNTIL_SWEPT).until(() -> disconnects.watchedCount() == 0);
    int looked = looks.get();
    next.set(ClientConnection.Look.GONE);

    await().pollDelay(POLL.multipliedBy(10)).atMost(UNTIL_SWEPT).until(() -> true);
    watch.close();

    assertThat(looks).hasValue(looked);
    assertThat(gone).hasValue(0);
    assertThat(response.getHeader("Connection")).isNull();
  }

  @Test
  void aClosedWatchIsNeverLookedAtAgain() {
    ClientPresence.Watch watch = disconnects.watch(request, response, false, gone::incrementAndGet);
    await().atMost(UNTIL_SWEPT).until(() -> looks.get() >= 1);

    watch.close();
    int looked = looks.get();
    next.set(ClientConnection.Look.GONE);
    await().pollDelay(POLL.multipliedBy(10)).atMost(UNTIL_SWEPT).until(() -> true);

    assertThat(looks).hasValue(looked);
    assertThat(gone).hasValue(0);
    assertThat(disconnects.watchedCount()).isZero();
  }

  @Test
  void aRequestThatCannotBeWatchedRunsToItsEnd() {
    ClientDisconnects none =
        new ClientDisconnects((request, whileWriting) -> Optional.empty(), POLL);
    try {
      ClientPresence.Watch watch = none.watch(request, response, false, gone::incrementAndGet);
      watch.close();
      assertThat(none.watchedCount()).isZero();
    } finally {
      none.close();
      none.close(); // twice: harmless
    }
  }

  @Test
  void noneWatchesNothing() {
    ClientDisconnects none = ClientDisconnects.none();

    ClientPresence.Watch watch = none.watch(request, response, false, gone::incrementAndGet);

    assertThat(none.watchedCount()).isZero();
    watch.close();
    none.close();
  }

  @Test
  void afterCloseNothingIsWatched() {
    disconnects.close();

    ClientPresence.Watch watch = disconnects.watch(request, response, false, gone::incrementAndGet);

    assertThat(disconnects.watchedCount()).isZero();
    watch.close();
  }
}
