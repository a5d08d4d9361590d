package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line: help lists every setting with its default; bad settings stop start-up with exit
 * code 2 and a message naming each of them, never a stack trace. Each run gets its own environment,
 * so what the machine running the tests has set cannot change the outcome.
 */
class MainTest {
  @TempDir Path dir;

  @Test
  void helpListsEnvironmentVariablesAndEverySettingWithItsDefault() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = Main.commandLine(Map.of());
    commandLine.setOut(new PrintWriter(out));

    int exit = commandLine.execute("--help");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains(
            "RUNWAYML_API_SECRET", "GATEWAY_CONFIG", "PORT", "GATEWAY_RESPONSE_MODE", "LOG_FORMAT")
        .contains("GATEWAY_RUNWAY_MODE", "runway.mode", "mode: \"auto\"")
        .contains("deadline: \"30s\"", "queuedDeadline: \"90s\"", "acceptQueueSize: 4096")
        .contains("bodyReadTimeout: \"10s\"")
        .contains("maxConcurrentConnectsPerPrincipal: 1", "mode: \"none\"", "allowedOrigins: []")
        .contains("credentialsPath: \"/api/avatar/credentials\"")
        .contains("sessionKeyPath: \"/api/avatar/session-key\"")
        .contains("GATEWAY_DEMO", "demo.enabled")
        .contains(
            "enabled: null  # derived: on with the embedded simulator, off with a Runway secret");
    // Tools (the benchmarks among them) read the defaults back from the help: no line may wrap.
    String settings = out.toString().substring(out.toString().indexOf("\n---") + 1);
    assertThat(ConfigLoader.parse(settings)).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void aMissingConfigFileStopsStartUpNamingIt() {
    Run run = run(Map.of(), "--config", "/nonexistent/gateway.yaml");

    assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(run.err()).contains("Invalid setting GATEWAY_CONFIG").contains("--help");
    run.assertNoStackTrace();
  }

  @Test
  void anUnreadableDelayIsRefusedAtStartUpNamingTheSetting() throws IOException {
    Run run = run(Map.of(), "--config", yaml("runway:\n  simulatedReadyAfter: bogus\n"));

    assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(run.err()).contains("Invalid setting runway.simulatedReadyAfter").contains("bogus");
    run.assertNoStackTrace();
  }

  @Test
  void everyBadSettingIsNamedAtOnce() throws IOException {
    Map<String, String> environment = new HashMap<>();
    environment.put("LOG_LEVEL", "loud");
    environment.put("GATEWAY_RUNWAY_MODE", "sometimes");
    String file =
        yaml(
            """
            server:
              port: 70000
              bodyReadTimeout: 0s
              connectPath: /api/{x}
            connect:
              deadline: 0s
            cors:
              allowedOrigins: ['*']
            rateLimit:
              perPrincipal: {capacity: -1}
            sever:
              port: 1
            """);

    Run run = run(environment, "--config", file);

    assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(run.err())
        .contains("9 settings are invalid")
        .contains("LOG_LEVEL")
        .contains("Invalid setting runway.mode (GATEWAY_RUNWAY_MODE): must be auto, real or")
        .contains("Invalid setting server.port (PORT)")
        .contains("Invalid setting server.bodyReadTimeout")
        .contains("Invalid setting server.connectPath")
        .contains("Invalid setting connect.deadline")
        .contains("Invalid setting cors.allowedOrigins")
        .contains("Invalid setting rateLimit.perPrincipal")
        .contains("Invalid setting sever: is not a setting");
    run.assertNoStackTrace();
  }

  @Test
  void realModeWithoutTheSecretIsRefusedNamingIt() {
    Run run = run(Map.of("GATEWAY_RUNWAY_MODE", "real"));

    assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(run.err())
        .contains("Invalid setting runway.mode (GATEWAY_RUNWAY_MODE)")
        .contains("RUNWAYML_API_SECRET");
    run.assertNoStackTrace();
  }

  @Test
  void anAvatarThatIsNotAPresetIsRefusedAtStartUpNamingTheSetting() throws IOException {
    Run run = run(Map.of(), "--config", yaml("avatars:\n  allowedPresets: [space-pirate]\n"));

    assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(run.err())
        .contains("Invalid setting avatars.allowedPresets")
        .contains("space-pirate");
    run.assertNoStackTrace();
  }

  @Test
  void aPortInUseIsRefusedNamingTheSetting() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run =
          run(
              Map.of("HOST", "127.0.0.1", "PORT", Integer.toString(taken.getLocalPort())),
              "--config",
              yaml(""));

      assertThat(run.exit()).isEqualTo(Main.CONFIG_ERROR);
      assertThat(run.err())
          .contains("Invalid setting server.port (PORT)")
          .contains("127.0.0.1:" + taken.getLocalPort());
      run.assertNoStackTrace();
    }
  }

  private String yaml(String text) throws IOException {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, text);
    return file.toString();
  }

  private static Run run(Map<String, String> environment, String... args) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine commandLine = Main.commandLine(environment);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(out));
    int exit = commandLine.execute(args);
    return new Run(exit, err.toString(), out.toString());
  }

  private record Run(int exit, String err, String out) {
    void assertNoStackTrace() {
      assertThat(err + out).doesNotContain("\tat ", "Exception:", "Caused by");
    }
  }
}
