package dev.avatargateway.gateway.core.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.SessionsConfig;
import dev.avatargateway.gateway.core.StopReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry around a stand-in flow: a start returns once the flow reports it accepted (with the
 * id the registry chose), a refusal before that is the caller's and leaves nothing behind, and the
 * flow's events reach the start's readers.
 */
class AsyncStartsTest {
  private final List<String> ended = new CopyOnWriteArrayList<>();
  private AsyncStarts starts;

  @AfterEach
  void close() {
    if (starts != null) {
      starts.close();
    }
  }

  private AsyncStarts with(Function<ConnectRequest, ConnectResult> flow) {
    starts =
        new AsyncStarts(
            flow,
            new SessionsConfig(Duration.ofMinutes(5), null, null),
            (id, reason) -> ended.add(id + ":" + reason.code()));
    return starts;
  }

  private static ConnectRequest request() {
    return new ConnectRequest(
        "req-1",
        name -> Optional.empty(),
        "192.0.2.1",
        List.of(),
        () -> null,
        ClientPresence.UNKNOWN);
  }

  private ConnectEvent.Accepted accepted(String id) {
    return new ConnectEvent.Accepted(
        id,
        Instant.EPOCH,
        "req-1",
        "alice",
        "192.0.2.1",
        "cat-character",
        "runway-preset",
        ConnectConfig.ResponseMode.CREDENTIALS,
        Optional.empty());
  }

  @Test
  void aRefusalBeforeAcceptanceIsTheCallersAndLeavesNothing() {
    with(
        request -> {
          throw new GatewayException(ErrorCode.INVALID_AVATAR, "No such avatar.");
        });

    assertThatThrownBy(() -> starts.start(request()))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AVATAR));
    assertThat(starts.size()).isZero();
  }

  @Test
  void theFlowRunsUnderTheStartsIdAndItsEventsReachTheReaders() throws Exception {
    with(
        request -> {
          starts.on(accepted(request.connectId()));
          starts.on(new ConnectEvent.Created(request.connectId(), Instant.EPOCH, "up-1"));
          starts.on(new ConnectEvent.Queued(request.connectId(), Instant.EPOCH, "up-1"));
          starts.on(
              new ConnectEvent.Ready(request.connectId(), Instant.EPOCH, "up-1", Duration.ZERO));
          return new ConnectResult.Credentials("up-1", "wss://lk", "tok", "room");
        });

    String id = starts.start(request());

    Start start = starts.find(id).orElseThrow();
    assertThat(start.principal()).contains("alice");
    try (SessionEvents reader = start.open(Optional.empty())) {
      List<String> names = new java.util.ArrayList<>();
      while (!reader.finished()) {
        reader.next(Duration.ofSeconds(30)).forEach(e -> names.add(e.name()));
      }
      assertThat(names)
          .containsExactly(
              SessionEvent.CREATED, SessionEvent.QUEUED, SessionEvent.READY, "credentials");
    }
    assertThat(ended).isEmpty();
  }

  @Test
  void aFlowThatCancelsEndsTheStreamWithItsReason() throws Exception {
    with(
        request -> {
          starts.on(accepted(request.connectId()));
          starts.on(
              new ConnectEvent.Cancelled(
                  request.connectId(), Instant.EPOCH, "up-1", StopReason.TIMEOUT));
          throw new GatewayException(ErrorCode.SESSION_TIMEOUT, "Not ready in time.");
        });

    String id = starts.start(request());

    try (SessionEvents reader = starts.find(id).orElseThrow().open(Optional.empty())) {
      SessionEvent last = null;
      while (!reader.finished()) {
        for (SessionEvent e : reader.next(Duration.ofSeconds(30))) {
          last = e;
        }
      }
      assertThat(last.name()).isEqualTo(SessionEvent.CANCELLED);
      assertThat(last.data()).containsEntry("reason", "timeout");
    }
  }
}
