package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sweep's bookkeeping, on connections whose looks the test decides. */
class ConnectionWatcherTest {
  /** Short, so that the tests wait little for the sweep. */
  private static final Duration POLL = Duration.ofMillis(5);

  /** Generous for a few sweeps, short of hanging the build. */
  private static final Duration UNTIL_SWEPT = Duration.ofSeconds(5);

  /** Enough sweeps for a look that should not happen to have happened. */
  private static final Duration A_FEW_SWEEPS = POLL.multipliedBy(10);

  private final Connection connection = new Connection();
  private final ConnectionWatcher watcher = new ConnectionWatcher(POLL);
  private final AtomicInteger gone = new AtomicInteger();
  private final AtomicInteger closeAfterAnswer = new AtomicInteger();

  @AfterEach
  void stop() {
    watcher.close();
  }

  private ConnectionWatcher.Watch watch() {
    return watcher.watch(connection, closeAfterAnswer::incrementAndGet, gone::incrementAndGet);
  }

  @Test
  void aClientThatLeavesIsToldOnceAndNoLongerWatched() {
    ConnectionWatcher.Watch watch = watch();
    await().atMost(UNTIL_SWEPT).until(() -> connection.looks.get() >= 2);
    assertThat(gone).hasValue(0);
    assertThat(watcher.watchedCount()).isOne();

    connection.next.set(ClientConnection.Look.GONE);

    await().atMost(UNTIL_SWEPT).until(() -> gone.get() == 1);
    assertThat(watcher.watchedCount()).isZero();
    int looks = connection.looks.get();
    watch.gone(); // the server's own signal, after the sweep's: still once
    await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);
    watch.close();
    assertThat(gone).hasValue(1);
    assertThat(connection.looks).hasValue(looks);
    assertThat(closeAfterAnswer).hasValue(0);
  }

  @Test
  void theServersOwnSignalTellsOnceAndEndsTheLooks() {
    ConnectionWatcher.Watch watch = watch();
    await().atMost(UNTIL_SWEPT).until(() -> connection.looks.get() >= 1);

    watch.gone();
    watch.gone();
    int looks = connection.looks.get();
    connection.next.set(ClientConnection.Look.GONE);
    await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);

    assertThat(gone).hasValue(1);
    assertThat(connection.looks).hasValue(looks);
    assertThat(watcher.watchedCount()).isZero();
    watch.close();
    assertThat(gone).hasValue(1);
  }

  @Test
  void lostBytesCloseTheConnectionAfterTheAnswerOnce() {
    ConnectionWatcher.Watch watch = watch();
    connection.next.set(ClientConnection.Look.LOST_BYTES);
    await().atMost(UNTIL_SWEPT).until(() -> watcher.watchedCount() == 0);
    assertThat(closeAfterAnswer).hasValue(0); // only when the answer is given

    watch.close();
    watch.close(); // twice: harmless

    assertThat(closeAfterAnswer).hasValue(1);
    assertThat(gone).hasValue(0);
  }

  @Test
  void lostBytesThenAServerSignalOfLeavingKeepTheConnectionAsIs() {
    ConnectionWatcher.Watch watch = watch();
    connection.next.set(ClientConnection.Look.LOST_BYTES);
    await().atMost(UNTIL_SWEPT).until(() -> watcher.watchedCount() == 0);

    watch.gone();
    watch.close();

    assertThat(gone).hasValue(1);
    assertThat(closeAfterAnswer).hasValue(0);
  }

  @Test
  void bytesGivenBackOrAFailedLookEndTheLooksAndKeepTheConnection() {
    for (ClientConnection.Look look :
        new ClientConnection.Look[] {
          ClientConnection.Look.SENT_BYTES, ClientConnection.Look.CANNOT_TELL
        }) {
      Connection sending = new Connection();
      sending.next.set(look);
      ConnectionWatcher.Watch watch =
          watcher.watch(sending, closeAfterAnswer::incrementAndGet, gone::incrementAndGet);
      await().atMost(UNTIL_SWEPT).until(() -> watcher.watchedCount() == 0);
      int looks = sending.looks.get();
      sending.next.set(ClientConnection.Look.GONE);

      await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);
      watch.close();

      assertThat(sending.looks).as("%s", look).hasValue(looks);
    }
    assertThat(gone).hasValue(0);
    assertThat(closeAfterAnswer).hasValue(0);
  }

  @Test
  void aLookThatThrowsCountsAsCannotTellAndTheSweepGoesOn() {
    ConnectionWatcher.Watch failing =
        watcher.watch(
            scratch -> {
              throw new IllegalStateException("a server's internals moved");
            },
            closeAfterAnswer::incrementAndGet,
            gone::incrementAndGet);
    ConnectionWatcher.Watch watch = watch();
    await().atMost(UNTIL_SWEPT).until(() -> watcher.watchedCount() == 1);

    connection.next.set(ClientConnection.Look.GONE);

    await().atMost(UNTIL_SWEPT).until(() -> gone.get() == 1);
    failing.close();
    watch.close();
    assertThat(closeAfterAnswer).hasValue(0);
  }

  @Test
  void anOnGoneThatThrowsLeavesTheSweepRunning() {
    ConnectionWatcher.Watch throwing =
        watcher.watch(
            scratch -> ClientConnection.Look.GONE,
            closeAfterAnswer::incrementAndGet,
            () -> {
              throw new IllegalStateException("the connect was already over");
            });
    await().atMost(UNTIL_SWEPT).until(() -> watcher.watchedCount() == 0);
    ConnectionWatcher.Watch watch = watch();
    connection.next.set(ClientConnection.Look.GONE);

    await().atMost(UNTIL_SWEPT).until(() -> gone.get() == 1);
    throwing.close();
    watch.close();
  }

  @Test
  void aClosedWatchIsNeverLookedAtAgain() {
    ConnectionWatcher.Watch watch = watch();
    await().atMost(UNTIL_SWEPT).until(() -> connection.looks.get() >= 1);

    watch.close();
    int looks = connection.looks.get();
    connection.next.set(ClientConnection.Look.GONE);
    await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);
    watch.gone();

    assertThat(connection.looks).hasValue(looks);
    assertThat(gone).hasValue(0);
    assertThat(watcher.watchedCount()).isZero();
  }

  @Test
  void aClosedWatcherLooksNoMoreAndWatchesNothing() {
    ConnectionWatcher.Watch before = watch();
    await().atMost(UNTIL_SWEPT).until(() -> connection.looks.get() >= 1);

    watcher.close();
    watcher.close(); // twice: harmless
    // A sweep under way when it closed may finish its turn; none starts after it.
    await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);
    int looks = connection.looks.get();
    connection.next.set(ClientConnection.Look.GONE);
    ConnectionWatcher.Watch after = watch();
    after.gone();
    await().pollDelay(A_FEW_SWEEPS).atMost(UNTIL_SWEPT).until(() -> true);

    assertThat(connection.looks).hasValue(looks);
    assertThat(gone).hasValue(0);
    before.close();
    after.close();
    assertThat(closeAfterAnswer).hasValue(0);
  }

  @Test
  void theSweepThreadIsADaemonNamedForThreadDumps() {
    assertThat(sweeperThreads())
        .isNotEmpty()
        .allSatisfy(thread -> assertThat(thread.isDaemon()).isTrue());
  }

  @Test
  void aPollIntervalMustBePositive() {
    assertThatThrownBy(() -> new ConnectionWatcher(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Thread> sweeperThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(ConnectionWatcher.THREAD_NAME))
        .filter(Thread::isAlive)
        .toList();
  }

  /** A connection whose next look the test sets. */
  private static final class Connection implements ClientConnection {
    final AtomicReference<Look> next = new AtomicReference<>(Look.WAITING);
    final AtomicInteger looks = new AtomicInteger();

    @Override
    public Look look(ByteBuffer scratch) {
      looks.incrementAndGet();
      return next.get();
    }
  }
}
