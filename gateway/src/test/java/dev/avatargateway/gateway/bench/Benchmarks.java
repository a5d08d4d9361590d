package dev.avatargateway.gateway.bench;

import java.util.List;

/**
 * The entry point of the gateway module's {@code benchmark} profile: {@code -Dgateway.benchmark}
 * (or {@code =burst}) runs the issue 3 benchmark ({@link ConcurrentConnectsBenchmark}), and {@code
 * =readiness}, {@code =cpu}, {@code =overload} or {@code =bounded} one of the newer
 * (BENCHMARKS.md). Blank {@code bench.*} properties (the profile passes every one, empty unless set
 * on the command line) are removed first, so that each benchmark applies its own defaults.
 *
 * <p>Exit codes: the newer benchmarks exit 0 when they ran, whether or not the targets were met
 * (their PASS/FAIL lines say so), and non-zero on an internal error; the issue 3 benchmark keeps
 * its own contract (exit 1 when a requirement failed).
 */
public final class Benchmarks {
  private static final int USAGE = 2;
  private static final int INTERNAL_ERROR = 3;

  private Benchmarks() {}

  public static void main(String[] args) throws Exception {
    for (String name : List.copyOf(System.getProperties().stringPropertyNames())) {
      if (name.startsWith("bench.") && System.getProperty(name).isBlank()) {
        System.clearProperty(name);
      }
    }
    String which = System.getProperty("bench.which", "true").trim();
    try {
      switch (which) {
        case "", "true", "burst" -> ConcurrentConnectsBenchmark.main(args);
        case "readiness" -> ReadinessBenchmark.run();
        case "cpu" -> ConnectCpuBenchmark.run();
        case "overload" -> OverloadBenchmark.run();
        case "bounded" -> BoundedUpstreamBenchmark.run();
        default -> {
          System.err.println(
              "unknown -Dgateway.benchmark="
                  + which
                  + "; one of: burst (the default), readiness, cpu, overload, bounded");
          System.exit(USAGE);
        }
      }
    } catch (Exception | Error e) {
      System.out.flush();
      System.err.println("BENCHMARK ERROR (not a missed target): " + e);
      e.printStackTrace();
      System.exit(INTERNAL_ERROR);
    }
    // Stray non-daemon threads (HTTP clients) must not keep the JVM alive.
    System.exit(0);
  }
}
