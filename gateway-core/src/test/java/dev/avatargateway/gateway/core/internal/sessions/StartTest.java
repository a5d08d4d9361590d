package dev.avatargateway.gateway.core.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.StopReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One start's state without a flow or a transport: its events and their ids, single delivery of the
 * credentials, the grace (run by hand here, so no test waits on the clock), ending on request, and
 * the bound on its events.
 */
class StartTest {
  private static final Duration NOW = Duration.ZERO;
  private static final ConnectResult CREDENTIALS =
      new ConnectResult.Credentials("up-1", "wss://lk.example", "tok-secret", "room-1");

  /** Timers that run when the test says, and the sessions the start asked to end. */
  private final List<Runnable> timers = new ArrayList<>();

  private final List<String> cancelledTimers = new ArrayList<>();
  private final List<StopReason> ended = new ArrayList<>();

  private final Start.Hooks hooks =
      new Start.Hooks() {
        @Override
        public Start.Cancellable schedule(Runnable task, Duration delay) {
          timers.add(task);
          int index = timers.size() - 1;
          return () -> cancelledTimers.add("timer-" + index);
        }

        @Override
        public void end(String id, StopReason reason) {
          ended.add(reason);
        }
      };

  private final Start start = new Start("start-1", Duration.ofSeconds(5), hooks);

  /** Runs the latest timer that was not called off. */
  private void graceOver() {
    int last = timers.size() - 1;
    assertThat(cancelledTimers).doesNotContain("timer-" + last);
    timers.get(last).run();
  }

  private static List<String> names(List<SessionEvent> events) {
    return events.stream().map(SessionEvent::name).toList();
  }

  private List<StopReason> watchStops() {
    List<StopReason> stops = new ArrayList<>();
    ClientPresence.Watch unused = start.presence().watchStops(stops::add);
    return stops;
  }

  @Test
  void aReaderGetsTheEventsInOrderThenTheCredentialsOnceWithIdsThatCount() throws Exception {
    start.accepted("alice");
    try (SessionEvents reader = start.open(Optional.empty())) {
      start.created("up-1");
      start.queued(null, null);
      start.ready();
      start.succeeded(CREDENTIALS);

      List<SessionEvent> events = reader.next(NOW);

      assertThat(names(events)).containsExactly("created", "queued", "ready", "credentials");
      assertThat(events).extracting(SessionEvent::id).containsExactly("1", "2", "3", "4");
      assertThat(events.getLast().data())
          .containsEntry("token", "tok-secret")
          .containsEntry("serverUrl", "wss://lk.example");
      assertThat(events.get(1).data()).containsEntry("position", null);
      assertThat(events.getLast().toString()).doesNotContain("tok-secret");
      assertThat(reader.finished()).isTrue();
      assertThat(reader.next(NOW)).isEmpty();
    }
  }

  @Test
  void aSecondReaderGetsTheStateInTheCredentialsPlaceNeverTheToken() throws Exception {
    start.accepted("alice");
    start.created("up-1");
    start.ready();
    start.succeeded(CREDENTIALS);
    List<SessionEvent> first;
    try (SessionEvents reader = start.open(Optional.empty())) {
      first = reader.next(NOW);
    }

    try (SessionEvents again = start.open(Optional.empty())) {
      List<SessionEvent> second = again.next(NOW);

      assertThat(names(second)).containsExactly("created", "ready", "state");
      assertThat(second.getLast().id()).isEqualTo(first.getLast().id());
      assertThat(second.getLast().data()).containsEntry("state", "consumed");
      assertThat(second.toString()).doesNotContain("tok-secret");
      assertThat(again.finished()).isTrue();
    }
    // A reconnect after the last event gets nothing; one from the middle only what it missed.
    try (SessionEvents reconnect = start.open(Optional.of(first.getLast().id()))) {
      assertThat(reconnect.next(NOW)).isEmpty();
      assertThat(reconnect.finished()).isTrue();
    }
    try (SessionEvents middle = start.open(Optional.of("1"))) {
      assertThat(names(middle.next(NOW))).containsExactly("ready", "state");
    }
  }

  @Test
  void twoReadersAtOnceShareOneDelivery() throws Exception {
    start.accepted("alice");
    SessionEvents one = start.open(Optional.empty());
    SessionEvents two = start.open(Optional.empty());
    start.succeeded(CREDENTIALS);

    List<SessionEvent> a = one.next(NOW);
    List<SessionEvent> b = two.next(NOW);

    assertThat(names(a)).containsExactly("credentials");
    assertThat(names(b)).containsExactly("state");
    one.close();
    two.close();
  }

  @Test
  void credentialsNobodyReadsWithinTheGraceAreDroppedAndTheSessionEnded() throws Exception {
    start.accepted("alice");
    start.created("up-1");
    start.succeeded(CREDENTIALS);

    graceOver();

    assertThat(ended).containsExactly(StopReason.CLIENT_GONE);
    try (SessionEvents late = start.open(Optional.empty())) {
      List<SessionEvent> events = late.next(NOW);
      assertThat(names(events)).containsExactly("created", "cancelled");
      assertThat(events.getLast().data()).containsEntry("reason", "client_gone");
    }
  }

