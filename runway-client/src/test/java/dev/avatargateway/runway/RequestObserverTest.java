package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The observer sees every attempt, retries and failures included, named by operation. */
class RequestObserverTest {
  private final SimulatedRunway runway = new SimulatedRunway();
  private final List<RequestObserver.Attempt> attempts = new CopyOnWriteArrayList<>();
  private final RealtimeSessions sessions =
      runway.client().withOptions(o -> o.observer(attempts::add)).realtimeSessions();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void reportsEachAttemptWithItsOperationStatusAndRetryNumber() {
    String id =
        sessions.create(
            RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.INFLUENCER)));
    runway
        .admin()
        .injectFault(FaultRule.builder().route(Route.RETRIEVE).status(503).times(1).build());
    sessions.retrieve(id);
    runway.admin().injectFault(FaultRule.builder().route(Route.CANCEL).reset().build());
    try {
      sessions.cancel(id, RequestOptions.none().withMaxRetries(0));
    } catch (RunwayConnectionException expected) {
      // the attempt without a response is still reported, with status 0
    }

    assertThat(attempts)
        .extracting(
            RequestObserver.Attempt::operation,
            RequestObserver.Attempt::status,
            RequestObserver.Attempt::retry)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("realtime_sessions.create", 200, 0),
            org.assertj.core.groups.Tuple.tuple("realtime_sessions.retrieve", 503, 0),
            org.assertj.core.groups.Tuple.tuple("realtime_sessions.retrieve", 200, 1),
            org.assertj.core.groups.Tuple.tuple("realtime_sessions.cancel", 0, 0));
    assertThat(attempts).allSatisfy(a -> assertThat(a.duration()).isPositive());
  }
}
