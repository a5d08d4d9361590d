package dev.avatargateway.simulator.internal.cli;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.SimulatorException;
import dev.avatargateway.simulator.internal.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar runway-simulator-<version>-all.jar [options]}: runs the simulator until SIGTERM
 * or Ctrl-C. Every {@link SimulatorConfig} setting has a flag; unset flags keep the defaults.
 */
@Command(
    name = "runway-simulator",
    mixinStandardHelpOptions = true,
    versionProvider = SimulatorCommand.Version.class,
    sortOptions = false,
    description =
        "A local, stateful simulator of Runway's realtime-session, avatar, conversation and usage"
            + " API.",
    footer = {
      "",
      "Durations: 1500ms, 2s, 1.5s, 5m, 1h or ISO-8601 (PT2S).",
      "Distributions: a duration, uniform(<min>,<max>) or lognormal(<median>,<sigma>).",
      "Faults: <route>:<status|reset|hang>[:<option>,...] with routes create, retrieve, cancel,",
      "  consume, connect-backend, avatar-retrieve, avatar-list, conversation-list,",
      "  conversation-retrieve, conversation-delete, usage, any and options <probability>",
      "  or p=<0..1>, times=<n>, retry-after=<s>, retry-after-ms=<ms>, retry-after-date=<duration>,",
      "  should-retry=true|false, after-commit. E.g. create:500:0.1, retrieve:429:times=2,retry-after=1"
    })
public final class SimulatorCommand implements Callable<Integer> {

  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "<port>",
      description = "TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port = 0;

  @Option(
      names = "--api-key",
      paramLabel = "<key>",
      description = "Accepted API key; repeatable (default: key_simulator).")
  private List<String> apiKeys = new ArrayList<>();

  @Option(
      names = "--ready-after",
      paramLabel = "<distribution>",
      converter = DistributionConverter.class,
      description = "Provisioning time NOT_READY -> READY (default: 1500ms).")
  private DelayDistribution readyAfter;

  @Option(
      names = "--ready-window",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "READY unconsumed for this long goes FAILED NO_PARTICIPANT (default: 25s).")
  private Duration readyWindow;

  @Option(
      names = "--session-key-ttl",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "expiresAt = createdAt + this (default: 5m).")
  private Duration sessionKeyTtl;

  @Option(
      names = "--concurrency-cap",
      paramLabel = "<n>",
      description = "Sessions holding a slot at once; others queue (default: unlimited).")
  private Integer concurrencyCap;

  @Option(
      names = "--max-session-duration",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "RUNNING ends COMPLETED after min(maxDuration, this) (default: 300s).")
  private Duration maxSessionDuration;

  @Option(names = "--credits-exhausted", description = "Create answers 402 (default: false).")
  private boolean creditsExhausted;

  @Option(
      names = "--second-consume-status",
      paramLabel = "<status>",
      description = "HTTP status of a second consume (default: 409).")
  private Integer secondConsumeStatus;

  @Option(
      names = "--livekit-url",
      paramLabel = "<url>",
      description = "url returned by consume (default: wss://livekit.simulator.invalid).")
  private String livekitUrl;

  @Option(
      names = "--token-secret",
      paramLabel = "<secret>",
      description = "HS256 secret (>= 32 bytes) for LiveKit JWTs (default: random).")
  private String tokenSecret;

  @Option(
      names = "--fault",
      paramLabel = "<fault>",
      converter = FaultConverter.class,
      description = "Fault rule installed at start; repeatable (syntax below).")
  private List<FaultRule> faults = new ArrayList<>();

