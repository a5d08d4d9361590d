package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.internal.observability.LogSettings;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar avatar-gateway.jar}: starts the gateway from the environment and an optional
 * YAML file, and stops it gracefully on SIGTERM or Ctrl-C. A bad setting stops start-up with a
 * message naming it (exit code 2).
 */
@Command(
    name = "avatar-gateway",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Serves POST /api/avatar/connect: browsers get WebRTC credentials for a",
      "Runway realtime avatar session; the Runway secret never leaves the server.",
      "Without RUNWAYML_API_SECRET it runs against an in-process Runway simulator",
      "(no credits are used)."
    },
    footerHeading = "%n")
public final class Main implements Callable<Integer> {
  /** Exit code for a configuration error. */
  static final int CONFIG_ERROR = 2;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML configuration file (default: the file named by GATEWAY_CONFIG, else none).")
  private String configFile;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default: PORT, else 8080).")
  private Integer port;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stop = new CountDownLatch(1);

  /** Runs the gateway until the process is told to stop. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, with the settings reference in its help. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.getCommandSpec().usageMessage().footer(footer());
    return commandLine;
  }

  private static String[] footer() {
    StringBuilder env = new StringBuilder();
    env.append(
        String.format(
            "  %-22s %s%n",
            "RUNWAYML_API_SECRET",
            "Runway API secret (only from the environment); unset: simulator"));
    env.append(
        String.format(
            "  %-22s %s%n", ConfigLoader.CONFIG_FILE_ENV, "path of the YAML configuration file"));
    ConfigLoader.ENVIRONMENT.forEach(
        (name, path) -> env.append(String.format("  %-22s %s%n", name, path)));
    env.append(String.format("  %-22s %s%n", LogSettings.FORMAT, "json (default) or text"));
    env.append(String.format("  %-22s %s", LogSettings.LEVEL, "INFO (default), DEBUG, WARN, ..."));
    return new String[] {
      "@|bold Environment variables|@ (override the file's settings):",
      env.toString().replace("%", "%%"),
      "",
      "@|bold Settings|@ of the YAML file, with their defaults (docs/configuration.md explains each):",
      ConfigLoader.defaultsAsYaml().replace("%", "%%")
    };
  }

  @Override
  public Integer call() {
    Map<String, String> environment = new HashMap<>(System.getenv());
    if (configFile != null) {
      environment.put(ConfigLoader.CONFIG_FILE_ENV, configFile);
    }
    if (port != null) {
      environment.put("PORT", port.toString());
    }
    GatewayApp app;
    try {
      LogSettings.validate(environment::get);
      app = GatewayApp.start(ConfigLoader.load(environment));
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(e.getMessage());
      err.println("Run with --help to see every setting and its default.");
      return CONFIG_ERROR;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("avatar-gateway-shutdown")
                .unstarted(
                    () -> {
                      app.close();
                      stop.countDown();
                    }));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.close();
    }
    return 0;
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"avatar-gateway " + (version == null ? "(development build)" : version)};
    }
  }
}
