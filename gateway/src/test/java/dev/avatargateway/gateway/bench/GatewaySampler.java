package dev.avatargateway.gateway.bench;

import dev.avatargateway.gateway.bench.GatewayProcess.HeapSample;
import dev.avatargateway.gateway.bench.ProcFs.TcpSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches the gateway's process during a burst: from {@code /proc} its platform threads, open files
 * and TCP connections (to the upstream, from clients) every {@code interval}; from its own {@code
 * /metrics} its heap and connects in flight (a scrape that times out under load is a missed sample,
 * not a failure). Keeps the peaks and a time series.
 */
final class GatewaySampler implements AutoCloseable {
  private static final Duration METRICS_INTERVAL = Duration.ofSeconds(1);

  /**
   * The gateway's own metrics about connections, admission and what is in flight or queued, e.g.
   * {@code avatar_gateway_connects_in_flight}: their peaks show what a newer gateway reports about
   * its bounds, whatever their names.
   */
  private static final Pattern WATCHED_METRIC =
      Pattern.compile(
          "^(avatar_gateway_[a-z0-9_]*(?:connection|admission|overload|in_flight|queued|permit)"
              + "[a-z0-9_]*(?:\\{[^}]*})?)\\s+(\\S+)$",
          Pattern.MULTILINE);

  private final Map<String, Double> watched = new ConcurrentSkipListMap<>();

  private final GatewayProcess gateway;
  private final int upstreamPort;
  private final int gatewayPort;
  private final Duration interval;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Point> series = new CopyOnWriteArrayList<>();
  private final long start = System.nanoTime();
  private final Thread procThread;
  private final Thread metricsThread;
  // Written by one sampler thread each, read after close() joined them.
  private volatile long peakHeapUsed;
  private volatile long heapMax;
  private volatile int peakInFlight = -1;
  private final AtomicInteger metricsSamples = new AtomicInteger();

  GatewaySampler(GatewayProcess gateway, int upstreamPort, Duration interval) {
    this.gateway = gateway;
    this.upstreamPort = upstreamPort;
    this.gatewayPort = gateway.baseUrl().getPort();
    this.interval = interval;
    this.procThread = Thread.ofVirtual().name("proc-sampler").unstarted(this::procLoop);
    this.metricsThread = Thread.ofVirtual().name("metrics-sampler").unstarted(this::metricsLoop);
  }

  GatewaySampler start() {
    procThread.start();
    metricsThread.start();
    return this;
  }

  private void procLoop() {
    while (!stop.get()) {
      long pid = gateway.pid();
      OptionalInt threads = ProcFs.threads(pid);
      if (threads.isEmpty()) {
        return; // The gateway is gone.
      }
      List<TcpSocket> sockets = ProcFs.tcpSockets(pid);
      series.add(
          new Point(
              (System.nanoTime() - start) / Bench.NANOS_PER_SECOND,
              threads.getAsInt(),
              ProcFs.openFiles(pid).orElse(-1),
              ProcFs.count(
                  sockets, s -> s.remotePort() == upstreamPort && s.state() == ProcFs.ESTABLISHED),
              ProcFs.count(
                  sockets, s -> s.localPort() == gatewayPort && s.state() == ProcFs.ESTABLISHED)));
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void metricsLoop() {
    while (!stop.get()) {
      try {
        String text = gateway.metricsText();
        HeapSample sample = GatewayProcess.heap(text);
        Matcher m = WATCHED_METRIC.matcher(text);
        while (m.find()) {
          try {
            watched.merge(m.group(1), Double.parseDouble(m.group(2)), Math::max);
          } catch (NumberFormatException e) {
            // NaN and the like: not a peak.
          }
        }
        peakHeapUsed = Math.max(peakHeapUsed, sample.usedBytes());
        heapMax = sample.maxBytes();
        peakInFlight = Math.max(peakInFlight, sample.connectsInFlight());
        metricsSamples.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        // Missed sample.
      } catch (InterruptedException e) {
        return;
      }
      try {
        Thread.sleep(METRICS_INTERVAL);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    stop.set(true);
    procThread.interrupt();
    metricsThread.interrupt();
    try {
      procThread.join();
      metricsThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  List<Point> series() {
    return List.copyOf(series);
  }

  int peakThreads() {
    return series.stream().mapToInt(Point::threads).max().orElse(-1);
  }

  int peakOpenFiles() {
    return series.stream().mapToInt(Point::openFiles).max().orElse(-1);
  }

  long peakUpstream() {
    return series.stream().mapToLong(Point::upstream).max().orElse(-1);
  }

  long peakClients() {
    return series.stream().mapToLong(Point::clients).max().orElse(-1);
  }

  long peakHeapUsedBytes() {
    return peakHeapUsed;
  }

  long heapMaxBytes() {
    return heapMax;
  }

  int peakInFlight() {
    return peakInFlight;
  }

  /** Peaks of the gateway's metrics about its bounds ({@link #WATCHED_METRIC}), by series. */
  Map<String, Double> watchedMetricPeaks() {
    return Map.copyOf(watched);
  }

  int metricsSamples() {
    return metricsSamples.get();
  }

  /** Prints one line per {@code every}: the series, thinned. */
  void printSeries(Duration every) {
    Bench.printf(
        "  %8s %10s %10s %12s %12s%n", "t (s)", "threads", "open files", "upstream", "clients");
    double next = 0;
    for (Point p : series) {
      if (p.seconds() + 1e-9 >= next) {
        Bench.printf(
            "  %8.1f %10d %10d %12d %12d%n",
            p.seconds(), p.threads(), p.openFiles(), p.upstream(), p.clients());
        next = p.seconds() + every.toMillis() / 1000.0;
      }
    }
  }

  /**
   * One look at the gateway's process.
   *
   * @param seconds since the sampler started
   * @param threads platform threads
   * @param openFiles file descriptors, sockets included
   * @param upstream established TCP connections to the simulator
   * @param clients established TCP connections from clients on the gateway's port
   */
  record Point(double seconds, int threads, int openFiles, long upstream, long clients) {}
}
