package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Runway simulator in a JVM of its own, from its CLI jar ({@code
 * runway-simulator/target/runway-simulator-*-all.jar}), driven through its admin HTTP API. A JVM of
 * its own because the accepted upstream connections count against the open-file limit of its
 * process: 12,000 client sockets of the load generator and as many upstream sockets in one JVM
 * would pass the machine's limit of 20,000.
 */
final class SimulatorProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Reading every session of a big run is one large JSON answer. */
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private static final String MAIN_CLASS =
      "dev.avatargateway.simulator.internal.cli.SimulatorCommand";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int HTTP_OK = 200;

  private final Process process;
  private final URI baseUrl;
  private final String launchedFrom;
  private final HttpClient http;
  private final Thread killOnExit;

  private SimulatorProcess(Process process, URI baseUrl, String launchedFrom) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.launchedFrom = launchedFrom;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.killOnExit = Thread.ofPlatform().unstarted(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Starts the simulator as every benchmark here does ({@code bench.simulatorJar}, the benchmarks'
   * READY window and seed) and prints where it runs.
   *
   * @param heap the simulator JVM's {@code -Xmx}
   * @param readyAfter its READY time, a distribution in the simulator's syntax
   */
  static SimulatorProcess startForBenchmark(
      Path workDir, String heap, String apiKey, String readyAfter)
      throws IOException, InterruptedException {
    SimulatorProcess sim =
        start(
            Bench.optionalSetting("bench.simulatorJar").map(Path::of),
            workDir,
            heap,
            apiKey,
            readyAfter,
            ReadinessBenchmark.READY_WINDOW,
            ReadinessBenchmark.SEED);
    Bench.printf(
        "simulator: pid %d, own JVM, %s, at %s%n", sim.pid(), sim.launchedFrom(), sim.baseUrl());
    return sim;
  }

  /**
   * Starts {@code java -jar runway-simulator-*-all.jar --port 0 ...} and waits for its "listening
   * on" line. Without the jar (a build that did not package the simulator) it runs the same main
   * class from this JVM's class path, on which the gateway's dependency puts the simulator.
   *
   * @param jar the CLI jar, if it exists
   * @param readyAfter the simulator's readiness delay, as {@code --ready-after} takes it
   * @param readyWindow how long a READY session waits for its consume
   */
  static SimulatorProcess start(
      Optional<Path> jar,
      Path workDir,
      String heap,
      String apiKey,
      String readyAfter,
      Duration readyWindow,
      long seed)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path output = workDir.resolve("simulator.log");
    Files.deleteIfExists(output);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    String from;
    if (jar.isPresent() && Files.isRegularFile(jar.get())) {
      command.add("-jar");
      command.add(jar.get().toAbsolutePath().normalize().toString());
      from = jar.get().toAbsolutePath().normalize().toString();
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(MAIN_CLASS);
      from = MAIN_CLASS + " from the class path (no CLI jar found)";
    }
    command.addAll(
        List.of(
            "--port",
            "0",
            "--api-key",
            apiKey,
            "--ready-after",
            readyAfter,
            "--ready-window",
            readyWindow.toSeconds() + "s",
            "--seed",
            Long.toString(seed)));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    return new SimulatorProcess(
        process, Bench.awaitListening(process, output, "the simulator", START_TIMEOUT), from);
  }

  URI baseUrl() {
    return baseUrl;
  }

  int port() {
    return baseUrl.getPort();
  }

  long pid() {
    return process.pid();
  }

  /** The jar (or class) it was started from, for the report. */
  String launchedFrom() {
    return launchedFrom;
  }

  /**
   * Changes the readiness delay of sessions created from now on.
   *
   * @param distribution e.g. {@code 1500ms}, {@code uniform(1s,10s)}, {@code
   *     lognormal(1500ms,0.25)}
   */
  void setReadyAfter(String distribution) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("readyAfter", distribution));
    send(
        HttpRequest.newBuilder(admin("config"))
            .timeout(ADMIN_TIMEOUT)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** One session's record now, or empty when the simulator does not know it. */
  Optional<Session> session(String id) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(admin("sessions/" + id)).timeout(ADMIN_TIMEOUT).GET().build(),
            BodyHandlers.ofString());
    if (response.statusCode() != HTTP_OK) {
      return Optional.empty();
    }
    return Optional.of(Session.of(JSON.readTree(response.body())));
  }

  /** Every session's record now. */
  Map<String, Session> sessions() throws IOException, InterruptedException {
    JsonNode all =
        JSON.readTree(
            send(HttpRequest.newBuilder(admin("sessions")).timeout(ADMIN_TIMEOUT).GET().build()));
    Map<String, Session> byId = new HashMap<>();
    for (JsonNode node : all) {
      Session s = Session.of(node);
      byId.put(s.id(), s);
    }
    return byId;
  }

  /** The simulator's counters now. */
  Stats stats() throws IOException, InterruptedException {
    JsonNode n =
        JSON.readTree(
            send(HttpRequest.newBuilder(admin("stats")).timeout(ADMIN_TIMEOUT).GET().build()));
    Map<String, Long> byRoute = new HashMap<>();
    n.path("responses")
        .properties()
        .forEach(
            route -> {
              long total = 0;
              for (JsonNode count : route.getValue()) {
                total += count.asLong();
              }
              byRoute.put(route.getKey(), total);
            });
    return new Stats(
        n.path("requests").asLong(), byRoute, n.path("open").asLong(), n.path("leaked").asLong());
  }

  /** Moves simulated time on, e.g. past every READY window to count leaked sessions. */
  void advanceClock(Duration by) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("millis", by.toMillis()));
    send(
        HttpRequest.newBuilder(admin("clock/advance"))
            .timeout(ADMIN_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private URI admin(String path) {
    return baseUrl.resolve("/_simulator/" + path);
  }

  private String send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          request.method()
              + " "
              + request.uri()
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return response.body();
  }

  @Override
  public void close() {
    http.close();
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook kills it anyway.
    }
  }

  /**
   * One session as the simulator's admin API tells it (its instants are simulated time, which is
   * the wall clock here since nothing advances it during a measurement).
   *
   * @param getCount how many status reads it has answered so far
   */
  record Session(
      String id,
      String status,
      Instant createdAt,
      Optional<Instant> readyAt,
      Optional<Instant> consumedAt,
      Optional<Instant> cancelledAt,
      long getCount,
      boolean leaked) {
    static Session of(JsonNode n) {
      return new Session(
          n.path("id").asString(),
          n.path("status").asString(),
          Instant.parse(n.path("createdAt").asString()),
          instant(n, "readyAt"),
          instant(n, "consumedAt"),
          instant(n, "cancelledAt"),
          n.path("getCount").asLong(),
          n.path("leaked").asBoolean());
    }

    private static Optional<Instant> instant(JsonNode n, String field) {
      JsonNode value = n.path(field);
      return value.isString() ? Optional.of(Instant.parse(value.asString())) : Optional.empty();
    }

    /** READY until the consume was handled: how long the waiting side took to notice READY. */
    Optional<Duration> readyNoticed() {
      return readyAt.flatMap(r -> consumedAt.map(c -> Duration.between(r, c)));
    }
  }

  /**
   * The simulator's counters.
   *
   * @param requests requests on the Runway API routes
   * @param responsesByRoute responses by route ({@code CREATE}, {@code RETRIEVE}, {@code CONSUME},
   *     {@code CANCEL}, ...), any status
   * @param open sessions neither consumed, cancelled nor ended
   * @param leaked sessions that became READY and failed for no participant
   */
  record Stats(long requests, Map<String, Long> responsesByRoute, long open, long leaked) {
    long route(String name) {
      return responsesByRoute.getOrDefault(name, 0L);
    }
  }
}