  @Option(
      names = "--max-hang",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Longest a hang fault holds a request (default: 5m).")
  private Duration maxHang;

  @Option(
      names = "--conversations-for-unstarted-sessions",
      description =
          "Sessions that never became RUNNING get a conversation record (default: false, none).")
  private boolean conversationsForUnstartedSessions;

  @Option(
      names = "--conversation-record-delay",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Conversation records lag their sessions by this much (default: 0).")
  private Duration conversationRecordDelay;

  @Option(
      names = "--consume-cors-origin",
      paramLabel = "<origin>",
      description =
          "Browser origin consume admits via CORS, e.g. http://localhost:5173, or * for any;"
              + " repeatable (default: *).")
  private List<String> consumeCorsOrigins = new ArrayList<>();

  @Option(
      names = "--no-consume-cors",
      description = "No CORS on consume at all, as a Runway that refuses browsers (default: off).")
  private boolean noConsumeCors;

  @Option(
      names = "--seed",
      paramLabel = "<n>",
      description = "Seed for delay samples and fault draws (default: random).")
  private Long seed;

  private final Consumer<RunwaySimulator> awaitShutdown;

  /** The command as {@code main} runs it: serves until the JVM is asked to stop. */
  public SimulatorCommand() {
    this(SimulatorCommand::untilJvmStops);
  }

  /**
   * @param awaitShutdown blocks while the simulator should keep running; the simulator is closed
   *     when it returns
   */
  SimulatorCommand(Consumer<RunwaySimulator> awaitShutdown) {
    this.awaitShutdown = awaitShutdown;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulatorCommand()).execute(args));
  }

  /** The configuration the parsed options describe. */
  SimulatorConfig toConfig() {
    SimulatorConfig.Builder b = SimulatorConfig.builder().port(port).faults(faults);
    if (!apiKeys.isEmpty()) {
      b.apiKeys(new LinkedHashSet<>(apiKeys));
    }
    if (readyAfter != null) {
      b.readyAfter(readyAfter);
    }
    if (readyWindow != null) {
      b.readyWindow(readyWindow);
    }
    if (sessionKeyTtl != null) {
      b.sessionKeyTtl(sessionKeyTtl);
    }
    if (concurrencyCap != null) {
      b.concurrencyCap(concurrencyCap);
    }
    if (maxSessionDuration != null) {
      b.maxSessionDuration(maxSessionDuration);
    }
    b.creditsExhausted(creditsExhausted);
    if (secondConsumeStatus != null) {
      b.secondConsumeStatus(secondConsumeStatus);
    }
    if (livekitUrl != null) {
      b.livekitUrl(livekitUrl);
    }
    if (tokenSecret != null) {
      b.tokenSecret(tokenSecret);
    }
    if (maxHang != null) {
      b.maxHang(maxHang);
    }
    if (seed != null) {
      b.seed(seed);
    }
    b.conversationsForUnstartedSessions(conversationsForUnstartedSessions);
    if (conversationRecordDelay != null) {
      b.conversationRecordDelay(conversationRecordDelay);
    }
    if (noConsumeCors) {
      if (!consumeCorsOrigins.isEmpty()) {
        throw new SimulatorException(
            "--no-consume-cors and --consume-cors-origin cannot be combined");
      }
      b.consumeCorsOrigins(List.of());
    } else if (!consumeCorsOrigins.isEmpty()) {
      b.consumeCorsOrigins(consumeCorsOrigins);
    }
    return b.build();
  }

  @Override
  public Integer call() {
    SimulatorConfig config;
    try {
      config = toConfig();
    } catch (SimulatorException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    try (RunwaySimulator simulator = RunwaySimulator.start(config)) {
      PrintWriter out = spec.commandLine().getOut();
      out.println("Runway simulator listening on " + simulator.baseUrl());
      out.flush();
      awaitShutdown.accept(simulator);
    }
    return 0;
  }

  /** Blocks until SIGTERM/SIGINT runs the JVM's shutdown hooks. */
  private static void untilJvmStops(RunwaySimulator simulator) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                },
                "runway-simulator-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value);
    }
  }

  static final class DistributionConverter implements ITypeConverter<DelayDistribution> {
    @Override
    public DelayDistribution convert(String value) {
      return DelayDistribution.parse(value);
    }
  }

  static final class FaultConverter implements ITypeConverter<FaultRule> {
    @Override
    public FaultRule convert(String value) {
      return FaultRule.parse(value);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SimulatorCommand.class.getPackage().getImplementationVersion();
      return new String[] {"runway-simulator " + (v == null ? "(development build)" : v)};
    }
  }
}
