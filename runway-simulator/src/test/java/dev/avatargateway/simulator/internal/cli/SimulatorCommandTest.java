package dev.avatargateway.simulator.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulatorCommandTest {

  @Test
  void everySettingHasAFlag() {
    SimulatorCommand command = new SimulatorCommand(sim -> {});
    new CommandLine(command)
        .parseArgs(
            "--port",
            "8089",
            "--api-key",
            "key_a",
            "--api-key",
            "key_b",
            "--ready-after",
            "lognormal(1500ms,0.5)",
            "--ready-window",
            "20s",
            "--session-key-ttl",
            "2m",
            "--concurrency-cap",
            "3",
            "--max-session-duration",
            "90s",
            "--credits-exhausted",
            "--second-consume-status",
            "410",
            "--livekit-url",
            "wss://lk.example.test",
            "--token-secret",
            "0123456789abcdef0123456789abcdef",
            "--fault",
            "create:500:0.1",
            "--fault",
            "retrieve:429:times=2,retry-after=1",
            "--max-hang",
            "30s",
            "--seed",
            "7",
            "--conversations-for-unstarted-sessions",
            "--conversation-record-delay",
            "5s",
            "--consume-cors-origin",
            "http://localhost:5173",
            "--consume-cors-origin",
            "https://app.example.test");

    SimulatorConfig c = command.toConfig();

    assertThat(c.port()).isEqualTo(8089);
    assertThat(c.apiKeys()).containsExactlyInAnyOrder("key_a", "key_b");
    assertThat(c.readyAfter()).isEqualTo(DelayDistribution.logNormal(Duration.ofMillis(1500), 0.5));
    assertThat(c.readyWindow()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.sessionKeyTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.concurrencyCap()).isEqualTo(3);
    assertThat(c.maxSessionDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.creditsExhausted()).isTrue();
    assertThat(c.secondConsumeStatus()).isEqualTo(410);
    assertThat(c.livekitUrl()).isEqualTo("wss://lk.example.test");
    assertThat(c.tokenSecret()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(c.faults())
        .containsExactly(
            FaultRule.builder().route(Route.CREATE).status(500).probability(0.1).build(),
            FaultRule.builder()
                .route(Route.RETRIEVE)
                .status(429)
                .times(2)
                .retryAfter(FaultRule.RetryAfter.seconds(1))
                .build());
    assertThat(c.maxHang()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.seed()).isEqualTo(7);
    assertThat(c.conversationsForUnstartedSessions()).isTrue();
    assertThat(c.conversationRecordDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.consumeCorsOrigins())
        .containsExactly("http://localhost:5173", "https://app.example.test");
  }

  @Test
  void noConsumeCorsTurnsCorsOff() {
    SimulatorCommand command = new SimulatorCommand(sim -> {});
    new CommandLine(command).parseArgs("--no-consume-cors");
    assertThat(command.toConfig().consumeCorsOrigins()).isEmpty();
  }

  @Test
  void noFlagsMeanTheDefaults() {
    SimulatorCommand command = new SimulatorCommand(sim -> {});
    new CommandLine(command).parseArgs();
    SimulatorConfig c = command.toConfig();
    SimulatorConfig d = SimulatorConfig.defaults();
    assertThat(c.apiKeys()).isEqualTo(d.apiKeys());
    assertThat(c.readyAfter()).isEqualTo(d.readyAfter());
    assertThat(c.concurrencyCap()).isEqualTo(d.concurrencyCap());
    assertThat(c.secondConsumeStatus()).isEqualTo(d.secondConsumeStatus());
    assertThat(c.conversationsForUnstartedSessions()).isFalse();
    assertThat(c.conversationRecordDelay()).isEqualTo(d.conversationRecordDelay());
    assertThat(c.consumeCorsOrigins()).containsExactly("*");
  }

  @Test
  void callServesUntilToldToStopAndPrintsTheBaseUrl() {
    AtomicInteger status = new AtomicInteger();
    SimulatorCommand command =
        new SimulatorCommand(
            sim -> {
              HttpRequest request =
                  HttpRequest.newBuilder(sim.baseUrl().resolve("/v1/avatars"))
                      .header("Authorization", "Bearer key_cli")
                      .header("X-Runway-Version", "2024-11-06")
                      .build();
              try (HttpClient client = HttpClient.newHttpClient()) {
                status.set(client.send(request, BodyHandlers.ofString()).statusCode());
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out));

    int exit = cli.execute("--api-key", "key_cli", "--ready-after", "1s");

    assertThat(exit).isZero();
    assertThat(status.get()).isEqualTo(200);
    assertThat(out.toString())
        .matches("Runway simulator listening on http://127\\.0\\.0\\.1:\\d+\\R");
  }

  @Test
  void badValuesAreUsageErrors() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SimulatorCommand(sim -> {})).setErr(new PrintWriter(err));

    assertThat(cli.execute("--fault", "nowhere:500")).isEqualTo(2);
    assertThat(err.toString()).contains("nowhere");
    assertThat(cli.execute("--ready-after", "soon")).isEqualTo(2);
    assertThat(cli.execute("--concurrency-cap", "0")).isEqualTo(2);
    assertThat(cli.execute("--token-secret", "short")).isEqualTo(2);
    assertThat(err.toString()).doesNotContain("short\"").doesNotContain("'short'");
    assertThat(cli.execute("--consume-cors-origin", "localhost:5173")).isEqualTo(2);
    assertThat(err.toString()).contains("consumeCorsOrigins");
    assertThat(cli.execute("--no-consume-cors", "--consume-cors-origin", "http://a.test"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot be combined");
  }

  @Test
  void helpDescribesEveryFlag() {
    StringWriter out = new StringWriter();
    int exit =
        new CommandLine(new SimulatorCommand(sim -> {}))
            .setOut(new PrintWriter(out))
            .execute("--help");
    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains(
            "--port",
            "--api-key",
            "--ready-after",
            "--ready-window",
            "--session-key-ttl",
            "--concurrency-cap",
            "--max-session-duration",
            "--credits-exhausted",
            "--second-consume-status",
            "--livekit-url",
            "--token-secret",
            "--fault",
            "--max-hang",
            "--seed",
            "--conversations-for-unstarted-sessions",
            "--conversation-record-delay",
            "--consume-cors-origin",
            "--no-consume-cors",
            "conversation-list",
            "create:500:0.1");
  }

  @Test
  void theSimulatorIsClosedWhenCallReturns() {
    RunwaySimulator[] seen = new RunwaySimulator[1];
    new CommandLine(new SimulatorCommand(sim -> seen[0] = sim))
        .setOut(new PrintWriter(new StringWriter()))
        .execute();
    int port = seen[0].port();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      throw new AssertionError("still listening on " + port + ": " + s);
    } catch (IOException expected) {
      // Connection refused: the server is gone.
    }
  }
}
