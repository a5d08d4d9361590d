package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.ConfigLoader;
import dev.avatargateway.gateway.GatewayJvm;
import dev.avatargateway.gateway.core.LedgerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway under test, started from its shaded jar in a JVM of its own ({@link GatewayJvm},
 * which the end-to-end tests use too): its heap limit, heap use and CPU time are then the gateway's
 * alone, apart from the simulator and the load generator. On top of the JVM it reads the gateway's
 * GC log, metrics, heap histogram and CPU time.
 */
final class GatewayProcess implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final long BYTES_PER_KIB = 1024;

  /** Prometheus text: {@code avatar_gateway_connects_in_flight 1999.0}. */
  private static final Pattern IN_FLIGHT =
      Pattern.compile(
          "^avatar_gateway_connects_in_flight(?:\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE);

  /** The last line of {@code jcmd <pid> GC.class_histogram}: {@code Total 1048399 70525312}. */
  private static final Pattern HISTOGRAM_TOTAL =
      Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  /** A full GC of a few hundred MiB on a loaded machine takes about a second. */
  private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(30);

  /** Prometheus text: {@code jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.2E7}. */
  private static final Pattern HEAP_SAMPLE =
      Pattern.compile("^(jvm_memory_(?:used|max)_bytes)\\{([^}]*)}\\s+(\\S+)$", Pattern.MULTILINE);

  /**
   * Unified GC log ({@code -Xlog:gc}): {@code ... Pause Young (Normal) ... 150M->20M(256M) 3ms}.
   */
  private static final Pattern GC_PAUSE =
      Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final GatewayJvm jvm;
  private final Path gcLog;
  private final HttpClient http;

  private GatewayProcess(GatewayJvm jvm, Path gcLog) {
    this.jvm = jvm;
    this.gcLog = gcLog;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /**
   * {@link #start(Path, Path, String, List, String, URI, String)} with the heap of {@code
   * bench.gatewayHeap} (256 MiB unless set) and the JVM options of {@code bench.gatewayJvmOptions}.
   */
  static GatewayProcess start(Path jar, Path workDir, String runwaySecret, URI runway, String yaml)
      throws IOException, InterruptedException {
    return start(
        jar,
        workDir,
        Bench.stringSetting("bench.gatewayHeap", "256m"),
        Bench.gatewayJvmOptions(),
        runwaySecret,
        runway,
        yaml);
  }

  /** A top-level {@code ledger:} section in a YAML configuration. */
  private static final java.util.regex.Pattern LEDGER_SECTION =
      java.util.regex.Pattern.compile("(?m)^ledger:");

  /**
   * Starts {@code java -Xmx<maxHeap> -jar <jar>} against {@code runway} as "the real Runway" and
   * waits until its {@code /readyz} answers 200.
   *
   * @param jvmOptions more options for the gateway's JVM (e.g. a profiler's), may be empty
   * @param yaml the gateway's configuration file content
   */
  static GatewayProcess start(
      Path jar,
      Path workDir,
      String maxHeap,
      List<String> jvmOptions,
      String runwaySecret,
      URI runway,
      String yaml)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path gcLog = workDir.resolve("gateway-gc.log");
    Files.deleteIfExists(gcLog);
    List<String> options = new ArrayList<>();
    options.add("-Xlog:gc:file=" + gcLog);
    options.addAll(jvmOptions);
    // The gateway's configuration file and its output: gateway.yaml and gateway.log in workDir.
    GatewayJvm.Builder builder =
        GatewayJvm.named("gateway")
            .in(workDir)
            .jar(jar)
            .heap(maxHeap)
            .jvmOptions(options)
            .yaml(yaml)
            .awaitReady()
            .env(ConfigLoader.SECRET_ENV, runwaySecret)
            .env("RUNWAYML_BASE_URL", runway.toString())
            .env("LOG_FORMAT", "json")
            .env("LOG_LEVEL", "INFO");
    // The default ledger (an H2 file), fresh for each run in the benchmark's own directory,
    // unless the configuration names a ledger of its own (the environment would win over it).
    if (!LEDGER_SECTION.matcher(yaml).find()) {
      builder.env(
          "GATEWAY_LEDGER_URL",
          LedgerConfig.DEFAULT_URL.replace(
              "./data/avatar-gateway",
              workDir
                  .resolve("ledger-" + java.util.UUID.randomUUID())
                  .toAbsolutePath()
                  .toString()));
    }
    return new GatewayProcess(builder.start(), gcLog);
  }

  /**
   * Runs {@code jcmd <pid> <command...>} on the gateway, e.g. {@code JFR.start}.
   *
   * @return what jcmd printed
   */
  String jcmd(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(jvm.pid()));
    line.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
    String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!jcmd.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      jcmd.destroyForcibly();
      throw new IOException("jcmd " + String.join(" ", command) + " took too long");
    }
    if (jcmd.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", command) + " failed: " + text);
    }
    return text;
  }

  /** Whether the gateway's process still runs. */
  boolean alive() {
    return jvm.alive();
  }

  /**
   * What {@code java -jar <jar> --help} prints: every setting with its default, so that a run can
   * show which settings (an upstream bound, admission control) the gateway it measured has.
   */
  static String help(Path jar) throws IOException, InterruptedException {
    Process help =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "--help")
            .redirectErrorStream(true)
            .start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!help.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      help.destroyForcibly();
    }
    return text;
  }

  /** The gateway's base URL. */
  URI baseUrl() {
    return jvm.baseUrl();
  }

  /** The process id, for the report. */
  long pid() {
    return jvm.pid();
  }

  /**
   * CPU time (user + system) the gateway process has used so far. Linux counts it in clock ticks
   * (10 ms), so only differences over many connects mean anything.
   */
  Duration cpuTime() {
    return ProcessHandle.of(jvm.pid())
        .orElseThrow(() -> new IllegalStateException("the gateway's process is gone"))
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("the OS does not report the CPU time"));
  }

  /**
   * The gateway's heap and connects in flight as its own {@code /metrics} tell them (Micrometer's
   * JvmMemoryMetrics and the gateway's gauge).
   */
  HeapSample heap() throws IOException, InterruptedException {
    return heap(metricsText());
  }

  /** The gateway's {@code /metrics} (Prometheus text) now. */
  String metricsText() throws IOException, InterruptedException {
    HttpRequest scrape =
        HttpRequest.newBuilder(baseUrl().resolve("/metrics")).timeout(PROBE_TIMEOUT).GET().build();
    return http.send(scrape, BodyHandlers.ofString()).body();
  }

  /** The heap and connects in flight in a {@code /metrics} text. */
  static HeapSample heap(String text) {
    long used = 0;
    long max = 0;
    Matcher m = HEAP_SAMPLE.matcher(text);
    while (m.find()) {
      if (!m.group(2).contains("area=\"heap\"")) {
        continue;
      }
      long value = (long) Double.parseDouble(m.group(3));
      if (m.group(1).equals("jvm_memory_used_bytes")) {
        used += value;
      } else if (value > 0) {
        // G1 reports -1 (undefined) for eden and survivor; old gen carries the -Xmx limit.
        max += value;
      }
    }
    Matcher inFlight = IN_FLIGHT.matcher(text);
    int connects = inFlight.find() ? (int) Double.parseDouble(inFlight.group(1)) : -1;
    return new HeapSample(used, max, connects);
  }

  /**
   * The heap that is live right now: {@code jcmd GC.class_histogram} runs a full collection first
   * and adds up what survived. It stops the gateway for that collection (about a second here), so
   * the benchmark does it only on request.
   */
  long liveHeapBytes() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process histogram =
        new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String text = new String(histogram.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!histogram.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      histogram.destroyForcibly();
      throw new IOException("jcmd GC.class_histogram did not finish within " + JCMD_TIMEOUT);
    }
    Matcher total = HISTOGRAM_TOTAL.matcher(text);
    if (!total.find()) {
      throw new IOException("jcmd GC.class_histogram printed no total");
    }
    return Long.parseLong(total.group(1));
  }

  /** Heap figures from the {@code -Xlog:gc} file: the truest peak, since GC starts at the peak. */
  GcSummary gcSummary() {
    List<String> lines;
    try {
      lines = Files.readAllLines(gcLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String collector = "unknown";
    int pauses = 0;
    int fullPauses = 0;
    int evacuationFailures = 0;
    long maxBefore = 0;
    long maxAfterFull = 0;
    long maxCommitted = 0;
    for (String line : lines) {
      if (line.contains("Using ") && collector.equals("unknown")) {
        collector = line.substring(line.indexOf("Using ") + "Using ".length()).trim();
      }
      Matcher m = GC_PAUSE.matcher(line);
      if (!m.find()) {
        continue;
      }
      pauses++;
      maxBefore = Math.max(maxBefore, bytes(m.group(1), m.group(2)));
      maxCommitted = Math.max(maxCommitted, bytes(m.group(5), m.group(6)));
      if (line.contains("Pause Full")) {
        fullPauses++;
        maxAfterFull = Math.max(maxAfterFull, bytes(m.group(3), m.group(4)));
      }
      if (line.contains("Evacuation Failure")) {
        evacuationFailures++;
      }
    }
    return new GcSummary(
        collector, pauses, fullPauses, evacuationFailures, maxBefore, maxAfterFull, maxCommitted);
  }

  /** How many lines of the gateway's output mention an {@code OutOfMemoryError}. */
  long outOfMemoryErrors() {
    try (var lines = Files.lines(output(), StandardCharsets.UTF_8)) {
      return lines.filter(line -> line.contains("OutOfMemoryError")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long bytes(String number, String unit) {
    long n = Long.parseLong(number);
    return switch (unit) {
      case "K" -> n * BYTES_PER_KIB;
      case "M" -> n * BYTES_PER_KIB * BYTES_PER_KIB;
      default -> n * BYTES_PER_KIB * BYTES_PER_KIB * BYTES_PER_KIB;
    };
  }

  /**
   * From the gateway's JSON log: for each upstream session, the {@code totalMs} of its "connect
   * finished" line (ConnectSummary), i.e. how long the gateway's handler took.
   */
  Map<String, Long> handlerMillisBySession() {
    Map<String, Long> bySession = new HashMap<>();
    try (var lines = Files.lines(output(), StandardCharsets.UTF_8)) {
      lines
          .filter(line -> line.startsWith("{") && line.contains("\"connect finished\""))
          .map(JSON::readTree)
          .filter(json -> json.hasNonNull("upstreamSessionId") && json.hasNonNull("totalMs"))
          .forEach(
              json ->
                  bySession.put(
                      json.get("upstreamSessionId").asString(), json.get("totalMs").asLong()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bySession;
  }

  /** The gateway's output (JSON log lines), for counting and for failures. */
  Path output() {
    return jvm.logFile();
  }

  /**
   * Stops the gateway with SIGTERM (its graceful stop), killing it if it takes too long.
   *
   * @return its exit code
   */
  int stop() {
    return jvm.stop();
  }

  @Override
  public void close() {
    http.close();
    jvm.close();
  }

  /**
   * One look at the heap.
   *
   * @param usedBytes heap in use, all pools
   * @param maxBytes the heap limit (-Xmx), as the JVM reports it
   * @param connectsInFlight connects being served at that moment (-1 when not reported)
   */
  record HeapSample(long usedBytes, long maxBytes, int connectsInFlight) {}

  /**
   * What the GC log says.
   *
   * @param collector the collector the JVM chose, e.g. {@code G1}
   * @param pauses how many pauses reported heap sizes
   * @param fullPauses how many of them were full collections (everything live is found)
   * @param evacuationFailures young pauses that found no room to copy survivors into
   * @param maxBeforeBytes the most heap in use when a collection started: the peak
   * @param maxAfterFullBytes the most heap in use after a full collection: the live set then (0
   *     when there was none)
   * @param maxCommittedBytes the largest heap the JVM had reserved from the OS
   */
  record GcSummary(
      String collector,
      int pauses,
      int fullPauses,
      int evacuationFailures,
      long maxBeforeBytes,
      long maxAfterFullBytes,
      long maxCommittedBytes) {}
}
