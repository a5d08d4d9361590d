package dev.avatargateway.simulator.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Throughput of {@code GET /v1/realtime_sessions/{id}}, the call every broker polls. Not a test:
 * run it with {@code mvn -B -q -pl runway-simulator -Pbenchmark verify} (see README.md).
 *
 * <p>Starts a simulator in this JVM, creates some sessions, then has many virtual threads call the
 * status route through a JDK HttpClient for a warm-up and a measured period, and prints requests
 * per second, latency percentiles and errors. Client and server share the machine's cores, so the
 * figure is a floor for the server alone. Settings are system properties: {@code
 * bench.warmupSeconds} (5), {@code bench.measureSeconds} (10), {@code bench.concurrency} (64),
 * {@code bench.sessions} (32), {@code bench.baseUrl} (empty: start a simulator in this JVM;
 * otherwise the URL of one already running, with the default API key), {@code bench.clients} (1;
 * JDK HttpClients, each with its own selector thread), {@code bench.directExecutor} (true: run the
 * clients' async completions inline on their selector threads).
 */
public final class StatusThroughputBenchmark {
  private static final String API_KEY = SimulatorConfig.DEFAULT_API_KEY;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int INITIAL_SAMPLES_PER_WORKER = 1 << 14;
  private static final double NANOS_PER_MILLI = 1_000_000.0;

  private StatusThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 5);
    int measureSeconds = Integer.getInteger("bench.measureSeconds", 10);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    int sessionCount = Integer.getInteger("bench.sessions", 32);
    int clientCount = Integer.getInteger("bench.clients", 1);
    boolean directExecutor =
        Boolean.parseBoolean(System.getProperty("bench.directExecutor", "true"));

    SimulatorConfig config =
        SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build();
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
      if (directExecutor) {
        // The client's completions then run on its selector thread instead of hopping to a
        // pool: the load generator costs a third less CPU, which on 2 cores the server gets.
        b.executor(Runnable::run);
      }
      clients.add(b.build());
    }
    String external = System.getProperty("bench.baseUrl", "");
    // An external simulator (e.g. the CLI jar in its own JVM) lets `top` tell server CPU apart.
    try (RunwaySimulator simulator = external.isEmpty() ? RunwaySimulator.start(config) : null) {
      URI base = simulator != null ? simulator.baseUrl() : URI.create(external);
      String cpuScope = simulator != null ? "client + simulator" : "client only";
      List<HttpRequest> statusRequests =
          createSessions(clients.get(0), base, sessionCount).stream()
              .map(
                  uri ->
                      HttpRequest.newBuilder(uri)
                          .timeout(REQUEST_TIMEOUT)
                          .header("Authorization", "Bearer " + API_KEY)
                          .header("X-Runway-Version", "2024-11-06")
                          .GET()
                          .build())
              .toList();
      System.out.printf(
          Locale.ROOT,
          "Status throughput against %s: %d virtual threads over %d HttpClients, %d sessions,"
              + " %d s warm-up + %d s measured, %d cores, Java %s%n",
          simulator != null ? "an in-process simulator" : base,
          concurrency,
          clientCount,
          sessionCount,
          warmupSeconds,
          measureSeconds,
          Runtime.getRuntime().availableProcessors(),
          Runtime.version());

      Phase warmup = run(clients, statusRequests, concurrency, Duration.ofSeconds(warmupSeconds));
      System.out.printf(Locale.ROOT, "warm-up:  %s%n", warmup.summary(cpuScope));
      Phase measured =
          run(clients, statusRequests, concurrency, Duration.ofSeconds(measureSeconds));
      System.out.printf(Locale.ROOT, "measured: %s%n", measured.summary(cpuScope));
    } finally {
      clients.forEach(HttpClient::close);
    }
  }

  private static List<URI> createSessions(HttpClient client, URI base, int count)
      throws IOException, InterruptedException {
    JsonMapper json = JsonMapper.builder().build();
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpRequest create =
          HttpRequest.newBuilder(base.resolve("/v1/realtime_sessions"))
              .header("Authorization", "Bearer " + API_KEY)
              .header("X-Runway-Version", "2024-11-06")
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"gwm1_avatars\",\"avatar\":{\"type\":\"runway-preset\","
                          + "\"presetId\":\"influencer\"}}"))
              .build();
      String body = client.send(create, BodyHandlers.ofString()).body();
      uris.add(
          base.resolve("/v1/realtime_sessions/" + json.readTree(body).get("id").stringValue()));
    }
    return uris;
  }

  private static Phase run(
      List<HttpClient> clients, List<HttpRequest> requests, int concurrency, Duration length)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder errors = new LongAdder();
    List<Future<long[]>> workers = new ArrayList<>();
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        HttpClient client = clients.get(w % clients.size());
        workers.add(threads.submit(() -> worker(client, requests, stop, errors)));
      }
      Thread.sleep(length);
      stop.set(true);
      List<long[]> perWorker = new ArrayList<>();
      for (Future<long[]> f : workers) {
        perWorker.add(f.get());
      }
      long elapsed = System.nanoTime() - start;
      long cpu = processCpuNanos() - cpuStart;
      long[] all = perWorker.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      return Phase.of(all, errors.sum(), elapsed, cpu);
    }
  }

  /** Returns the latencies (ns) of the successful requests this worker made. */
  private static long[] worker(
      HttpClient client, List<HttpRequest> requests, AtomicBoolean stop, LongAdder errors) {
    long[] samples = new long[INITIAL_SAMPLES_PER_WORKER];
    int n = 0;
    while (!stop.get()) {
      HttpRequest request = requests.get(ThreadLocalRandom.current().nextInt(requests.size()));
      long t0 = System.nanoTime();
      try {
        int status = client.send(request, BodyHandlers.ofByteArray()).statusCode();
        if (status != 200) {
          errors.increment();
          continue;
        }
      } catch (IOException e) {
        errors.increment();
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (n == samples.length) {
        samples = Arrays.copyOf(samples, n * 2);
      }
      samples[n++] = System.nanoTime() - t0;
    }
    return Arrays.copyOf(samples, n);
  }

  /** CPU time of this whole JVM (client and simulator together). */
  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One period's figures; latencies in milliseconds. */
  private record Phase(
      int requests,
      double seconds,
      double p50,
      double p99,
      double max,
      long errors,
      double cpuMicrosPerRequest) {
    static Phase of(long[] sortedNanos, long errors, long elapsedNanos, long cpuNanos) {
      int n = sortedNanos.length;
      return new Phase(
          n,
          elapsedNanos / 1e9,
          percentile(sortedNanos, 0.50),
          percentile(sortedNanos, 0.99),
          n == 0 ? 0 : sortedNanos[n - 1] / NANOS_PER_MILLI,
          errors,
          n == 0 ? 0 : cpuNanos / 1e3 / n);
    }

    String summary(String cpuScope) {
      return String.format(
          Locale.ROOT,
          "%d requests in %.2f s = %.0f req/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms;"
              + " errors %d; CPU %.0f us/request (%s)",
          requests,
          seconds,
          requests / seconds,
          p50,
          p99,
          max,
          errors,
          cpuMicrosPerRequest,
          cpuScope);
    }

    private static double percentile(long[] sorted, double p) {
      int n = sorted.length;
      if (n == 0) {
        return 0;
      }
      int index = (int) Math.min(n - 1, Math.ceil(p * n) - 1);
      return sorted[Math.max(0, index)] / NANOS_PER_MILLI;
    }
  }
}
