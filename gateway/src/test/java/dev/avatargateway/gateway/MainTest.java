package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: help lists every setting with its default; a bad setting stops start-up. */
class MainTest {
  @Test
  void helpListsEnvironmentVariablesAndEverySettingWithItsDefault() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out));

    int exit = commandLine.execute("--help");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains(
            "RUNWAYML_API_SECRET", "GATEWAY_CONFIG", "PORT", "GATEWAY_RESPONSE_MODE", "LOG_FORMAT")
        .contains("deadline: \"30s\"", "queuedDeadline: \"90s\"", "acceptQueueSize: 4096")
        .contains("maxConcurrentConnectsPerPrincipal: 1", "mode: \"none\"", "allowedOrigins: []");
  }

  @Test
  void aBadSettingStopsStartUpNamingIt() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err));

    int exit = commandLine.execute("--config", "/nonexistent/gateway.yaml");

    assertThat(exit).isEqualTo(Main.CONFIG_ERROR);
    assertThat(err.toString()).contains("Invalid setting GATEWAY_CONFIG").contains("--help");
  }
}
