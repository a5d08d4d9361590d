package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drives every failure path that involves a secret and searches all the resulting exceptions
 * (message, toString, body, stack trace text, suppressed and causes) for the API key, the session
 * key and the LiveKit token.
 */
class NoSecretInErrorsTest {
  private static final RealtimeSessionCreateParams CAT =
      RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER));

  private final SimulatedRunway runway = new SimulatedRunway();
  private final RealtimeSessions sessions = runway.client().realtimeSessions();
  private final List<Throwable> errors = new ArrayList<>();

  @AfterEach
  void close() {
    runway.close();
  }

  @Test
  void noExceptionTextContainsACredential() {
    String id = sessions.create(CAT);
    runway.advance(Duration.ofMillis(1500));
    String sessionKey = ((RealtimeSession.Ready) sessions.retrieve(id)).sessionKey();
    String token = sessions.consume(id, sessionKey).token();

    capture(() -> sessions.consume(id, sessionKey)); // second consume
    capture(() -> sessions.consume(id, SimulatorConfig.DEFAULT_API_KEY)); // API key on consume
    capture(
        () ->
            runway
                .client()
                .withOptions(o -> o.apiKey("key_wrong_secret"))
                .realtimeSessions()
                .create(CAT));
    runway.admin().injectFault(FaultRule.builder().route(Route.ANY).status(500).build());
    capture(() -> sessions.retrieve(id));
    capture(() -> sessions.create(CAT));
    runway.admin().clearFaults();
    runway.admin().injectFault(FaultRule.builder().route(Route.ANY).reset().build());
    capture(() -> sessions.consume(id, sessionKey));
    runway.admin().clearFaults();
    capture(() -> sessions.startSession(CAT, runway.clock.instant().minusSeconds(1)));

    assertThat(errors).hasSizeGreaterThanOrEqualTo(7);
    for (Throwable error : errors) {
      assertThat(everything(error))
          .doesNotContain(SimulatorConfig.DEFAULT_API_KEY)
          .doesNotContain("key_wrong_secret")
          .doesNotContain(sessionKey)
          .doesNotContain(token);
    }
  }

  private void capture(Runnable call) {
    try {
      call.run();
    } catch (RunwayException e) {
      errors.add(e);
    }
  }

  private static String everything(Throwable error) {
    StringWriter text = new StringWriter();
    error.printStackTrace(new PrintWriter(text));
    if (error instanceof RunwayApiException api) {
      text.append(api.body()).append(api.error().orElse(""));
    }
    return text.toString();
  }
}
