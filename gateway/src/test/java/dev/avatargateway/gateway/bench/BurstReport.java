package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.bench.GatewayProcess.GcSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What the two burst benchmarks (overload, bounded upstream) print alike. */
final class BurstReport {
  private BurstReport() {}

  /** Answers by status and code, with their latency. */
  static Map<String, List<Outcome>> byStatusAndCode(List<Outcome> outcomes) {
    return outcomes.stream()
        .collect(Collectors.groupingBy(Outcome::statusAndCode, TreeMap::new, Collectors.toList()));
  }

  static void printAnswers(List<Outcome> outcomes) {
    Map<String, List<Outcome>> groups = byStatusAndCode(outcomes);
    Bench.printf("answers by status and code (latency from the release):%n");
    groups.forEach(
        (key, list) ->
            Bench.printf(
                "  %-40s %6d  %s%n",
                key,
                list.size(),
                Distribution.of(list.stream().mapToLong(Outcome::latencyNanos).toArray())));
    Map<String, Long> details =
        outcomes.stream()
            .filter(o -> !o.ok())
            .collect(Collectors.groupingBy(Outcome::detail, TreeMap::new, Collectors.counting()));
    if (!details.isEmpty()) {
      Bench.printf("failures in detail (first 10 kinds):%n");
      details.entrySet().stream()
          .limit(10)
          .forEach(e -> Bench.printf("  %6d  %s%n", e.getValue(), abbreviate(e.getKey())));
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 157) + "...";
  }

  static void printUpstream(SimulatorProcess.Stats before, SimulatorProcess.Stats after, int n) {
    long creates = after.route("CREATE") - before.route("CREATE");
    long reads = after.route("RETRIEVE") - before.route("RETRIEVE");
    long consumes = after.route("CONSUME") - before.route("CONSUME");
    long cancels = after.route("CANCEL") - before.route("CANCEL");
    Bench.printf(
        "upstream requests: %d creates, %d status reads (%.2f per connect), %d consumes, %d"
            + " cancels%n",
        creates, reads, (double) reads / n, consumes, cancels);
  }

  static void printSampler(GatewaySampler sampler, String heap) {
    Bench.printf(
        "gateway process peaks (from /proc every second): %d platform threads, %d open files"
            + " (limit %s), %d established upstream connections, %d client connections%n",
        sampler.peakThreads(),
        sampler.peakOpenFiles(),
        openFileLimit(),
        sampler.peakUpstream(),
        sampler.peakClients());
    Bench.printf(
        "gateway heap from /metrics (%d samples): peak used %.1f MiB of %.1f MiB (-Xmx%s); at most"
            + " %d connects in flight%n",
        sampler.metricsSamples(),
        sampler.peakHeapUsedBytes() / Bench.BYTES_PER_MIB,
        sampler.heapMaxBytes() / Bench.BYTES_PER_MIB,
        heap,
        sampler.peakInFlight());
  }

  /** CPU time of the three processes around a burst: who was busy. */
  record CpuAround(
      long gatewayPid,
      long simulatorPid,
      ThreadCpu gatewayThreads,
      Duration gatewayBefore,
      Duration simulatorBefore,
      Duration selfBefore,
      long start) {
    static CpuAround start(long gatewayPid, long simulatorPid) {
      return new CpuAround(
          gatewayPid,
          simulatorPid,
          ThreadCpu.snapshot(gatewayPid),
          ProcFs.cpu(gatewayPid).orElse(Duration.ZERO),
          ProcFs.cpu(simulatorPid).orElse(Duration.ZERO),
          ProcFs.cpu(ProcessHandle.current().pid()).orElse(Duration.ZERO),
          System.nanoTime());
    }

    void print() {
      double wall = (System.nanoTime() - start) / Bench.NANOS_PER_SECOND;
      Duration gateway = ProcFs.cpu(gatewayPid).orElse(Duration.ZERO).minus(gatewayBefore);
      Duration simulator = ProcFs.cpu(simulatorPid).orElse(Duration.ZERO).minus(simulatorBefore);
      Duration self =
          ProcFs.cpu(ProcessHandle.current().pid()).orElse(Duration.ZERO).minus(selfBefore);
      Bench.printf(
          "CPU over the burst's %.1f s: gateway %.1f s, simulator %.1f s, load generator %.1f s"
              + " (2 cores: %.1f s available)%n",
          wall,
          gateway.toMillis() / 1e3,
          simulator.toMillis() / 1e3,
          self.toMillis() / 1e3,
          2 * wall);
      Bench.printf(
          "gateway CPU by thread kind (ms): %s%n",
          ThreadCpu.snapshot(gatewayPid).millisSince(gatewayThreads));
    }
  }

