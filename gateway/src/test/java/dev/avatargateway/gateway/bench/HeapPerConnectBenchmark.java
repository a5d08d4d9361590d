package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.core.AdmissionConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap per waiting connect, the figure behind {@code AdmissionConfig.HEAP_PER_CONNECT_KIB}:
 * the gateway (its shaded jar, a JVM of its own with {@code bench.gatewayHeap} [1g]) against the
 * simulator, warmed up with {@code bench.warmupConnects} [200] connects that are READY at once;
 * then the simulator's sessions never become READY, and {@code bench.levels} [0,2000,5000] connects
 * are kept waiting in the gateway, one level after the other. At each level, once the gateway's
 * gauge says that many are in flight, {@code jcmd GC.class_histogram} (a full collection, then the
 * live objects) gives the live heap; the program prints it, the heap per waiting connect between
 * levels, and the classes that grew most. {@code bench.threadDump=FILE} also writes a JSON thread
 * dump (virtual threads included) at the last level. Admission control is switched off in the
 * gateway's configuration, so that the levels are not capped by the very figure being measured, and
 * the connect deadline is long, so that nothing times out while the histograms run.
 *
 * <p>Not a test and not one of {@code -Dgateway.benchmark}'s names (it prints figures, no targets).
 * Run it from the checkout's root after {@code mvn -B -q -pl gateway -am package -DskipTests}; the
 * shaded jar carries every class it needs besides its own:
 *
 * <pre>
 * "$JAVA_HOME/bin/java" -Xmx2g -Dbench.gatewayJar=gateway/target/avatar-gateway.jar \
 *   -Dbench.simulatorJar=runway-simulator/target/runway-simulator-0.1.0-SNAPSHOT-all.jar \
 *   -Dbench.workDir=gateway/target/gateway-benchmark \
 *   -cp gateway/target/test-classes:gateway/target/avatar-gateway.jar \
 *   dev.avatargateway.gateway.bench.HeapPerConnectBenchmark
 * </pre>
 *
 * <p>Add {@code -Dbench.gatewayHeap=512m -Dbench.levels=0,5000,10000} for the figures at the
 * bounded-upstream benchmark's heap; the program also prints the most heap still in use right after
 * any collection of the run, which admission control's {@code maxHeapUsedAfterGc} reads.
 */
public final class HeapPerConnectBenchmark {
  /** Long enough that no session becomes READY while the levels are measured. */
  private static final String NEVER_READY = "3600s";

  /**
   * The gateway's configuration: the benchmarks' usual one (no auth, no rate limits) without
   * admission control, with a deadline far beyond the run, and room for 10,000 waiting connects
   * beside the load generator's idle ones and the program's own {@code /metrics} connection (the
   * default {@code server.maxConnections} is exactly 10,000).
   */
  private static final String YAML =
      Bench.GATEWAY_YAML
          + """
          admission:
            maxConnectsInFlight: 0
            maxHeapUsedAfterGc: 1.0
          connect:
            deadline: 600s
            queuedDeadline: 600s
          server:
            maxConnections: 12000
          """;

  /** How long a level may take to be reached: thousands of connects through the ledger. */
  private static final Duration LEVEL_TIMEOUT = Duration.ofSeconds(120);

  /** Lets the last admitted connects reach their wait (ledger rows, poller entries). */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  private static final Duration GAUGE_POLL = Duration.ofMillis(250);
  private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
  private static final int TOP_CLASSES = 25;
  private static final double BYTES_PER_KIB = 1024.0;

  /** A class line of {@code GC.class_histogram}: {@code num: instances bytes name (module)}. */
  private static final Pattern CLASS_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

  /** A pause of {@code -Xlog:gc}: {@code ... 150M->20M(256M) 3ms}; group 1-2 the heap after. */
  private static final Pattern GC_PAUSE =
      Pattern.compile("\\d+[KMG]->(\\d+)([KMG])\\(\\d+[KMG]\\)");

