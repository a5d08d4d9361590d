package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.ConnectClient.Outcome;
import dev.avatargateway.gateway.bench.ProcFs.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4, overload: {@code bench.connects} [12,000] connects arrive at once at a gateway with a
 * 128 MiB heap ({@code bench.gatewayHeap}); every one must be answered, 200 or 503 {@code
 * overloaded}, without an {@code OutOfMemoryError}. Then the clients leave (close their
 * connections) and {@code bench.afterLeaveSeconds} [60] later the gateway must hold no socket in
 * CLOSE-WAIT; its CPU over the last 10 s and its heap are printed. Not a test: run it with {@code
 * mvn -B -q -pl gateway -am -DskipTests -Dgateway.benchmark=overload verify} (BENCHMARKS.md).
 *
 * <p>The simulator runs in a JVM of its own (the upstream sockets it accepts would otherwise share
 * the load generator's open-file limit with its 12,000 client sockets), READY after {@code
 * bench.readyAfter} [5s]. Before the burst, {@code bench.warmupConnects} [200] connects 8 at a time
 * with the simulator ready at once. {@code bench.clientTimeoutSeconds} [120] is how long a client
 * waits for its answer.
 */
public final class OverloadBenchmark {
  private static final Duration CPU_WINDOW = Duration.ofSeconds(10);
  private static final Duration LEAK_HORIZON = Duration.ofHours(1);

