package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.internal.observability.LogSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar avatar-gateway.jar}: starts the gateway from the environment and an optional
 * YAML file, and stops it gracefully on SIGTERM or Ctrl-C. Bad settings stop start-up with a
 * message naming each of them, and no stack trace (exit code 2).
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
  /** Picocli's own default width of the help, kept for its prose. */
  private static final int HELP_WIDTH = 80;

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
  private final Map<String, String> environment;

  private Main(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Runs the gateway until the process is told to stop. */
  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /**
   * The command line, with the settings reference in its help.
   *
   * @param environment the process environment (a test's own, so that what the machine running it
   *     has set cannot change the outcome)
   */
  static CommandLine commandLine(Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new Main(environment));
    String defaults = ConfigLoader.defaultsAsYaml();
    commandLine.getCommandSpec().usageMessage().footer(footer(defaults));
    // Tools read the defaults back from the help (the benchmarks do): a wrapped line, such as the
    // ledger's URL, would no longer be the same YAML.
    int widest = defaults.lines().mapToInt(String::length).max().orElse(0);
    commandLine.setUsageHelpWidth(Math.max(HELP_WIDTH, widest + 1));
    return commandLine;
  }

  private static String[] footer(String defaults) {
    StringBuilder env = new StringBuilder();
    env.append(
        String.format(
            "  %-22s %s%n",
            ConfigLoader.SECRET_ENV,
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
      defaults.replace("%", "%%")
    };
  }

  @Override
  public Integer call() {
    Map<String, String> settings = new HashMap<>(environment);
    if (configFile != null) {
      settings.put(ConfigLoader.CONFIG_FILE_ENV, configFile);
    }
    if (port != null) {
      settings.put("PORT", port.toString());
    }
    GatewayApp app;
    try {
      app = start(settings);
    } catch (InvalidSettingsException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(e.getMessage());
      err.println("Run with --help to see every setting and its default.");
      err.flush();
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

  /**
   * Checks every setting, the logging ones included, and starts the gateway.
   *
   * @throws InvalidSettingsException naming every problem found
   */
  private static GatewayApp start(Map<String, String> settings) {
    List<ConfigException> problems = new ArrayList<>(LogSettings.problems(settings::get));
    ConfigLoader.LoadedConfig loaded;
    try {
      loaded = ConfigLoader.load(settings);
    } catch (InvalidSettingsException e) {
      problems.addAll(e.problems());
      throw new InvalidSettingsException(problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return GatewayApp.start(loaded);
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
