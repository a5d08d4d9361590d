package dev.avatargateway.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.spring.RunwayProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application as its {@code main} runs it: without a Runway secret on a simulator of its own,
 * which it stops when it stops; with one, on Runway and without a simulator.
 */
class SimulatedRunwayTest {
  private static final String PASSWORD = "demo-password-for-tests";

  /** A port nothing listens on (discard): the real-Runway case must not reach anything. */
  private static final String NOWHERE = "http://127.0.0.1:9";

  @Test
  void withoutASecretItRunsOnASimulatorItStopsWhenItStops() throws Exception {
    RunwaySimulator simulator;
    try (ConfigurableApplicationContext context =
        ExampleApplication.application()
            .run(
                "--server.port=0",
                // Blank, as unset: whatever the machine's environment says.
                "--runway.api-secret=",
                "--avatar-gateway.ledger.url=jdbc:h2:mem:example-simulated;DB_CLOSE_DELAY=-1",
                "--example.demo-password=" + PASSWORD)) {
      simulator = context.getBean(SimulatedRunway.BEAN, RunwaySimulator.class);
      RunwayProperties runway = context.getBean(RunwayProperties.class);
      assertThat(runway.simulated()).isTrue();
      assertThat(runway.baseUrl()).isEqualTo(simulator.baseUrl());
      int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);

      WebUser alice = WebUser.loggedIn(port, "alice", PASSWORD);
      HttpResponse<String> answer =
          alice.post("/api/avatar/credentials", "{\"avatarId\":\"cat-character\"}");

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      Map<String, Object> credentials = WebUser.json(answer);
      assertThat(simulator.admin().session((String) credentials.get("sessionId"))).isPresent();
    }
    assertThatThrownBy(() -> connect(simulator)).isInstanceOf(IOException.class);
  }

  @Test
  void withASecretItStartsNoSimulator() {
    try (ConfigurableApplicationContext context =
        ExampleApplication.application()
            .run(
                "--server.port=0",
                "--runway.api-secret=key_not_a_real_secret",
                "--runway.base-url=" + NOWHERE,
                "--avatar-gateway.ledger.url=jdbc:h2:mem:example-real;DB_CLOSE_DELAY=-1",
                "--example.demo-password=" + PASSWORD)) {
      assertThat(context.containsBean(SimulatedRunway.BEAN)).isFalse();
      assertThat(context.getBean(RunwayProperties.class).simulated()).isFalse();
    }
  }

  private static void connect(RunwaySimulator simulator) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), simulator.port()), 2_000);
    }
  }
}