  static void printWatchedMetrics(GatewaySampler sampler) {
    Map<String, Double> peaks = new TreeMap<>(sampler.watchedMetricPeaks());
    Bench.printf(
        "the gateway's metrics on connections, admission, in flight and queued (peak of the"
            + " samples; counters: their last value):%n");
    if (peaks.isEmpty()) {
      Bench.printf("  (none)%n");
    }
    peaks.entrySet().stream()
        .limit(30)
        .forEach(e -> Bench.printf("  %-90s %12.0f%n", e.getKey(), e.getValue()));
  }

  static void printGc(GcSummary gc) {
    Bench.printf(
        "GC log over the whole run (%s): %d pauses, %d full, %d evacuation failures; peak used at"
            + " a GC start %.1f MiB; %s%n",
        gc.collector(),
        gc.pauses(),
        gc.fullPauses(),
        gc.evacuationFailures(),
        gc.maxBeforeBytes() / Bench.BYTES_PER_MIB,
        gc.fullPauses() == 0
            ? "no full GC"
            : Bench.format(
                "live after a full GC at most %.1f MiB",
                gc.maxAfterFullBytes() / Bench.BYTES_PER_MIB));
  }

  /** This process's open-file limit ({@code Max open files} of /proc/self/limits). */
  static String openFileLimit() {
    try {
      return Files.readAllLines(Path.of("/proc/self/limits")).stream()
          .filter(line -> line.startsWith("Max open files"))
          .map(line -> line.substring("Max open files".length()).trim().replaceAll("\\s.*", ""))
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Prints what sends the load: one JDK HttpClient, one connection per connect. */
  static void printLoadGenerator(Duration clientTimeout) {
    Bench.printf(
        "load generator: this JVM (pid %d), open-file limit %s; one JDK HttpClient over HTTP/1.1"
            + " (one connection per connect), virtual threads, client time-out %d s%n",
        ProcessHandle.current().pid(), openFileLimit(), clientTimeout.toSeconds());
  }

  /**
   * What the burst benchmarks are given: the {@code bench.*} properties they share, with each
   * benchmark's own defaults.
   *
   * @param connects {@code bench.connects}: how many are released at once
   * @param readyAfter {@code bench.readyAfter}: the simulator's READY time in the burst
   * @param heap {@code bench.gatewayHeap}: the gateway's {@code -Xmx}
   * @param clientTimeout {@code bench.clientTimeoutSeconds}: how long a client waits for its answer
   * @param warmup {@code bench.warmupConnects} [200]: connects 8 at a time before the burst
   */
  record Settings(
      int connects,
      String readyAfter,
      String heap,
      Duration clientTimeout,
      int warmup,
      Path work,
      Path jar,
      String yaml,
      String secret) {
    static Settings read(
        String benchmark, int connects, String readyAfter, String heap, int clientTimeoutSeconds)
        throws IOException {
      Duration clientTimeout =
          Bench.secondsSetting("bench.clientTimeoutSeconds", clientTimeoutSeconds);
      Settings settings =
          new Settings(
              Bench.intSetting("bench.connects", connects),
              Bench.stringSetting("bench.readyAfter", readyAfter),
              Bench.stringSetting("bench.gatewayHeap", heap),
              clientTimeout,
              Bench.intSetting("bench.warmupConnects", 200),
              Bench.workDir(benchmark),
              Bench.gatewayJar(),
              Bench.burstGatewayYaml(),
              ReadinessBenchmark.secret());
      printLoadGenerator(clientTimeout);
      return settings;
    }

    /** The simulator of a burst, in a JVM of its own, ready at once for the warm-up. */
    SimulatorProcess startSimulator() throws IOException, InterruptedException {
      return SimulatorProcess.startForBenchmark(work, "2g", secret, "0ms");
    }

    /** The gateway of a burst against {@code sim}, after printing these of its settings. */
    GatewayProcess startGateway(SimulatorProcess sim, List<String> printedSections)
        throws IOException, InterruptedException {
      GatewaySettings settings = GatewaySettings.of(jar, yaml);
      for (String section : printedSections) {
        Bench.printf("gateway settings: %s: %s%n", section, settings.section(section));
      }
      GatewayProcess gateway =
          GatewayProcess.start(
              jar,
              work.resolve("gateway"),
              heap,
              Bench.gatewayJvmOptions(),
              secret,
              sim.baseUrl(),
              yaml);
      Bench.printf(
          "gateway: pid %d, java -Xmx%s -jar %s (own JVM), port %d, output in %s%n",
          gateway.pid(), heap, jar, gateway.baseUrl().getPort(), gateway.output());
      return gateway;
    }
  }

  /**
   * Whether the gateway came through: its {@code OutOfMemoryError} lines and whether it still runs,
   * printed.
   */
  record Survival(long outOfMemoryErrors, boolean alive) {
    static Survival of(GatewayProcess gateway) throws IOException {
      Survival survival = new Survival(gateway.outOfMemoryErrors(), gateway.alive());
      Bench.printf(
          "OutOfMemoryError lines in the gateway's output: %d; gateway process %s%n",
          survival.outOfMemoryErrors, survival.alive ? "still running" : "GONE");
      return survival;
    }
  }

  /**
   * What a burst left: every answer, and the gateway process sampled while it ran.
   *
   * @param outcomes one per connect
   * @param sampler the gateway's threads, files, connections and heap, once a second
   */
  record Burst(List<Outcome> outcomes, GatewaySampler sampler) {}

  /**
   * The common shape of the burst benchmarks: warm the gateway up with the simulator ready at once,
   * set the READY time, release {@code connects} at once while sampling the gateway, and print what
   * came back.
   *
   * @param section the section's number in the printed heading
   * @param seriesStep the step of the printed time series of the gateway process
   */
  static Burst warmUpThenBurst(
      String section,
      ConnectClient client,
      int warmup,
      SimulatorProcess sim,
      String readyAfter,
      int connects,
      GatewayProcess gateway,
      String heap,
      Duration seriesStep)
      throws Exception {
    List<Outcome> warm = Load.atConcurrency(client::connect, warmup, 8);
    Bench.printf(
        "warm-up: %d of %d ok (simulator ready at once)%n",
        warm.stream().filter(Outcome::ok).count(), warmup);

    sim.setReadyAfter(readyAfter);
    Bench.printf(
        "%n== %s. %d connects released at once, simulator READY after %s; load average %.2f ==%n",
        section, connects, readyAfter, Bench.loadAverage());
    SimulatorProcess.Stats before = sim.stats();
    long t0 = System.nanoTime();
    List<Outcome> outcomes;
    GatewaySampler sampler = new GatewaySampler(gateway, sim.port(), Duration.ofSeconds(1)).start();
    CpuAround cpuAround = CpuAround.start(gateway.pid(), sim.pid());
    try (sampler) {
      outcomes = Load.burst(client::connect, connects);
    }
    cpuAround.print();
    Bench.printf(
        "wall time %.1f s from the release to the last answer; load average %.2f%n",
        (System.nanoTime() - t0) / Bench.NANOS_PER_SECOND, Bench.loadAverage());
    printAnswers(outcomes);
    printUpstream(before, sim.stats(), connects);
    printSampler(sampler, heap);
    printWatchedMetrics(sampler);
    Bench.printf("the gateway process over time:%n");
    sampler.printSeries(seriesStep);
    return new Burst(outcomes, sampler);
  }
}
