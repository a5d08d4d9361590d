package dev.avatargateway.gateway.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.bench.GatewayProcess.GcSummary;
import dev.avatargateway.gateway.bench.GatewayProcess.HeapSample;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule.Route;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.SimulatorStats;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The gateway benchmark of issue 3 §5: 2,000 concurrent connects against the simulator with a 5 s
 * readiness delay must all succeed with the gateway's heap under 256 MiB; and what the gateway adds
 * per connect (CPU time, latency beyond the simulator's work) at p50/p99. Not a test: run it with
 * {@code mvn -B -q -pl gateway -am -DskipTests -Dgateway.benchmark verify} (BENCHMARKS.md).
 *
 * <p>The gateway runs from its shaded jar in a JVM of its own ({@code -Xmx256m}), configured as in
 * production against "the real Runway", which is a simulator in this JVM; the load generator runs
 * here too. So the gateway's heap (its {@code /metrics} and its GC log) and CPU time (its process)
 * are its own, while the three share the machine's cores.
 *
 * <p>Phases: warm-up (both JVMs' JIT); sequential connects with a 0 ms readiness delay (the cost of
 * one connect without queueing); then the burst: every connect released at once with a 5 s
 * readiness delay. Latency is split with the instants the simulator records for each session:
 *
 * <pre>
 *   latency L   = answer received − request sent                      (load generator)
 *   provisioning P = readyAt − createdAt                              (simulator: its "work")
 *   overhead O  = L − P = before create + poll lag + after consume    (what the gateway adds)
 *     before create  = createdAt − request sent
 *     poll lag       = consumedAt − readyAt   (READY until the gateway's consume was handled)
 *     after consume  = answer received − consumedAt
 *   in the gateway's handler = totalMs of its "connect finished" log line (whole milliseconds)
 *   L minus that   = connection set-up, accept queue, request parsing and answer transfer
 * </pre>
 *
 * <p>System properties (defaults in brackets): {@code bench.gatewayJar} (required), {@code
 * bench.workDir} [target/gateway-benchmark], {@code bench.connects} [2000], {@code
 * bench.readyAfterMillis} [5000], {@code bench.gatewayHeap} [256m], {@code bench.gatewayJvmOptions}
 * [none; space-separated, e.g. a JFR recording], {@code bench.warmupConnects} [10000], {@code
 * bench.sequentialConnects} [1000], {@code bench.clientTimeoutSeconds} [60], {@code
 * bench.liveHeapProbe} [false; true measures the live heap halfway through the readiness delay with
 * {@code jcmd GC.class_histogram}, which pauses the gateway for a full collection].
 */
public final class ConcurrentConnectsBenchmark {
  /** Issue 3 §5: 2,000 concurrent connects ... */
  private static final int ISSUE_CONNECTS = 2_000;

  /** ... against the simulator with a 5 s readiness delay ... */
  private static final int ISSUE_READY_AFTER_MILLIS = 5_000;

  /** ... and the gateway's heap under 256 MiB: the JVM is given exactly that. */
  private static final String ISSUE_HEAP = "256m";

  /**
   * HotSpot's C2 compiles a method after about 10,000 calls (Tier4 thresholds), and much of a
   * connect's code runs once per connect: with fewer warm-up connects the measured phases pay for
   * JIT compilation and run slower profiled code, which a long-running gateway does not.
   */
  private static final int DEFAULT_WARMUP_CONNECTS = 10_000;

  /** Enough one-at-a-time connects that the 10 ms CPU-time ticks of Linux are 1 us per connect. */
  private static final int DEFAULT_SEQUENTIAL_CONNECTS = 1_000;

  /** Generous: a connect queued behind 1,999 others on 2 shared cores may take many seconds. */
  private static final int DEFAULT_CLIENT_TIMEOUT_SECONDS = 60;

  /** Issue 3 §5: the gateway's heap must stay under this. */
  private static final long HEAP_LIMIT_BYTES = 256L * 1024 * 1024;

  private static final double BYTES_PER_MIB = 1024.0 * 1024.0;
  private static final double NANOS_PER_MICRO = 1_000.0;
  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * The configuration the gateway runs with: no authentication (an explicit opt-in against a real
   * upstream), and the rate limits off, because every connect comes from one address and one
   * anonymous principal. Everything else is the production default (poll schedule, time-outs,
   * accept queue of 4,096).
   */
  private static final String GATEWAY_YAML =
      """
      auth:
        allowUnauthenticatedWithRealRunway: true
      rateLimit:
        perPrincipal: {capacity: 0}
        perClientAddress: {capacity: 0}
        maxConcurrentConnectsPerPrincipal: 0
        maxUpstreamCreatesInFlight: 0
      """;

  /**
   * Far longer than the burst can take: a session still unconsumed then would be the gateway's
   * fault, not a READY window that a slow machine overran (the default 25 s is the real one).
   */
  private static final Duration READY_WINDOW = Duration.ofMinutes(2);

  /**
   * The simulator runs on the JDK's HTTP server, which closes a kept-alive connection right after
   * answering on it, without saying so in the response, whenever 200 connections are already idle
   * (sun.net.httpserver.ServerImpl#markIdle). The gateway's HTTP client, holding 2,000 connections,
   * then sends the next request on a connection that is being closed; a create is not retried after
   * such an I/O failure (it may have reached Runway), so the connect fails with 502. Runway's API
   * does not behave like that, so the simulator's server keeps every idle connection here.
   */
  static final String MAX_IDLE_CONNECTIONS_PROPERTY = "sun.net.httpserver.maxIdleConnections";

  /** More than the gateway ever opens to the simulator in this benchmark (one per connect). */
  private static final int SIMULATOR_IDLE_CONNECTIONS = 10_000;

  /** A fixed seed: the fixed readiness delays draw nothing, but a rerun should be the same run. */
  private static final long SEED = 20_261_123L;

  /** Warm-up connects run this many at a time: enough to exercise the concurrent paths. */
  private static final int WARMUP_CONCURRENCY = 8;

  /** How long the idle gateway's own CPU use (timers, GC, JIT) is measured, for reference. */
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(3);

  /**
   * How often the gateway's heap is read from its /metrics during the burst: often enough to see
   * the shape, rarely enough that the scrapes cost the gateway little CPU. The GC log gives the
   * exact peak anyway.
   */
  private static final Duration HEAP_SAMPLE_INTERVAL = Duration.ofMillis(500);

  /** How many kinds of gateway threads the CPU breakdown names. */
  private static final int TOP_THREAD_GROUPS = 6;

  /** Past every READY window and key lifetime: an abandoned session would now count as leaked. */
  private static final Duration LEAK_HORIZON = Duration.ofHours(1);

  private ConcurrentConnectsBenchmark() {}

  /** Runs the benchmark; exits 1 when a requirement of issue 3 §5 was not met. */
  public static void main(String[] args) throws Exception {
    // Must precede the simulator's start: the JDK HTTP server reads it once.
    if (System.getProperty(MAX_IDLE_CONNECTIONS_PROPERTY) == null) {
      System.setProperty(
          MAX_IDLE_CONNECTIONS_PROPERTY, Integer.toString(SIMULATOR_IDLE_CONNECTIONS));
    }
    Settings settings = Settings.fromSystemProperties();
    boolean passed = run(settings);
    System.out.println(passed ? "RESULT: PASS" : "RESULT: FAIL");
    System.exit(passed ? 0 : 1);
  }

  private static boolean run(Settings s) throws Exception {
    String secret = "key_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    SimulatorConfig simulatorConfig =
        SimulatorConfig.builder()
            .apiKeys(java.util.Set.of(secret))
            .readyAfter(DelayDistribution.fixed(Duration.ZERO))
            .readyWindow(READY_WINDOW)
            .seed(SEED)
            .build();
    printf(
        "Gateway benchmark (issue 3 §5), %s: %d cores, Java %s, load average %.2f at start%n",
        LocalDate.now(ZoneOffset.UTC),
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        loadAverage());
    long benchCpuStart = benchCpuNanos();
    try (RunwaySimulator runway = RunwaySimulator.start(simulatorConfig);
        GatewayProcess gateway =
            GatewayProcess.start(
                s.gatewayJar(),
                s.workDir(),
                s.gatewayHeap(),
                s.gatewayJvmOptions(),
                secret,
                runway.baseUrl(),
                GATEWAY_YAML);
        ConnectClient client = new ConnectClient(gateway.baseUrl(), s.clientTimeout())) {
      SimulatorAdmin admin = runway.admin();
      printf(
          "gateway: pid %d, java -Xmx%s %s-jar %s (own JVM), output in %s%n",
          gateway.pid(),
          s.gatewayHeap(),
          s.gatewayJvmOptions().stream().map(o -> o + " ").collect(Collectors.joining()),
          s.gatewayJar(),
          gateway.output());
      printf(
          "simulator and load generator: this JVM (pid %d), simulator at %s (%s=%s)%n",
          ProcessHandle.current().pid(),
          runway.baseUrl(),
          MAX_IDLE_CONNECTIONS_PROPERTY,
          System.getProperty(MAX_IDLE_CONNECTIONS_PROPERTY));

      // 1. Warm-up: both JVMs compile the hot paths.
      long t0 = System.nanoTime();
      List<Outcome> warmup = runAtConcurrency(client, s.warmupConnects(), WARMUP_CONCURRENCY);
      printf(
          "%nwarm-up: %d connects, %d at a time, ready after 0 ms: %d ok in %.1f s%n",
          warmup.size(),
          WARMUP_CONCURRENCY,
          warmup.stream().filter(Outcome::ok).count(),
          (System.nanoTime() - t0) / NANOS_PER_SECOND);

      // The idle gateway's own CPU use (timers, GC, metrics), JIT compilation left out.
      ThreadCpu idleThreads = ThreadCpu.snapshot(gateway.pid());
      Duration idleStart = gateway.cpuTime();
      Thread.sleep(IDLE_WINDOW);
      long idleJitMillis =
          ThreadCpu.snapshot(gateway.pid())
              .millisSince(idleThreads)
              .getOrDefault(ThreadCpu.JIT, 0L);
      double idleCpuMillisPerSecond =
          Math.max(0, gateway.cpuTime().minus(idleStart).toMillis() - idleJitMillis)
              / (double) IDLE_WINDOW.toSeconds();
      printf(
          "idle gateway CPU over %d s: %.1f ms per second, plus %d ms of JIT compilation%n",
          IDLE_WINDOW.toSeconds(), idleCpuMillisPerSecond, idleJitMillis);

      // 2. One at a time: the gateway's own cost without queueing.
      Phase sequential = measure(gateway, admin, () -> runAtConcurrency(client, s.sequential(), 1));
      printf(
          "%n== Sequential: %d connects one at a time, simulator ready after 0 ms ==%n",
          s.sequential());
      sequential.print(admin, gateway.handlerMillisBySession(), idleCpuMillisPerSecond);

      // 3. The burst.
      admin.setReadyAfter(DelayDistribution.fixed(s.readyAfter()));
      HeapSampler heap = HeapSampler.start(gateway);
      Phase burst;
      Optional<LiveHeap> live;
      try (ExecutorService probe = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<Optional<LiveHeap>> liveProbe =
            probe.submit(() -> s.liveHeapProbe() ? LiveHeap.probe(gateway, s.readyAfter()) : NONE);
        try {
          burst = measure(gateway, admin, () -> runBurst(client, s.connects()));
        } finally {
          heap.stop();
        }
        live = liveProbe.get();
      }
      printf(
          "%n== Burst: %d connects released at once, simulator ready after %d ms ==%n",
          s.connects(), s.readyAfter().toMillis());
      burst.print(admin, gateway.handlerMillisBySession(), idleCpuMillisPerSecond);

      // 4. What is left upstream, and the gateway's heap over the whole run.
      Map<String, Long> statuses =
          admin.sessions().stream()
              .collect(
                  Collectors.groupingBy(
                      SessionRecord::status, TreeMap::new, Collectors.counting()));
      long open = admin.openCount();
      long leakedNow = admin.leakedCount();
      int exitCode = gateway.stop();
      GcSummary gc = gateway.gcSummary();
      admin.advanceClock(LEAK_HORIZON);
      long leakedLater = admin.leakedCount();
      long peakHeap = Math.max(heap.peakUsedBytes(), gc.maxBeforeBytes());
      long outOfMemory = gateway.outOfMemoryErrors();
      printf("%n== Gateway heap (-Xmx%s, %s) ==%n", s.gatewayHeap(), gc.collector());
      printf(
          "from /metrics during the burst (%d samples every %d ms): peak used %.1f MiB of %.1f"
              + " MiB max; at most %d connects in flight%n",
          heap.samples(),
          HEAP_SAMPLE_INTERVAL.toMillis(),
          heap.peakUsedBytes() / BYTES_PER_MIB,
          heap.maxBytes() / BYTES_PER_MIB,
          heap.peakInFlight());
      live.ifPresent(
          probe ->
              printf(
                  "live heap by jcmd GC.class_histogram, asked %.0f ms after the release: %.1f MiB"
                      + " with %d connects in flight%n",
                  probe.afterMillis(),
                  probe.liveBytes() / BYTES_PER_MIB,
                  probe.connectsInFlight()));
      printf(
          "from the GC log over the whole run: %d pauses, %d full, %d evacuation failures; peak"
              + " used at a GC start %.1f MiB; %s; most committed %.1f MiB%n",
          gc.pauses(),
          gc.fullPauses(),
          gc.evacuationFailures(),
          gc.maxBeforeBytes() / BYTES_PER_MIB,
          gc.fullPauses() == 0
              ? "no full GC to show the live set"
              : String.format(
                  Locale.ROOT,
                  "live after a full GC at most %.1f MiB",
                  gc.maxAfterFullBytes() / BYTES_PER_MIB),
          gc.maxCommittedBytes() / BYTES_PER_MIB);
      printf("OutOfMemoryError lines in the gateway's output: %d%n", outOfMemory);
      printf("%n== Upstream after the run ==%n");
      printf("sessions by status: %s%n", statuses);
      printf(
          "open (NOT_READY or READY) %d; leaked %d now, %d after advancing simulated time by %s%n",
          open, leakedNow, leakedLater, LEAK_HORIZON);
      printf("gateway exit code after SIGTERM: %d%n", exitCode);
      printf(
          "this JVM (load generator + simulator) CPU over the whole run: %.1f s; load average"
              + " %.2f at the end%n",
          (benchCpuNanos() - benchCpuStart) / NANOS_PER_SECOND, loadAverage());

      boolean allSucceeded = burst.successes() == s.connects();
      // The JVM enforces the limit; what must hold is that the gateway did its work within it.
      boolean heapUnder =
          heap.maxBytes() > 0 && heap.maxBytes() <= HEAP_LIMIT_BYTES && outOfMemory == 0;
      printf(
          "%nissue 3 §5: all %d succeed: %s; heap limited to %.0f MiB (at most 256), peak %.1f MiB,"
              + " no OutOfMemoryError: %s; nothing left upstream: %s%n",
          s.connects(),
          allSucceeded ? "yes" : "NO",
          heap.maxBytes() / BYTES_PER_MIB,
          peakHeap / BYTES_PER_MIB,
          heapUnder ? "yes" : "NO",
          open == 0 && leakedLater == 0 ? "yes" : "NO");
      return allSucceeded && heapUnder && open == 0 && leakedLater == 0;
    }
  }

  /** Connects {@code count} times, at most {@code concurrency} at once. */
  private static List<Outcome> runAtConcurrency(ConnectClient client, int count, int concurrency)
      throws InterruptedException, ExecutionException {
    AtomicInteger next = new AtomicInteger();
    List<Future<List<Outcome>>> workers = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        workers.add(
            threads.submit(
                () -> {
                  List<Outcome> mine = new ArrayList<>();
                  while (next.getAndIncrement() < count) {
                    mine.add(client.connect());
                  }
                  return mine;
                }));
      }
      List<Outcome> all = new ArrayList<>();
      for (Future<List<Outcome>> worker : workers) {
        all.addAll(worker.get());
      }
      return all;
    }
  }

  /** Starts {@code count} virtual threads, then releases them all at once. */
  private static List<Outcome> runBurst(ConnectClient client, int count)
      throws InterruptedException, ExecutionException {
    CountDownLatch ready = new CountDownLatch(count);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Outcome>> callers = new ArrayList<>(count);
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        callers.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return client.connect();
                }));
      }
      ready.await();
      go.countDown();
      List<Outcome> all = new ArrayList<>(count);
      for (Future<Outcome> caller : callers) {
        all.add(caller.get());
      }
      return all;
    }
  }

  /** Runs a phase and takes the gateway's CPU time and the simulator's counters around it. */
  private static Phase measure(GatewayProcess gateway, SimulatorAdmin admin, Load load)
      throws Exception {
    SimulatorStats before = admin.stats();
    ThreadCpu threadsBefore = ThreadCpu.snapshot(gateway.pid());
    Duration cpuBefore = gateway.cpuTime();
    long start = System.nanoTime();
    List<Outcome> outcomes = load.run();
    long wall = System.nanoTime() - start;
    Duration cpu = gateway.cpuTime().minus(cpuBefore);
    Map<String, Long> byThread = ThreadCpu.snapshot(gateway.pid()).millisSince(threadsBefore);
    return new Phase(outcomes, wall, cpu, byThread, before, admin.stats());
  }

  @FunctionalInterface
  private interface Load {
    List<Outcome> run() throws Exception;
  }

  /**
   * One phase's raw figures.
   *
   * @param outcomes every connect
   * @param wallNanos from the first request to the last answer
   * @param gatewayCpu CPU time the gateway process used meanwhile
   * @param gatewayCpuByThread the same in milliseconds by kind of thread, biggest first
   */
  private record Phase(
      List<Outcome> outcomes,
      long wallNanos,
      Duration gatewayCpu,
      Map<String, Long> gatewayCpuByThread,
      SimulatorStats before,
      SimulatorStats after) {

    long successes() {
      return outcomes.stream().filter(Outcome::ok).count();
    }

    void print(
        SimulatorAdmin admin, Map<String, Long> handlerMillis, double idleCpuMillisPerSecond) {
      int n = outcomes.size();
      long ok = successes();
      Map<String, Long> byDetail =
          outcomes.stream()
              .collect(Collectors.groupingBy(Outcome::detail, TreeMap::new, Collectors.counting()));
      printf(
          "wall time %.2f s; %d of %d succeeded; answers %s%n",
          wallNanos / NANOS_PER_SECOND, ok, n, byDetail);
      double wallSeconds = wallNanos / NANOS_PER_SECOND;
      double idleShare = idleCpuMillisPerSecond * wallSeconds * 1e6;
      long jitNanos = gatewayCpuByThread.getOrDefault(ThreadCpu.JIT, 0L) * 1_000_000;
      printf(
          "gateway CPU %.0f ms = %.0f us per connect; without JIT compilation %.0f us; without"
              + " JIT and the idle rate %.0f us%n",
          gatewayCpu.toNanos() / 1e6,
          gatewayCpu.toNanos() / NANOS_PER_MICRO / n,
          (gatewayCpu.toNanos() - jitNanos) / NANOS_PER_MICRO / n,
          Math.max(0, gatewayCpu.toNanos() - jitNanos - idleShare) / NANOS_PER_MICRO / n);
      printf(
          "gateway CPU by thread (ms): %s%n",
          gatewayCpuByThread.entrySet().stream()
              .limit(TOP_THREAD_GROUPS)
              .map(e -> e.getKey() + " " + e.getValue())
              .collect(Collectors.joining(", ")));
      long creates = after.count(Route.CREATE) - before.count(Route.CREATE);
      long polls = after.count(Route.RETRIEVE) - before.count(Route.RETRIEVE);
      long consumes = after.count(Route.CONSUME) - before.count(Route.CONSUME);
      long cancels = after.count(Route.CANCEL) - before.count(Route.CANCEL);
      printf(
          "upstream requests: %d creates, %d status polls (%.1f per connect), %d consumes, %d"
              + " cancels%n",
          creates, polls, (double) polls / n, consumes, cancels);

      List<Timeline> timelines = new ArrayList<>();
      for (Outcome o : outcomes) {
        if (o.ok()) {
          admin
              .session(o.sessionId().orElseThrow())
              .map(r -> Timeline.of(o, r, handlerMillis.getOrDefault(r.id(), -1L)))
              .ifPresent(timelines::add);
        }
      }
      line("latency L", timelines, Timeline::latency);
      line("provisioning P (simulator)", timelines, Timeline::provisioning);
      line("overhead O = L - P", timelines, Timeline::overhead);
      line("  before create", timelines, Timeline::beforeCreate);
      line("  poll lag (READY->consumed)", timelines, Timeline::pollLag);
      line("  after consume", timelines, Timeline::afterConsume);
      List<Timeline> logged = timelines.stream().filter(t -> t.handler() >= 0).toList();
      line("in the gateway's handler (ms)", logged, Timeline::handler);
      line("L minus that", logged, t -> t.latency() - t.handler());
      List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
      if (!failed.isEmpty()) {
        printf(
            "failed connects: latency %s%n",
            Distribution.of(failed.stream().mapToLong(Outcome::latencyNanos).toArray()));
      }
    }

    private static void line(String name, List<Timeline> timelines, Function<Timeline, Long> f) {
      long[] nanos = timelines.stream().mapToLong(f::apply).toArray();
      printf("%-30s %s%n", name, Distribution.of(nanos));
    }
  }

  /**
   * One successful connect, split with the simulator's instants and the gateway's own log (all in
   * nanoseconds).
   *
   * @param handler the {@code totalMs} of the gateway's "connect finished" line, in whole
   *     milliseconds (-1 when the line was not found): from its handler's start to the answer
   */
  private record Timeline(
      long latency,
      long provisioning,
      long beforeCreate,
      long pollLag,
      long afterConsume,
      long handler) {
    static Timeline of(Outcome outcome, SessionRecord session, long handlerMillis) {
      Instant created = session.createdAt();
      Instant ready = session.readyAt().orElseThrow();
      Instant consumed = session.consumedAt().orElseThrow();
      return new Timeline(
          outcome.latencyNanos(),
          Duration.between(created, ready).toNanos(),
          Duration.between(outcome.sentAt(), created).toNanos(),
          Duration.between(ready, consumed).toNanos(),
          Duration.between(consumed, outcome.answeredAt()).toNanos(),
          handlerMillis < 0 ? -1 : Duration.ofMillis(handlerMillis).toNanos());
    }

    long overhead() {
      return latency - provisioning;
    }
  }

  private static final Optional<LiveHeap> NONE = Optional.empty();

  /**
   * The live heap in the middle of the burst, when every connect waits for READY.
   *
   * @param afterMillis when the histogram was asked for, counted from just before the release
   * @param liveBytes what survived a full collection
   * @param connectsInFlight connects being served just before
   */
  private record LiveHeap(double afterMillis, long liveBytes, int connectsInFlight) {
    static Optional<LiveHeap> probe(GatewayProcess gateway, Duration readyAfter)
        throws IOException, InterruptedException {
      long start = System.nanoTime();
      Thread.sleep(readyAfter.dividedBy(2));
      int inFlight = gateway.heap().connectsInFlight();
      double at = (System.nanoTime() - start) / 1e6;
      return Optional.of(new LiveHeap(at, gateway.liveHeapBytes(), inFlight));
    }
  }

  /** Reads the gateway's heap from its /metrics until stopped, keeping the peak. */
  private static final class HeapSampler {
    private final GatewayProcess gateway;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    // Written by the sampler thread only, read after stop() joined it.
    private long peakUsed;
    private long max;
    private int samples;
    private int peakInFlight;

    private HeapSampler(GatewayProcess gateway) {
      this.gateway = gateway;
      this.thread = Thread.ofVirtual().name("heap-sampler").unstarted(this::loop);
    }

    static HeapSampler start(GatewayProcess gateway) {
      HeapSampler sampler = new HeapSampler(gateway);
      sampler.thread.start();
      return sampler;
    }

    private void loop() {
      while (!stop.get()) {
        try {
          HeapSample sample = gateway.heap();
          peakUsed = Math.max(peakUsed, sample.usedBytes());
          max = sample.maxBytes();
          peakInFlight = Math.max(peakInFlight, sample.connectsInFlight());
          samples++;
          Thread.sleep(HEAP_SAMPLE_INTERVAL);
        } catch (IOException e) {
          // A scrape that timed out under load is a missed sample, not a failure.
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.interrupt();
      thread.join();
    }

    long peakUsedBytes() {
      return peakUsed;
    }

    long maxBytes() {
      return max;
    }

    int samples() {
      return samples;
    }

    int peakInFlight() {
      return peakInFlight;
    }
  }

  /**
   * What the benchmark is run with.
   *
   * @param gatewayJar the shaded gateway jar
   * @param workDir where the gateway's configuration, output and GC log go
   * @param connects connects in the burst
   * @param readyAfter the simulator's readiness delay during the burst
   * @param gatewayHeap the gateway's -Xmx
   * @param gatewayJvmOptions more options for the gateway's JVM, e.g. to profile it
   * @param warmupConnects connects to warm up with
   * @param sequential connects measured one at a time
   * @param clientTimeout how long one connect may take, opening its connection included
   * @param liveHeapProbe whether to measure the live heap in the middle of the burst (this stops
   *     the gateway for a full collection, so latency figures of that run suffer)
   */
  private record Settings(
      Path gatewayJar,
      Path workDir,
      int connects,
      Duration readyAfter,
      String gatewayHeap,
      List<String> gatewayJvmOptions,
      int warmupConnects,
      int sequential,
      Duration clientTimeout,
      boolean liveHeapProbe) {
    static Settings fromSystemProperties() {
      String jar = System.getProperty("bench.gatewayJar", "");
      if (jar.isBlank() || !Files.isRegularFile(Path.of(jar))) {
        throw new IllegalArgumentException(
            "bench.gatewayJar must name the shaded gateway jar (mvn package builds it), was '"
                + jar
                + "'");
      }
      return new Settings(
          Path.of(jar).toAbsolutePath(),
          Path.of(System.getProperty("bench.workDir", "target/gateway-benchmark")).toAbsolutePath(),
          Integer.getInteger("bench.connects", ISSUE_CONNECTS),
          Duration.ofMillis(Integer.getInteger("bench.readyAfterMillis", ISSUE_READY_AFTER_MILLIS)),
          System.getProperty("bench.gatewayHeap", ISSUE_HEAP),
          java.util.Arrays.stream(System.getProperty("bench.gatewayJvmOptions", "").split("\\s+"))
              .filter(option -> !option.isBlank())
              .toList(),
          Integer.getInteger("bench.warmupConnects", DEFAULT_WARMUP_CONNECTS),
          Integer.getInteger("bench.sequentialConnects", DEFAULT_SEQUENTIAL_CONNECTS),
          Duration.ofSeconds(
              Integer.getInteger("bench.clientTimeoutSeconds", DEFAULT_CLIENT_TIMEOUT_SECONDS)),
          Boolean.getBoolean("bench.liveHeapProbe"));
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static long benchCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  // @FormatMethod would need error_prone_annotations, which the gateway does not depend on.
  @SuppressWarnings("AnnotateFormatMethod")
  private static void printf(String format, Object... args) {
    System.out.printf(Locale.ROOT, format, args);
    System.out.flush();
  }
}
