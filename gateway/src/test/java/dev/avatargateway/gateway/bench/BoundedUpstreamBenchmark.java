package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.bench.GatewayProcess.GcSummary;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Issue 4, bounded upstream: {@code bench.connects} [10,000] connects arrive at once, the simulator
 * is READY after {@code bench.readyAfter} [15s], the gateway has a 512 MiB heap ({@code
 * bench.gatewayHeap}). Every connect must be answered 200 within {@code bench.answerWithinSeconds}
 * [45] s, the heap must hold, and the gateway's connections to the upstream must stay within the
 * configured bound: the gateway process's established TCP connections to the simulator's port, from
 * {@code /proc/<pid>/fd} and {@code /proc/net/tcp*} every second during the wait. The bound is
 * {@code bench.upstreamBound} when given, else the gateway's own setting found in its {@code
 * --help} (a {@code runway.*connections*} number), else the default of the runway-client in the
 * gateway's jar; without one the target fails as "no bound". Before the burst, {@code
 * bench.warmupConnects} [200] connects 8 at a time with the simulator ready at once; {@code
 * bench.clientTimeoutSeconds} [60] is how long a client waits for its answer. Not a test: run it
 * with {@code mvn -B -q -pl gateway -am -DskipTests -Dgateway.benchmark=bounded verify}
 * (BENCHMARKS.md).
 */
public final class BoundedUpstreamBenchmark {
  private static final Duration LEAK_HORIZON = Duration.ofHours(1);
  private static final long MIB = 1024L * 1024;

  private BoundedUpstreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    run();
  }

  static void run() throws Exception {
    Bench.header("Gateway bounded-upstream benchmark");
    BurstReport.Settings run = BurstReport.Settings.read("bounded", 10_000, "15s", "512m", 60);
    int connects = run.connects();
    String heap = run.heap();
    Duration within = Bench.secondsSetting("bench.answerWithinSeconds", 45);
    Targets targets = new Targets();

    try (SimulatorProcess sim = run.startSimulator()) {
      Optional<GatewaySettings.Bound> bound =
          GatewaySettings.of(run.jar(), run.yaml()).upstreamBound();
      Bench.printf(
          "upstream connection bound: %s%n",
          bound
              .map(b -> b.value() + " (" + b.source() + ")")
              .orElse(
                  "none: no bench.upstreamBound, no runway.*connections* setting, and the"
                      + " gateway's runway-client has no DEFAULT_MAX_CONNECTIONS"));
      try (GatewayProcess gateway = run.startGateway(sim, List.of("runway", "connect"));
          ConnectClient client = new ConnectClient(gateway.baseUrl(), run.clientTimeout())) {
        BurstReport.Burst burst =
            BurstReport.warmUpThenBurst(
                "4",
                client,
                run.warmup(),
                sim,
                run.readyAfter(),
                connects,
                gateway,
                heap,
                Duration.ofSeconds(3));
        List<Outcome> outcomes = burst.outcomes();
        GatewaySampler sampler = burst.sampler();

        long ok = outcomes.stream().filter(Outcome::ok).count();
        long okWithin =
            outcomes.stream().filter(o -> o.ok() && o.latencyNanos() <= within.toNanos()).count();
        long[] okLatency =
            outcomes.stream().filter(Outcome::ok).mapToLong(Outcome::latencyNanos).toArray();
        long[] all = outcomes.stream().mapToLong(Outcome::latencyNanos).toArray();
        Bench.printf(
            "answered 200: %d of %d, %d of them within %d s; latency of the 200s p50 %.0f ms,"
                + " p99 %.0f ms; of all answers p99 %.0f ms%n",
            ok,
            connects,
            okWithin,
            within.toSeconds(),
            Bench.percentile(okLatency, 0.50) / Bench.NANOS_PER_MILLI,
            Bench.percentile(okLatency, 0.99) / Bench.NANOS_PER_MILLI,
            Bench.percentile(all, 0.99) / Bench.NANOS_PER_MILLI);
        BurstReport.Survival survival = BurstReport.Survival.of(gateway);
        long oom = survival.outOfMemoryErrors();
        boolean alive = survival.alive();
        int exit = gateway.stop();
        Bench.printf("gateway exit code after SIGTERM: %d%n", exit);
        GcSummary gc = gateway.gcSummary();
        BurstReport.printGc(gc);
        long peakHeap = Math.max(sampler.peakHeapUsedBytes(), gc.maxBeforeBytes());
        long limit = parseHeap(heap);

        targets.check(
            "4. all " + connects + " answered 200 within " + within.toSeconds() + " s",
            okWithin == connects,
            Bench.format(
                "%d of %d (p99 latency %.0f ms)",
                okWithin, connects, Bench.percentile(all, 0.99) / Bench.NANOS_PER_MILLI));
        targets.check(
            "4. gateway heap peak <= " + heap + ", no OutOfMemoryError",
            peakHeap <= limit && oom == 0 && alive,
            Bench.format(
                "peak %.1f MiB (GC log and /metrics), %d OutOfMemoryError lines; %s (the JVM"
                    + " enforces the limit: the full GCs say how close it came)",
                peakHeap / Bench.BYTES_PER_MIB,
                oom,
                gc.fullPauses() == 0
                    ? "no full GC"
                    : Bench.format(
                        "%d full GCs, live after one at most %.1f MiB",
                        gc.fullPauses(), gc.maxAfterFullBytes() / Bench.BYTES_PER_MIB)));
        targets.check(
            "4. upstream connections <= the configured bound",
            bound.isPresent() && sampler.peakUpstream() <= bound.get().value(),
            Bench.format(
                "peak %d established connections to the simulator; bound %s",
                sampler.peakUpstream(),
                bound.map(b -> Integer.toString(b.value())).orElse("none configured")));
        Bench.printf(
            "gateway platform threads peak: %d (no target; from /proc/<pid>/status)%n",
            sampler.peakThreads());
      }
      SimulatorProcess.Stats end = sim.stats();
      sim.advanceClock(LEAK_HORIZON);
      Bench.printf(
          "upstream after the run: %d sessions open (NOT_READY or READY), %d leaked; %d leaked"
              + " after advancing simulated time by %s%n",
          end.open(), end.leaked(), sim.stats().leaked(), LEAK_HORIZON);
    }
    targets.summary();
    Bench.printf("load average %.2f at the end%n", Bench.loadAverage());
  }

  /** {@code 512m} in bytes ({@code k}, {@code m}, {@code g}). */
  static long parseHeap(String heap) {
    String h = heap.trim().toLowerCase(java.util.Locale.ROOT);
    long n = Long.parseLong(h.replaceAll("[kmg]$", ""));
    return switch (h.charAt(h.length() - 1)) {
      case 'k' -> n * 1024;
      case 'm' -> n * MIB;
      case 'g' -> n * MIB * 1024;
      default -> n;
    };
  }
}