  private static final Pattern TOTAL =
      Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  private HeapPerConnectBenchmark() {}

  public static void main(String[] args) throws Exception {
    try {
      run();
    } finally {
      System.out.flush();
      // Stray non-daemon threads (HTTP clients) must not keep the JVM alive.
      System.exit(0);
    }
  }

  static void run() throws Exception {
    Bench.header("Gateway live heap per waiting connect");
    String heap = Bench.stringSetting("bench.gatewayHeap", "1g");
    int warmup = Bench.intSetting("bench.warmupConnects", 200);
    List<Integer> levels =
        Bench.list(Bench.stringSetting("bench.levels", "0,2000,5000")).stream()
            .map(Integer::parseInt)
            .toList();
    Path work = Bench.workDir("heap-per-connect");
    Path jar = Bench.gatewayJar();
    String secret = ReadinessBenchmark.secret();
    Bench.printf("gateway configuration (YAML):%n%s%n", YAML.strip().indent(2));
    try (SimulatorProcess sim = SimulatorProcess.startForBenchmark(work, "2g", secret, "0ms");
        GatewayProcess gateway =
            GatewayProcess.start(
                jar,
                work.resolve("gateway"),
                heap,
                Bench.gatewayJvmOptions(),
                secret,
                sim.baseUrl(),
                YAML);
        ConnectClient client = new ConnectClient(gateway.baseUrl(), Duration.ofSeconds(600))) {
      Bench.printf("gateway: pid %d, java -Xmx%s -jar %s%n", gateway.pid(), heap, jar);
      List<Outcome> warm = Load.atConcurrency(client::connect, warmup, 8);
      Bench.printf(
          "warm-up: %d of %d ok (simulator ready at once)%n",
          warm.stream().filter(Outcome::ok).count(), warmup);
      sim.setReadyAfter(NEVER_READY);
      awaitInFlight(gateway, 0);

      List<Thread> waiting = new ArrayList<>();
      Map<Integer, Histogram> byLevel = new HashMap<>();
      int previous = -1;
      for (int level : levels) {
        for (int i = waiting.size(); i < level; i++) {
          waiting.add(Thread.ofVirtual().start(() -> connectQuietly(client)));
        }
        awaitInFlight(gateway, level);
        Thread.sleep(SETTLE);
        Histogram h = Histogram.of(gateway.pid());
        byLevel.put(level, h);
        Bench.printf(
            "%,6d connects waiting: live heap %.1f MiB (threads of the gateway %s)%n",
            level, h.total() / Bench.BYTES_PER_MIB, platformThreads(gateway.pid()));
        if (previous >= 0 && level > previous) {
          Histogram before = byLevel.get(previous);
          Bench.printf(
              "        %,d -> %,d: %.1f KiB live heap per waiting connect%n",
              previous, level, (h.total() - before.total()) / BYTES_PER_KIB / (level - previous));
        }
        previous = level;
      }
      Bench.optionalSetting("bench.threadDump")
          .ifPresent(file -> threadDump(gateway.pid(), Path.of(file).toAbsolutePath()));
      if (levels.size() >= 2) {
        int low = levels.getFirst();
        int high = levels.getLast();
        Histogram a = byLevel.get(low);
        Histogram b = byLevel.get(high);
        Bench.printf(
            "%nlive heap per waiting connect, %,d -> %,d: %.1f KiB%n",
            low, high, (b.total() - a.total()) / BYTES_PER_KIB / (high - low));
        Bench.printf(
            "classes that grew most, bytes per waiting connect (instances per connect):%n");
        b.bytes().entrySet().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue() - a.bytes().getOrDefault(e.getKey(), 0L)))
            .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
            .limit(TOP_CLASSES)
            .forEach(
                e ->
                    Bench.printf(
                        "  %8.1f B  (%5.2f)  %s%n",
                        (double) e.getValue() / (high - low),
                        (double)
                                (b.instances().getOrDefault(e.getKey(), 0L)
                                    - a.instances().getOrDefault(e.getKey(), 0L))
                            / (high - low),
                        e.getKey()));
      }
      printHeapAfterCollections(work.resolve("gateway").resolve("gateway-gc.log"), heap);
      client.closeConnections();
      for (Thread t : waiting) {
        t.join(Duration.ofSeconds(30));
      }
    }
  }

  /**
   * The most heap still in use right after any collection of the run (young ones included), the
   * reading admission control's {@code maxHeapUsedAfterGc} compares with the maximum heap: had the
   * check been on, it would have refused connects above its fraction.
   */
  private static void printHeapAfterCollections(Path gcLog, String heap) throws IOException {
    long maxAfter = 0;
    long limit = BoundedUpstreamBenchmark.parseHeap(heap);
    for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
      Matcher m = GC_PAUSE.matcher(line);
      if (m.find()) {
        maxAfter = Math.max(maxAfter, Long.parseLong(m.group(1)) * unitBytes(m.group(2)));
      }
    }
    Bench.printf(
        "heap in use right after a collection, the most of the run: %.0f MiB, %.2f of -Xmx%s"
            + " (admission refuses above %.2f by default; the histograms' full collections"
            + " included)%n",
        maxAfter / Bench.BYTES_PER_MIB,
        (double) maxAfter / limit,
        heap,
        AdmissionConfig.DEFAULT_MAX_HEAP_USED_AFTER_GC);
  }

  private static long unitBytes(String unit) {
    return switch (unit) {
      case "K" -> 1L << 10;
      case "M" -> 1L << 20;
      default -> 1L << 30;
    };
  }

  /**
   * {@code jcmd Thread.dump_to_file -format=json}: every thread's stack, virtual threads included,
   * for seeing what a waiting connect's threads hold.
   */
  private static void threadDump(long pid, Path file) {
    try {
      Files.deleteIfExists(file);
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p =
          new ProcessBuilder(
                  jcmd.toString(),
                  Long.toString(pid),
                  "Thread.dump_to_file",
                  "-format=json",
                  file.toString())
              .redirectErrorStream(true)
              .start();
      p.getInputStream().transferTo(System.out);
      p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Bench.printf("thread dump of the last level: %s%n", file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void connectQuietly(ConnectClient client) {
    try {
      client.connect();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitInFlight(GatewayProcess gateway, int count) throws Exception {
    long deadline = System.nanoTime() + LEVEL_TIMEOUT.toNanos();
    int seen = -1;
    while (System.nanoTime() < deadline) {
      seen = gateway.heap().connectsInFlight();
      if (seen == count) {
        return;
      }
      Thread.sleep(GAUGE_POLL);
    }
    throw new IllegalStateException(
        "the gateway reports " + seen + " connects in flight, not " + count + ", after waiting");
  }

  private static String platformThreads(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(line -> line.startsWith("Threads:"))
        .map(line -> line.substring("Threads:".length()).trim())
        .findFirst()
        .orElse("?");
  }

  /** One {@code jcmd GC.class_histogram}: the total and each class's bytes and instances. */
  private record Histogram(long total, Map<String, Long> bytes, Map<String, Long> instances) {
    static Histogram of(long pid) throws IOException, InterruptedException {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
              .redirectErrorStream(true)
              .start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("jcmd GC.class_histogram did not finish within " + JCMD_TIMEOUT);
      }
      Matcher total = TOTAL.matcher(text);
      if (!total.find()) {
        throw new IOException("jcmd GC.class_histogram printed no total:\n" + text);
      }
      Map<String, Long> bytes = new HashMap<>();
      Map<String, Long> instances = new HashMap<>();
      Matcher m = CLASS_LINE.matcher(text);
      while (m.find()) {
        bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
        instances.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
      }
      return new Histogram(Long.parseLong(total.group(1)), bytes, instances);
    }
  }
}