  @Test
  void aReaderThatComesWithinTheGraceKeepsTheStartAndOneThatLeavesStartsItAgain() throws Exception {
    List<StopReason> stops = watchStops();
    start.accepted("alice");
    assertThat(start.graceRunning()).isTrue();

    SessionEvents reader = start.open(Optional.empty());
    assertThat(start.graceRunning()).isFalse();
    assertThat(cancelledTimers).containsExactly("timer-0");
    reader.close();
    assertThat(start.graceRunning()).isTrue();

    graceOver();

    // Before READY the flow is stopped; it cancels its session itself.
    assertThat(stops).containsExactly(StopReason.CLIENT_GONE);
    assertThat(ended).isEmpty();
  }

  @Test
  void aStopThatComesBeforeTheFlowWatchesIsPassedOnWhenItDoes() {
    start.accepted("alice");
    graceOver();

    List<StopReason> stops = watchStops();

    assertThat(stops).containsExactly(StopReason.CLIENT_GONE);
  }

  @Test
  void endingOnRequestStopsARunningFlowOrDropsWaitingCredentials() throws Exception {
    List<StopReason> stops = watchStops();
    start.accepted("alice");

    assertThat(start.requestEnd()).isFalse();
    assertThat(stops).containsExactly(StopReason.END_REQUESTED);

    Start other = new Start("start-2", Duration.ofSeconds(5), hooks);
    other.accepted("alice");
    other.succeeded(CREDENTIALS);
    assertThat(other.requestEnd()).isTrue();
    try (SessionEvents reader = other.open(Optional.empty())) {
      List<SessionEvent> events = reader.next(NOW);
      assertThat(names(events)).containsExactly("cancelled");
      assertThat(events.getLast().data()).containsEntry("reason", "end_requested");
    }
  }

  @Test
  void anEndRequestedWhileTheFlowHandsOverEndsTheSessionAtOnce() {
    start.accepted("alice");
    ClientPresence.Watch watch = start.presence().watchStops(reason -> {});
    watch.close();
    // The flow's watch is closed (it is consuming): the request is remembered.
    start.requestEnd();

    start.succeeded(CREDENTIALS);

    assertThat(ended).containsExactly(StopReason.END_REQUESTED);
  }

  @Test
  void aFailureEndsTheStreamWithFailedOrCancelledWhenTheFlowCancelled() throws Exception {
    start.accepted("alice");
    start.failed(
        new GatewayException(
            ErrorCode.SESSION_FAILED,
            "The avatar session failed to start; try again.",
            null,
            Map.of("failureCode", "INTERNAL"),
            null));
    try (SessionEvents reader = start.open(Optional.empty())) {
      SessionEvent failed = reader.next(NOW).getLast();
      assertThat(failed.name()).isEqualTo("failed");
      assertThat(failed.data())
          .containsEntry("code", "session_failed")
          .containsEntry("failureCode", "INTERNAL");
    }

    Start stopped = new Start("start-2", Duration.ofSeconds(5), hooks);
    stopped.accepted("alice");
    stopped.cancelling(StopReason.TIMEOUT);
    stopped.failed(new GatewayException(ErrorCode.SESSION_TIMEOUT, "Not ready in time."));
    try (SessionEvents reader = stopped.open(Optional.empty())) {
      SessionEvent cancelled = reader.next(NOW).getLast();
      assertThat(cancelled.name()).isEqualTo("cancelled");
      assertThat(cancelled.data()).containsEntry("reason", "timeout");
    }
  }

  @Test
  void credentialsThatCouldNotBeSentEndTheSession() throws Exception {
    start.accepted("alice");
    start.succeeded(CREDENTIALS);
    SessionEvents reader = start.open(Optional.empty());
    assertThat(names(reader.next(NOW))).containsExactly("credentials");

    reader.notSent();
    reader.close();

    assertThat(ended).containsExactly(StopReason.CLIENT_GONE);
  }

  @Test
  void aWaitingReaderWakesForANewEventAndWhenClosedFromElsewhere() throws Exception {
    start.accepted("alice");
    SessionEvents reader = start.open(Optional.empty());
    CompletableFuture<List<SessionEvent>> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return reader.next(Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    start.created("up-1");

    assertThat(names(waiting.get(30, TimeUnit.SECONDS))).containsExactly("created");
    CompletableFuture<List<SessionEvent>> again =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return reader.next(Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    reader.close();
    assertThat(again.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(start.readers()).isZero();
  }

  @Test
  void theEventsAreBoundedAndTheOldestQueuedGoFirst() throws Exception {
    start.accepted("alice");
    start.created("up-1");
    for (int i = 0; i < Start.MAX_EVENTS * 3; i++) {
      start.queued(i, 10L);
    }
    start.ready();

    try (SessionEvents reader = start.open(Optional.empty())) {
      List<SessionEvent> events = reader.next(NOW);

      assertThat(events).hasSize(Start.MAX_EVENTS);
      assertThat(events.getFirst().name()).isEqualTo("created");
      assertThat(events.getLast().name()).isEqualTo("ready");
      assertThat(events.get(events.size() - 2).data())
          .containsEntry("position", Start.MAX_EVENTS * 3 - 1);
    }
  }

  @Test
  void shuttingDownDropsCredentialsAndEndsEveryStream() throws Exception {
    start.accepted("alice");
    start.succeeded(CREDENTIALS);

    assertThat(start.shutDown()).isTrue();
    assertThat(start.shutDown()).isFalse();

    try (SessionEvents reader = start.open(Optional.empty())) {
      assertThat(reader.next(NOW).getLast().data()).containsEntry("reason", "shutdown");
    }
    assertThat(start.settled()).isTrue();
  }
}
