package dev.avatargateway.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a JVM of its own: the server's {@link Main} on this test's class path, configured by
 * environment variables and a YAML file, its output in a log file of its own. Unlike {@link
 * GatewayHarness} (in the test's JVM), it can be killed with {@code SIGKILL} ({@link #kill9()}),
 * and two of them share nothing but what they share in production: the ledger database, Redis and
 * Runway (the simulator). A failing test shows their logs with {@link #explainingFailure}.
 */
public final class GatewayJvm implements AutoCloseable {
  /** A cold JVM on a loaded 2-core machine can take several seconds to answer. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /**
   * SIGTERM starts the gateway's graceful stop (up to 10 s for connects in flight plus 1 s of
   * response drain); past this the process is killed.
   */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  /** The JVM's exit after SIGKILL is the kernel's work: it takes milliseconds. */
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  /** Enough of the log to see the start-up and the last problems, short enough to read. */
  private static final int LOG_TAIL_LINES = 80;

  /** The gateway's own heap: it serves a few dozen connects in these tests. */
  private static final String DEFAULT_HEAP = "256m";

  private static final int HTTP_OK = 200;

  private final String name;
  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http;
  private final Thread killOnExit;

  private GatewayJvm(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    // A test JVM stopped half-way (Ctrl-C, a surefire time-out) must not leave a gateway running.
    this.killOnExit = Thread.ofPlatform().unstarted(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** How to start one: {@code GatewayJvm.named("first").in(dir).yaml(...).env(...).start()}. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** What a gateway JVM is started with. */
  public static final class Builder {
    private final String name;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path dir;
    private Path jar;
    private String yaml = "";
    private String heap = DEFAULT_HEAP;
    private String awaitPath = "/healthz";

    private Builder(String name) {
      this.name = name;
    }

    /** The directory for its configuration file and its log ({@code <name>.yaml}, .log). */
    public Builder in(Path directory) {
      this.dir = directory;
      return this;
    }

    /** The content of its configuration file ({@code GATEWAY_CONFIG}). */
    public Builder yaml(String content) {
      this.yaml = content;
      return this;
    }

    /** One more environment variable (they win over the YAML, as in production). */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Its {@code -Xmx}; default {@code 256m}. */
    public Builder heap(String maxHeap) {
      this.heap = maxHeap;
      return this;
    }

    /** More options for its JVM (a GC log, a profiler), before the main class or jar. */
    public Builder jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    /**
     * Runs {@code java -jar <jar>} (the shaded jar, as in production) instead of {@link Main} on
     * this test's class path.
     */
    public Builder jar(Path shadedJar) {
      this.jar = shadedJar;
      return this;
    }

    /**
     * Waits for {@code /readyz} (ledger, Redis and upstream answer) instead of {@code /healthz}
     * (the process serves).
     */
    public Builder awaitReady() {
      this.awaitPath = "/readyz";
      return this;
    }

    /**
     * Starts it on a free port of 127.0.0.1 (unless {@code PORT} was given) with text logs, and
     * waits until {@code /healthz} (or {@code /readyz}, see {@link #awaitReady()}) answers 200.
     *
     * @throws AssertionError with its log when it exits or does not answer within a minute
     */
    public GatewayJvm start() {
      if (dir == null) {
        throw new IllegalStateException("in(directory) is required");
      }
      try {
        Files.createDirectories(dir);
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.addAll(jvmOptions);
        if (jar == null) {
          command.addAll(
              List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        } else {
          command.addAll(List.of("-jar", jar.toString()));
        }
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        // Nothing of the developer's own settings (or a real Runway secret) may reach the test's
        // gateway: it gets exactly what the test gives it.
        environment
            .keySet()
            .removeIf(key -> key.startsWith("GATEWAY_") || key.startsWith("RUNWAYML_"));
        environment.put(ConfigLoader.CONFIG_FILE_ENV, config.toString());
        environment.put("HOST", "127.0.0.1");
        environment.put("LOG_FORMAT", "text");
        environment.putIfAbsent("PORT", Integer.toString(freePort()));
        environment.putAll(env);
        int port = Integer.parseInt(environment.get("PORT"));
        GatewayJvm gateway = new GatewayJvm(name, builder.start(), port, log);
        try {
          gateway.awaitAnswer(awaitPath);
        } catch (RuntimeException | Error e) {
          gateway.kill9();
          throw e;
        }
        return gateway;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void awaitAnswer(String path) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with code " + process.exitValue() + " while starting:\n" + logTail());
      }
      if (answers(path)) {
        return;
      }
      try {
        Thread.sleep(PROBE_INTERVAL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while " + name + " started", e);
      }
    }
    throw new AssertionError(
        name + " did not answer " + path + " with 200 within " + START_TIMEOUT + ":\n" + logTail());
  }

  private boolean answers(String path) {
    try {
      return http.send(
                  HttpRequest.newBuilder(baseUrl().resolve(path)).timeout(PROBE_TIMEOUT).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == HTTP_OK;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Its name (also its log's). */
  public String name() {
    return name;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Its process id (for jcmd, /proc). */
  public long pid() {
    return process.pid();
  }

  /** Its log file (the process's standard output and error). */
  public Path logFile() {
    return log;
  }

  /** Whether its process still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /**
   * {@code kill -9}: SIGKILL, no shutdown hook, no clean-up, no last write; returns once the
   * process is gone.
   */
  public void kill9() {
    process.destroyForcibly();
    waitForExit(KILL_TIMEOUT);
  }

  /**
   * SIGTERM (the gateway's graceful stop), then SIGKILL if it takes longer than 20 s.
   *
   * @return its exit code (143 after SIGTERM, 137 after SIGKILL)
   */
  public int stop() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitForExit(STOP_TIMEOUT)) {
        kill9();
      }
    }
    return waitForExit(KILL_TIMEOUT) ? process.exitValue() : -1;
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Its whole log so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** The last lines of its log. */
  public String logTail() {
    List<String> lines = log().lines().toList();
    return String.join(
        "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
  }

  /** A check of a test, which may throw anything. */
  @FunctionalInterface
  public interface Check {
    /** Runs the check. */
    void run() throws Exception;
  }

  /**
   * Runs {@code check}; when it fails, fails again with the last lines of each gateway's log
   * appended, so that what the gateways did is in the test report.
   */
  public static void explainingFailure(List<GatewayJvm> gateways, Check check) throws Exception {
    try {
      check.run();
    } catch (AssertionError | RuntimeException e) {
      StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
      for (GatewayJvm gateway : gateways) {
        message
            .append("\n---- log of ")
            .append(gateway.name())
            .append(gateway.alive() ? "" : " (exited)")
            .append(" ----\n")
            .append(gateway.logTail());
      }
      throw new AssertionError(message.toString(), e);
    }
  }

  /** Stops every gateway, gracefully first. */
  public static void stopAll(List<GatewayJvm> gateways) {
    new ArrayList<>(gateways).forEach(GatewayJvm::close);
  }

  /** A TCP port free right now on this machine. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    http.close();
    try {
      stop();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook kills the process anyway.
      }
    }
  }
}
