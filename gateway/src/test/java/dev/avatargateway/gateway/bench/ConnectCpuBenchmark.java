package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Steady-state gateway CPU per connect with an instantly ready upstream (target ≤ 0.6 ms), by the
 * method of the issue 3 benchmark's sequential phase: warm-up, the idle rate, then connects one at
 * a time; the gateway's CPU time from {@code /proc} less its JIT compiler threads and less the idle
 * rate (timers, the ledger following RUNNING sessions). Then the same figure at throughput:
 * connects {@value #THROUGHPUT_CONCURRENCY} at a time, the way the "1,087 connects/s at 1.2
 * ms CPU each" was taken, where hand-offs between threads find their threads awake more often. Then
 * a profiled sequential pass with a JFR recording of the gateway ({@code jcmd JFR.start}, the
 * run-time form of {@code -XX:StartFlightRecording}) whose hottest methods are printed. Run it
 * alone with {@code -Dgateway.benchmark=cpu}, or as section 5 of the readiness benchmark.
 *
 * <p>The gateway runs with the burst benchmarks' read budget ({@link
 * Bench#BURST_READS_PER_SECOND}): every connect takes at least one status read, so the default
 * budget of 50 a second, which refills at 45, would cap the phases at 45 connects a second and
 * measure the wait for it rather than CPU.
 *
 * <p>System properties: {@code bench.cpuWarmupConnects} [10000, 8 at a time], {@code
 * bench.sequentialConnects} [1000], {@code bench.throughputConnects} [5000], {@code
 * bench.profiledConnects} [2000], {@code bench.gatewayHeap} [256m].
 */
public final class ConnectCpuBenchmark {
  private static final double TARGET_MICROS = 600;
  private static final int WARMUP_CONCURRENCY = 8;

  /**
   * Connects in flight in the throughput phase: four per core on this two-core machine, enough to
   * keep both cores busy while each connect waits on its three upstream round trips.
   */
  private static final int THROUGHPUT_CONCURRENCY = 8;

  private static final Duration IDLE_WINDOW = Duration.ofSeconds(5);
  private static final int HOT_METHODS = 15;
  private static final int HOT_PACKAGES = 10;

  private ConnectCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    run();
  }

  static void run() throws Exception {
    Bench.header("Gateway CPU per connect");
    Path work = Bench.workDir("cpu");
    Path jar = Bench.gatewayJar();
    String yaml = Bench.burstGatewayYaml();
    String secret = ReadinessBenchmark.secret();
    Targets targets = new Targets();
    try (SimulatorProcess sim = SimulatorProcess.startForBenchmark(work, "1g", secret, "0ms")) {
      section(sim, secret, jar, yaml, work.resolve("gateway"), targets);
    }
    targets.summary();
    Bench.printf("load average %.2f at the end%n", Bench.loadAverage());
  }

  /** Section 5: against {@code sim}, which the caller may share with other sections. */
  static void section(
      SimulatorProcess sim, String secret, Path jar, String yaml, Path dir, Targets targets)
      throws Exception {
    int warmup = Bench.intSetting("bench.cpuWarmupConnects", 10_000);
    int sequential = Bench.intSetting("bench.sequentialConnects", 1_000);
    int throughput = Bench.intSetting("bench.throughputConnects", 5_000);
    int profiled = Bench.intSetting("bench.profiledConnects", 2_000);
    Bench.printf(
        "%n== 5. CPU per connect: simulator ready at once; %d warm-up connects %d at a time, then"
            + " %d one at a time (measured), %d at %d at a time (throughput), then %d one at a"
            + " time under JFR ==%n",
        warmup, WARMUP_CONCURRENCY, sequential, throughput, THROUGHPUT_CONCURRENCY, profiled);
    sim.setReadyAfter("0ms");
    try (GatewayProcess gateway = GatewayProcess.start(jar, dir, secret, sim.baseUrl(), yaml);
        ConnectClient client = new ConnectClient(gateway.baseUrl(), Duration.ofSeconds(60))) {
      Bench.printf(
          "gateway: pid %d, own JVM, output in %s; load average %.2f%n",
          gateway.pid(), gateway.output(), Bench.loadAverage());
      long t0 = System.nanoTime();
      List<Outcome> warm = Load.atConcurrency(client::connect, warmup, WARMUP_CONCURRENCY);
      Bench.printf(
          "warm-up: %d of %d ok in %.1f s%n",
          warm.stream().filter(Outcome::ok).count(),
          warmup,
          (System.nanoTime() - t0) / Bench.NANOS_PER_SECOND);

      ThreadCpu idleThreads = ThreadCpu.snapshot(gateway.pid());
      Duration idleStart = gateway.cpuTime();
      Thread.sleep(IDLE_WINDOW);
      Map<String, Long> idleByThread = ThreadCpu.snapshot(gateway.pid()).millisSince(idleThreads);
      long idleJit = idleByThread.getOrDefault(ThreadCpu.JIT, 0L);
      double idlePerSecond =
          Math.max(0, gateway.cpuTime().minus(idleStart).toMillis() - idleJit)
              / (double) IDLE_WINDOW.toSeconds();
      Bench.printf(
          "idle gateway CPU over %d s: %.1f ms per second without JIT (by thread, ms: %s)%n",
          IDLE_WINDOW.toSeconds(), idlePerSecond, idleByThread);

      Phase measured = Phase.run(gateway, sim, client, sequential, 1);
      Bench.printf("%n-- measured: %d connects one at a time --%n", sequential);
      double micros = measured.print(idlePerSecond);
      targets.check(
          "5. gateway CPU per connect <= 0.6 ms (without JIT and the idle rate)",
          micros <= TARGET_MICROS,
          Bench.format("%.0f us", micros));

      Phase busy = Phase.run(gateway, sim, client, throughput, THROUGHPUT_CONCURRENCY);
      Bench.printf(
          "%n-- throughput: %d connects, %d at a time --%n", throughput, THROUGHPUT_CONCURRENCY);
      double busyMicros = busy.print(idlePerSecond);
      Bench.printf(
          "%.0f connects per second at %.0f us of gateway CPU per connect (the form of the issue's"
              + " \"1,087 connects/s at 1.2 ms CPU each\")%n",
          throughput / (busy.wallNanos() / Bench.NANOS_PER_SECOND), busyMicros);

      Path recording = dir.resolve("connect-cpu.jfr");
      Files.deleteIfExists(recording);
      gateway.jcmd("JFR.start", "name=bench", "settings=profile", "method-profiling=max");
      Phase underJfr = Phase.run(gateway, sim, client, profiled, 1);
      gateway.jcmd("JFR.stop", "name=bench", "filename=" + recording);
      Bench.printf(
          "%n-- profiled: %d connects one at a time with JFR (settings=profile,"
              + " method-profiling=max) --%n",
          profiled);
      underJfr.print(idlePerSecond);
      printHotMethods(recording);
    }
  }

  /** One phase's raw figures. */
  @SuppressWarnings("ArrayRecordComponent") // Never compared.
  private record Phase(
      int connects,
      long ok,
      long wallNanos,
      Duration cpu,
      Map<String, Long> byThread,
      long[] latencyNanos,
      SimulatorProcess.Stats before,
      SimulatorProcess.Stats after) {
    static Phase run(
        GatewayProcess gateway,
        SimulatorProcess sim,
        ConnectClient client,
        int connects,
        int concurrency)
        throws Exception {
      SimulatorProcess.Stats before = sim.stats();
      ThreadCpu threads = ThreadCpu.snapshot(gateway.pid());
      Duration cpu = gateway.cpuTime();
      long start = System.nanoTime();
      List<Outcome> outcomes = Load.atConcurrency(client::connect, connects, concurrency);
      long wall = System.nanoTime() - start;
      Duration used = gateway.cpuTime().minus(cpu);
      Map<String, Long> byThread = ThreadCpu.snapshot(gateway.pid()).millisSince(threads);
      return new Phase(
          connects,
          outcomes.stream().filter(Outcome::ok).count(),
          wall,
          used,
          byThread,
          outcomes.stream().mapToLong(Outcome::latencyNanos).toArray(),
          before,
          sim.stats());
    }

    /**
     * Prints the phase.
     *
     * @return CPU per connect without JIT and the idle rate, in microseconds
     */
    double print(double idleMillisPerSecond) {
      double wallSeconds = wallNanos / Bench.NANOS_PER_SECOND;
      long jitMillis = byThread.getOrDefault(ThreadCpu.JIT, 0L);
      double totalMicros = cpu.toNanos() / 1e3 / connects;
      double noJitMicros = (cpu.toMillis() - jitMillis) * 1e3 / connects;
      double idleMillis = idleMillisPerSecond * wallSeconds;
      double netMicros = Math.max(0, cpu.toMillis() - jitMillis - idleMillis) * 1e3 / connects;
      Bench.printf(
          "%d of %d ok in %.2f s; latency %s; load average %.2f%n",
          ok, connects, wallSeconds, Distribution.of(latencyNanos), Bench.loadAverage());
      Bench.printf(
          "gateway CPU %d ms = %.0f us per connect; without JIT %.0f us; without JIT and the idle"
              + " rate (%.0f ms over the phase) %.0f us%n",
          cpu.toMillis(), totalMicros, noJitMicros, idleMillis, netMicros);
      StringBuilder kinds = new StringBuilder();
      byThread.forEach(
          (kind, millis) ->
              kinds.append(
                  Bench.format(
                      "  %-28s %7d ms %8.0f us per connect%n",
                      kind, millis, millis * 1e3 / connects)));
      Bench.printf("gateway CPU by thread kind:%n%s", kinds);
      long creates = after.route("CREATE") - before.route("CREATE");
      long reads = after.route("RETRIEVE") - before.route("RETRIEVE");
      long consumes = after.route("CONSUME") - before.route("CONSUME");
      Bench.printf(
          "upstream requests: %d creates, %d status reads (%.2f per connect, the ledger's follow"
              + " reads included), %d consumes%n",
          creates, reads, (double) reads / connects, consumes);
      return netMicros;
    }
  }

  /** The methods on top of the gateway's sampled stacks: where its CPU goes. */
  private static void printHotMethods(Path recording) throws IOException {
    Map<String, Long> byMethod = new HashMap<>();
    Map<String, Long> byPackage = new HashMap<>();
    Map<String, Long> byGatewayFrame = new HashMap<>();
    long samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        RecordedFrame top = stack.getFrames().get(0);
        String type = top.getMethod().getType().getName();
        byMethod.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
        byPackage.merge(packageOf(type), 1L, Long::sum);
        byGatewayFrame.merge(innermostGatewayFrame(stack), 1L, Long::sum);
        samples++;
      }
    }
    long total = samples;
    Bench.printf(
        "%nhottest methods (top frame of %d jdk.ExecutionSample events in %s; also `jfr view"
            + " hot-methods` or `jfr print --events jdk.ExecutionSample` on that file):%n",
        total, recording);
    top(byMethod, HOT_METHODS)
        .forEach(
            e ->
                Bench.printf(
                    "  %6d  %5.1f%%  %s%n",
                    e.getValue(), 100.0 * e.getValue() / total, e.getKey()));
    Bench.printf("by the innermost project frame (dev.avatargateway.*) on the stack:%n");
    top(byGatewayFrame, HOT_METHODS)
        .forEach(
            e ->
                Bench.printf(
                    "  %6d  %5.1f%%  %s%n",
                    e.getValue(), 100.0 * e.getValue() / total, e.getKey()));
    Bench.printf("by package of the top frame:%n");
    top(byPackage, HOT_PACKAGES)
        .forEach(
            e ->
                Bench.printf(
                    "  %6d  %5.1f%%  %s%n",
                    e.getValue(), 100.0 * e.getValue() / total, e.getKey()));
  }

  /** The project's own method nearest the top of the stack: who asked for the work. */
  private static String innermostGatewayFrame(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      String type = frame.getMethod().getType().getName();
      if (type.startsWith("dev.avatargateway.")) {
        return type.substring("dev.avatargateway.".length()) + "." + frame.getMethod().getName();
      }
    }
    return stack.isTruncated()
        ? "(none within the recorded stack depth)"
        : "(no project frame: Jetty, JDK HTTP client, JIT-free VM work...)";
  }

  private static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int n) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .toList();
  }

  /** The first three parts of a package, e.g. {@code org.eclipse.jetty}. */
  private static String packageOf(String type) {
    String[] parts = type.split("\\.");
    int keep = Math.min(3, Math.max(1, parts.length - 1));
    return String.join(".", java.util.Arrays.copyOf(parts, keep));
  }
}