  private OverloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    run();
  }

  static void run() throws Exception {
    Bench.header("Gateway overload benchmark (admission control)");
    BurstReport.Settings run = BurstReport.Settings.read("overload", 12_000, "5s", "128m", 120);
    int connects = run.connects();
    Duration afterLeave = Bench.secondsSetting("bench.afterLeaveSeconds", 60);
    Targets targets = new Targets();

    try (SimulatorProcess sim = run.startSimulator()) {
      GatewayProcess gateway = run.startGateway(sim, List.of("runway", "connect", "server"));
      try (gateway;
          ConnectClient client = new ConnectClient(gateway.baseUrl(), run.clientTimeout())) {
        int gatewayPort = gateway.baseUrl().getPort();
        BurstReport.Burst burst =
            BurstReport.warmUpThenBurst(
                "3",
                client,
                run.warmup(),
                sim,
                run.readyAfter(),
                connects,
                gateway,
                run.heap(),
                Duration.ofSeconds(5));
        List<Outcome> outcomes = burst.outcomes();
        GatewaySampler sampler = burst.sampler();
        BurstReport.Survival survival = BurstReport.Survival.of(gateway);
        long oom = survival.outOfMemoryErrors();
        boolean alive = survival.alive();
        Map<String, List<Outcome>> groups = BurstReport.byStatusAndCode(outcomes);
        long ok = groups.getOrDefault("200", List.of()).size();
        long overloaded = groups.getOrDefault("503 overloaded", List.of()).size();
        long other = connects - ok - overloaded;
        targets.check(
            "3. every connect answered, 200 or 503 overloaded",
            other == 0,
            Bench.format(
                "%d answered 200, %d 503 overloaded, %d otherwise", ok, overloaded, other));
        targets.check(
            "3. no OutOfMemoryError in the gateway's output",
            oom == 0 && alive,
            Bench.format("%d lines, gateway %s", oom, alive ? "running" : "gone"));

        // The clients leave.
        client.closeConnections();
        long leftAt = System.nanoTime();
        long own =
            ProcFs.count(
                ProcFs.tcpSockets(ProcessHandle.current().pid()),
                s -> s.remotePort() == gatewayPort && s.state() != ProcFs.LISTEN);
        Bench.printf(
            "%nthe clients left: the load generator closed its connections (this JVM now holds %d"
                + " sockets to the gateway; the benchmark's own /metrics scraper may keep one)%n",
            own);
        printSockets("gateway sockets just after", gateway, gatewayPort, sim.port());

        sleepUntil(leftAt + afterLeave.minus(CPU_WINDOW).toNanos());
        ThreadCpu threads = ThreadCpu.snapshot(gateway.pid());
        Duration cpuBefore = ProcFs.cpu(gateway.pid()).orElse(Duration.ZERO);
        sleepUntil(leftAt + afterLeave.toNanos());
        Duration cpu = ProcFs.cpu(gateway.pid()).orElse(Duration.ZERO).minus(cpuBefore);
        Map<String, Long> byThread = ThreadCpu.snapshot(gateway.pid()).millisSince(threads);

        Bench.printf(
            "%n-- %d s after the clients left; load average %.2f --%n",
            afterLeave.toSeconds(), Bench.loadAverage());
        long closeWait = printSockets("gateway sockets", gateway, gatewayPort, sim.port());
        Bench.printf(
            "ss -Htan state close-wait '( sport = :%d )': %s lines%n",
            gatewayPort, ssCloseWait(gatewayPort));
        Bench.printf(
            "gateway CPU over the last %d s: %d ms = %.1f ms per second; by thread kind (ms): %s%n",
            CPU_WINDOW.toSeconds(),
            cpu.toMillis(),
            cpu.toMillis() / (double) CPU_WINDOW.toSeconds(),
            byThread);
        Bench.printf(
            "gateway platform threads: %d; open files: %d%n",
            ProcFs.threads(gateway.pid()).orElse(-1), ProcFs.openFiles(gateway.pid()).orElse(-1));
        try {
          GatewayProcess.HeapSample h = gateway.heap();
          Bench.printf(
              "gateway heap used (from /metrics): %.1f MiB of %.1f MiB; connects in flight %d%n",
              h.usedBytes() / Bench.BYTES_PER_MIB,
              h.maxBytes() / Bench.BYTES_PER_MIB,
              h.connectsInFlight());
          Bench.printf(
              "gateway live heap after a full GC (jcmd GC.class_histogram): %.1f MiB%n",
              gateway.liveHeapBytes() / Bench.BYTES_PER_MIB);
        } catch (IOException e) {
          Bench.printf("gateway heap: unreadable (%s)%n", e.getMessage());
        }
        targets.check(
            "3. no socket in CLOSE-WAIT on the gateway's port "
                + afterLeave.toSeconds()
                + " s after the clients left",
            closeWait == 0,
            Long.toString(closeWait));

        int exit = gateway.stop();
        Bench.printf("gateway exit code after SIGTERM: %d%n", exit);
        BurstReport.printGc(gateway.gcSummary());
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

  /**
   * Prints the gateway's TCP sockets by kind and state.
   *
   * @return its sockets in CLOSE-WAIT on its own port
   */
  private static long printSockets(
      String title, GatewayProcess gateway, int gatewayPort, int upstreamPort) {
    List<TcpSocket> sockets = ProcFs.tcpSockets(gateway.pid());
    long clientsEstablished =
        ProcFs.count(sockets, s -> s.localPort() == gatewayPort && s.state() == ProcFs.ESTABLISHED);
    long clientsCloseWait =
        ProcFs.count(sockets, s -> s.localPort() == gatewayPort && s.state() == ProcFs.CLOSE_WAIT);
    long upstreamEstablished =
        ProcFs.count(
            sockets, s -> s.remotePort() == upstreamPort && s.state() == ProcFs.ESTABLISHED);
    long upstreamCloseWait =
        ProcFs.count(
            sockets, s -> s.remotePort() == upstreamPort && s.state() == ProcFs.CLOSE_WAIT);
    Bench.printf(
        "%s (from /proc/%d/fd and /proc/net/tcp*): on its port %d established, %d CLOSE-WAIT;"
            + " to the upstream %d established, %d CLOSE-WAIT; %d TCP sockets in all%n",
        title,
        gateway.pid(),
        clientsEstablished,
        clientsCloseWait,
        upstreamEstablished,
        upstreamCloseWait,
        sockets.size());
    return clientsCloseWait;
  }

  private static String ssCloseWait(int port) {
    try {
      Process ss =
          new ProcessBuilder("ss", "-Htan", "state", "close-wait", "( sport = :" + port + " )")
              .redirectErrorStream(true)
              .start();
      String text = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!ss.waitFor(30, TimeUnit.SECONDS) || ss.exitValue() != 0) {
        return "unavailable (ss failed)";
      }
      return Long.toString(text.lines().filter(line -> !line.isBlank()).count());
    } catch (IOException e) {
      return "unavailable (no ss)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unavailable (interrupted)";
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
