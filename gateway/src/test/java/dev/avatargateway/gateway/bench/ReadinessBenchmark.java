package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.bench.SimulatorProcess.Session;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How soon a waiting connect notices READY, and how many status reads it spends on it (the target:
 * predictive polling), for the gateway and, in the same run against the same simulator, for the
 * seed guide's Express handler on Node with the official SDK. Not a test: run it with {@code mvn -B
 * -q -pl gateway -am -DskipTests -Dgateway.benchmark=readiness verify} (BENCHMARKS.md).
 *
 * <p>Sections (system property {@code bench.sections}, default {@code 1,2,5}):
 *
 * <ol>
 *   <li>READY noticed: the simulator's READY time is log-normal with a median of 1.5 s and σ 0.25;
 *       {@code bench.warmupConnects} [40] warm-up connects, then {@code bench.measuredConnects}
 *       [200] measured, {@code bench.concurrency} [8] at a time. Figures: READY noticed = the
 *       simulator's {@code consumedAt − readyAt} at p50/p90/p99, status reads per session (the
 *       simulator's {@code getCount} right after the answer), connect latency; the same for the
 *       seed handler, and the ratio gateway/seed. Targets: p50 ≤ 50 ms, p90 ≤ 150 ms, ≤ 4 reads per
 *       session (mean).
 *   <li>READY unpredictable: uniform from 1 to 10 s; {@code bench.warmupConnects} warm-up and
 *       {@code bench.unpredictableConnects} [100] measured connects, {@code
 *       bench.unpredictableConcurrency} [16] at a time. Figure: status reads per second of waiting
 *       (reads ÷ ({@code consumedAt − createdAt}), averaged over the sessions; target ≤ 1), READY
 *       noticed p50/p90; the seed handler too.
 *   <li>(5) CPU per connect with an instantly ready upstream: {@link ConnectCpuBenchmark}, against
 *       the same simulator.
 * </ol>
 *
 * <p>Each section starts a fresh gateway (a poller that learns must learn from that section's
 * sessions only); the seed handler runs after the gateway has stopped, so the two never share the
 * machine. {@code bench.seedHandler=false} leaves the seed handler out; {@code bench.gatewayHeap}
 * [256m] is each gateway's heap. For all of the newer benchmarks: {@code bench.gatewayConfig} (a
 * YAML file instead of {@link Bench#GATEWAY_YAML}), {@code bench.gatewayJvmOptions}.
 */
public final class ReadinessBenchmark {
  static final String LOG_NORMAL = "lognormal(1500ms,0.25)";
  static final String UNIFORM = "uniform(1s,10s)";

  /** Far longer than any wait here: an unconsumed session then is the waiting side's fault. */
  static final Duration READY_WINDOW = Duration.ofMinutes(2);

  static final long SEED = 20_261_201L;

  private static final double TARGET_P50_MILLIS = 50;
  private static final double TARGET_P90_MILLIS = 150;
  private static final double TARGET_READS_PER_SESSION = 4;
  private static final double TARGET_READS_PER_SECOND = 1;

  private ReadinessBenchmark() {}

  public static void main(String[] args) throws Exception {
    run();
  }

  static void run() throws Exception {
    Bench.header("Gateway readiness benchmark (predictive polling)");
    List<String> sections = Bench.list(Bench.stringSetting("bench.sections", "1,2,5"));
    int warmup = Bench.intSetting("bench.warmupConnects", 40);
    int measured = Bench.intSetting("bench.measuredConnects", 200);
    int concurrency = Bench.intSetting("bench.concurrency", 8);
    int unpredictable = Bench.intSetting("bench.unpredictableConnects", 100);
    int unpredictableConcurrency = Bench.intSetting("bench.unpredictableConcurrency", 16);
    boolean seedWanted = Boolean.parseBoolean(Bench.stringSetting("bench.seedHandler", "true"));
    Path work = Bench.workDir("readiness");
    Path jar = Bench.gatewayJar();
    String yaml = Bench.gatewayYaml();
    Targets targets = new Targets();
    String secret = secret();

    SeedHandler.Prepared seed =
        seedWanted
            ? SeedHandler.prepare(
                Path.of(Bench.stringSetting("bench.seedHandlerDir", "src/test/node/seed-handler"))
                    .toAbsolutePath(),
                work)
            : new SeedHandler.Prepared(false, work, "left out (bench.seedHandler=false)");
    boolean needsSeed = sections.contains("1") || sections.contains("2");
    if (needsSeed) {
      Bench.printf(
          "seed handler: %s%n",
          seed.available() ? seed.description() : "SEED COMPARISON SKIPPED: " + seed.description());
    }

    try (SimulatorProcess sim =
        SimulatorProcess.startForBenchmark(work, "1g", secret, LOG_NORMAL)) {
      GatewaySettings settings = GatewaySettings.of(jar, yaml);
      Bench.printf("gateway settings: runway: %s%n", settings.section("runway"));
      Bench.printf("gateway settings: connect: %s%n", settings.section("connect"));

      if (sections.contains("1")) {
        Bench.printf(
            "%n== 1. READY noticed: simulator READY after %s; %d warm-up connects, then %d"
                + " measured, %d at a time ==%n",
            LOG_NORMAL, warmup, measured, concurrency);
        sim.setReadyAfter(LOG_NORMAL);
        Figures gw =
            measureGateway(
                sim, secret, jar, yaml, work.resolve("1-gateway"), warmup, measured, concurrency);
        Optional<Figures> sd =
            seed.available()
                ? Optional.of(measureSeed(sim, secret, seed.dir(), warmup, measured, concurrency))
                : Optional.empty();
        printReadyNoticed(gw, sd, seed);
        targets.check(
            "1. READY noticed p50 <= 50 ms",
            gw.noticedMillis(0.50) <= TARGET_P50_MILLIS,
            Bench.format("%.1f ms", gw.noticedMillis(0.50)));
        targets.check(
            "1. READY noticed p90 <= 150 ms",
            gw.noticedMillis(0.90) <= TARGET_P90_MILLIS,
            Bench.format("%.1f ms", gw.noticedMillis(0.90)));
        targets.check(
            "1. status reads per session <= 4 (mean)",
            gw.meanReads() <= TARGET_READS_PER_SESSION,
            Bench.format(
                "mean %.2f, p90 %.0f, max %.0f",
                gw.meanReads(),
                Bench.percentile(gw.reads(), 0.90),
                Bench.percentile(gw.reads(), 1.0)));
        targets.check(
            "1. every measured connect succeeded",
            gw.ok() == gw.n(),
            Bench.format("%d of %d", gw.ok(), gw.n()));
      }

      if (sections.contains("2")) {
        Bench.printf(
            "%n== 2. READY unpredictable: simulator READY after %s; %d warm-up connects, then %d"
                + " measured, %d at a time ==%n",
            UNIFORM, warmup, unpredictable, unpredictableConcurrency);
        sim.setReadyAfter(UNIFORM);
        Figures gw =
            measureGateway(
                sim,
                secret,
                jar,
                yaml,
                work.resolve("2-gateway"),
                warmup,
                unpredictable,
                unpredictableConcurrency);
        Optional<Figures> sd =
            seed.available()
                ? Optional.of(
                    measureSeed(
                        sim, secret, seed.dir(), warmup, unpredictable, unpredictableConcurrency))
                : Optional.empty();
        printUnpredictable(gw, sd, seed);
        targets.check(
            "2. status reads per second of waiting <= 1 (mean over sessions)",
            gw.meanReadsPerSecond() <= TARGET_READS_PER_SECOND,
            Bench.format("%.2f", gw.meanReadsPerSecond()));
        targets.check(
            "2. every measured connect succeeded",
            gw.ok() == gw.n(),
            Bench.format("%d of %d", gw.ok(), gw.n()));
      }

      if (sections.contains("5")) {
        ConnectCpuBenchmark.section(
            sim, secret, jar, Bench.burstGatewayYaml(), work.resolve("5-gateway"), targets);
      }
    }
    targets.summary();
    Bench.printf("load average %.2f at the end%n", Bench.loadAverage());
  }

  static String secret() {
    return "key_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
  }

  private static Figures measureGateway(
      SimulatorProcess sim,
      String secret,
      Path jar,
      String yaml,
      Path dir,
      int warmup,
      int measured,
      int concurrency)
      throws Exception {
    try (GatewayProcess gateway = GatewayProcess.start(jar, dir, secret, sim.baseUrl(), yaml);
        ConnectClient client = new ConnectClient(gateway.baseUrl(), Duration.ofSeconds(60))) {
      Bench.printf(
          "gateway: pid %d, own JVM, output in %s; load average %.2f%n",
          gateway.pid(), gateway.output(), Bench.loadAverage());
      return measure("gateway", client, sim, warmup, measured, concurrency);
    }
  }

  private static Figures measureSeed(
      SimulatorProcess sim, String secret, Path dir, int warmup, int measured, int concurrency)
      throws Exception {
    try (SeedHandler seed = SeedHandler.start(dir, sim.baseUrl(), secret);
        ConnectClient client = new ConnectClient(seed.baseUrl(), Duration.ofSeconds(60))) {
      Bench.printf(
          "seed handler: pid %d, node server.js in %s; load average %.2f%n",
          seed.pid(), dir, Bench.loadAverage());
      return measure("seed handler", client, sim, warmup, measured, concurrency);
    }
  }

  /** Warm-up, then the measured connects, each followed at once by its session's record. */
  private static Figures measure(
      String name,
      ConnectClient client,
      SimulatorProcess sim,
      int warmup,
      int measured,
      int concurrency)
      throws Exception {
    long t0 = System.nanoTime();
    List<Outcome> warm = Load.atConcurrency(client::connect, warmup, concurrency);
    Bench.printf(
        "%s warm-up: %d of %d ok in %.1f s%n",
        name,
        warm.stream().filter(Outcome::ok).count(),
        warmup,
        (System.nanoTime() - t0) / Bench.NANOS_PER_SECOND);
    SimulatorProcess.Stats before = sim.stats();
    long t1 = System.nanoTime();
    List<Sample> samples =
        Load.atConcurrency(
            () -> {
              Outcome o = client.connect();
              // Right after the answer, before anyone else reads this session: the ledger follows
              // a handed-over session only 30 s later.
              Optional<Session> s =
                  o.ok() ? sim.session(o.sessionId().orElseThrow()) : Optional.empty();
              return new Sample(o, s);
            },
            measured,
            concurrency);
    double wall = (System.nanoTime() - t1) / Bench.NANOS_PER_SECOND;
    SimulatorProcess.Stats after = sim.stats();
    Figures f = Figures.of(name, samples);
    Bench.printf(
        "%s measured: %d of %d ok in %.1f s, answers %s; upstream requests meanwhile: %d creates,"
            + " %d status reads, %d consumes, %d cancels; load average %.2f%n",
        name,
        f.ok(),
        f.n(),
        wall,
        f.answers(),
        after.route("CREATE") - before.route("CREATE"),
        after.route("RETRIEVE") - before.route("RETRIEVE"),
        after.route("CONSUME") - before.route("CONSUME"),
        after.route("CANCEL") - before.route("CANCEL"),
        Bench.loadAverage());
    return f;
  }

  private static void printReadyNoticed(Figures gw, Optional<Figures> sd, SeedHandler.Prepared s) {
    Bench.printf("%n%-44s %14s %14s %14s%n", "", "gateway", "seed handler", "gateway/seed");
    row("READY noticed p50 (ms)", gw, sd, f -> f.noticedMillis(0.50));
    row("READY noticed p90 (ms)", gw, sd, f -> f.noticedMillis(0.90));
    row("READY noticed p99 (ms)", gw, sd, f -> f.noticedMillis(0.99));
    row("READY noticed max (ms)", gw, sd, f -> f.noticedMillis(1.0));
    row("status reads per session, mean", gw, sd, Figures::meanReads);
    row("status reads per session, p90", gw, sd, f -> Bench.percentile(f.reads(), 0.90));
    row("status reads per session, max", gw, sd, f -> Bench.percentile(f.reads(), 1.0));
    row("connect latency p50 (ms)", gw, sd, f -> f.latencyMillis(0.50));
    row("connect latency p90 (ms)", gw, sd, f -> f.latencyMillis(0.90));
    row("connect latency p99 (ms)", gw, sd, f -> f.latencyMillis(0.99));
    row("simulator READY time p50 (ms)", gw, sd, f -> f.provisioningMillis(0.50));
    row("simulator READY time p90 (ms)", gw, sd, f -> f.provisioningMillis(0.90));
    row("succeeded", gw, sd, f -> (double) f.ok());
    if (sd.isEmpty()) {
      Bench.printf("SEED COMPARISON SKIPPED: %s%n", s.description());
    }
  }

  private static void printUnpredictable(Figures gw, Optional<Figures> sd, SeedHandler.Prepared s) {
    Bench.printf("%n%-44s %14s %14s %14s%n", "", "gateway", "seed handler", "gateway/seed");
    row("status reads per second of waiting, mean", gw, sd, Figures::meanReadsPerSecond);
    row("  all reads / all seconds of waiting", gw, sd, Figures::pooledReadsPerSecond);
    row("READY noticed p50 (ms)", gw, sd, f -> f.noticedMillis(0.50));
    row("READY noticed p90 (ms)", gw, sd, f -> f.noticedMillis(0.90));
    row("READY noticed p99 (ms)", gw, sd, f -> f.noticedMillis(0.99));
    row("status reads per session, mean", gw, sd, Figures::meanReads);
    row("connect latency p50 (ms)", gw, sd, f -> f.latencyMillis(0.50));
    row("connect latency p90 (ms)", gw, sd, f -> f.latencyMillis(0.90));
    row("simulator READY time p50 (ms)", gw, sd, f -> f.provisioningMillis(0.50));
    row("succeeded", gw, sd, f -> (double) f.ok());
    if (sd.isEmpty()) {
      Bench.printf("SEED COMPARISON SKIPPED: %s%n", s.description());
    }
  }

  private static void row(
      String name, Figures gw, Optional<Figures> sd, Function<Figures, Double> figure) {
    double g = figure.apply(gw);
    if (sd.isEmpty()) {
      Bench.printf("%-44s %14.2f %14s %14s%n", name, g, "skipped", "-");
      return;
    }
    double s = figure.apply(sd.get());
    Bench.printf(
        "%-44s %14.2f %14.2f %14s%n", name, g, s, s == 0 ? "-" : Bench.format("%.2f", g / s));
  }

  /** One measured connect and its session's record taken right after the answer. */
  record Sample(Outcome outcome, Optional<Session> session) {}

  /**
   * The figures of one side (the gateway or the seed handler) over its measured connects.
   *
   * @param noticedNanos READY to consume handled, per successful connect
   * @param reads status reads per successful connect
   * @param readsPerSecond reads ÷ seconds from create to consume, per successful connect
   * @param waitingNanos create to consume, per successful connect
   */
  @SuppressWarnings("ArrayRecordComponent") // Private to this benchmark, never compared.
  record Figures(
      String name,
      int n,
      long ok,
      Map<String, Long> answers,
      long[] noticedNanos,
      long[] reads,
      double[] readsPerSecond,
      long[] waitingNanos,
      long[] latencyNanos,
      long[] provisioningNanos) {
    static Figures of(String name, List<Sample> samples) {
      List<Long> noticed = new ArrayList<>();
      List<Long> reads = new ArrayList<>();
      List<Double> perSecond = new ArrayList<>();
      List<Long> waiting = new ArrayList<>();
      List<Long> latency = new ArrayList<>();
      List<Long> provisioning = new ArrayList<>();
      long ok = 0;
      for (Sample sample : samples) {
        Optional<Session> s = sample.session();
        if (!sample.outcome().ok() || s.isEmpty() || s.get().readyNoticed().isEmpty()) {
          continue;
        }
        ok++;
        Session session = s.get();
        noticed.add(session.readyNoticed().orElseThrow().toNanos());
        reads.add(session.getCount());
        long wait =
            Duration.between(session.createdAt(), session.consumedAt().orElseThrow()).toNanos();
        waiting.add(wait);
        perSecond.add(session.getCount() / (Math.max(1, wait) / Bench.NANOS_PER_SECOND));
        latency.add(sample.outcome().latencyNanos());
        provisioning.add(
            Duration.between(session.createdAt(), session.readyAt().orElseThrow()).toNanos());
      }
      Map<String, Long> answers =
          samples.stream()
              .collect(
                  Collectors.groupingBy(
                      x -> x.outcome().detail(), TreeMap::new, Collectors.counting()));
      return new Figures(
          name,
          samples.size(),
          ok,
          answers,
          longs(noticed),
          longs(reads),
          perSecond.stream().mapToDouble(Double::doubleValue).toArray(),
          longs(waiting),
          longs(latency),
          longs(provisioning));
    }

    private static long[] longs(List<Long> values) {
      return values.stream().mapToLong(Long::longValue).toArray();
    }

    double noticedMillis(double p) {
      return Bench.percentile(noticedNanos, p) / Bench.NANOS_PER_MILLI;
    }

    double latencyMillis(double p) {
      return Bench.percentile(latencyNanos, p) / Bench.NANOS_PER_MILLI;
    }

    double provisioningMillis(double p) {
      return Bench.percentile(provisioningNanos, p) / Bench.NANOS_PER_MILLI;
    }

    double meanReads() {
      return Bench.mean(reads);
    }

    double meanReadsPerSecond() {
      return Bench.mean(readsPerSecond);
    }

    double pooledReadsPerSecond() {
      long allReads = 0;
      long allWaiting = 0;
      for (int i = 0; i < reads.length; i++) {
        allReads += reads[i];
        allWaiting += waitingNanos[i];
      }
      return allWaiting == 0 ? Double.NaN : allReads / (allWaiting / Bench.NANOS_PER_SECOND);
    }
  }
}
