package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.TestDatabases;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * What the ledger costs a connect: the CPU time of one happy-path connect's ledger writes (the
 * events Accepted, Created, Ready, Consumed, Ended through the recorder, as the connect use case
 * sends them), on an H2 file with the default URL's options and on the test PostgreSQL, and the CPU
 * time of one commit on H2 with candidate URL options. A program that prints figures, not a test:
 * it asserts nothing, and its numbers depend on the machine.
 *
 * <p>Run it from the repository's root on the test class path, after building gateway-core and what
 * it depends on:
 *
 * <pre>
 * mvn -B -q -pl gateway-core -am install -DskipTests
 * mvn -B -q -pl gateway-core dependency:build-classpath -Dmdep.includeScope=test \
 *   -Dmdep.outputFile=target/test.classpath
 * java -cp "gateway-core/target/test-classes:gateway-core/target/classes:$(cat \
 *   gateway-core/target/test.classpath)" \
 *   dev.avatargateway.gateway.core.internal.books.LedgerWriteBenchmark [part...]
 * </pre>
 *
 * The PostgreSQL part uses the tests' server ({@link TestDatabases}) in a schema of its own, which
 * it drops. Arguments pick the parts ({@code h2}, {@code postgres}, {@code h2-options}, {@code
 * h2-query-cache-8}, {@code h2-long}), the first three by default.
 */
public final class LedgerWriteBenchmark {
  /** Connects measured per database: enough for the per-connect figure to settle. */
  private static final int CONNECTS = 5_000;

  /** Connects run first and not counted, so that the JIT has compiled the paths measured. */
  private static final int WARM_UP = 2_000;

  /**
   * Rounds of {@link #CONNECTS} in a row for {@code h2-long}: does a commit cost more over time?
   */
  private static final int LONG_WINDOWS = 6;

  /** Rounds over the H2 options; the best of each is reported. */
  private static final int ROUNDS = 3;

  /** Commits measured per set of H2 options. */
  private static final int COMMITS = 5_000;

  /** The default URL's options (everything after the file path). */
  private static final String DEFAULT_OPTIONS =
      LedgerConfig.DEFAULT_URL.substring(LedgerConfig.DEFAULT_URL.indexOf(';'));

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private LedgerWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> parts = args.length == 0 ? List.of("h2", "postgres", "h2-options") : List.of(args);
    Path temp = Files.createTempDirectory("ledger-benchmark");
    for (String part : parts) {
      switch (part) {
        case "h2" ->
            connects(
                "H2 file, default options",
                h2(temp.resolve("connects").resolve("ledger") + DEFAULT_OPTIONS));
        case "h2-long" ->
            connects(
                "H2 file, default options",
                h2(temp.resolve("connects-long").resolve("ledger") + DEFAULT_OPTIONS),
                LONG_WINDOWS);
        case "h2-query-cache-8" ->
            connects(
                "H2 file, default options, H2's own query cache (8)",
                h2(
                    temp.resolve("connects-8").resolve("ledger")
                        + DEFAULT_OPTIONS
                        + ";QUERY_CACHE_SIZE=8"));
        case "postgres" -> {
          try (TestDatabases.PostgresSchema schema = TestDatabases.newPostgresSchema()) {
            connects("PostgreSQL " + schema.config().loggableUrl(), schema.config());
          }
        }
        case "h2-options" -> options(temp);
        default -> throw new IllegalArgumentException("unknown part " + part);
      }
    }
  }

  private static LedgerConfig h2(String path) {
    return new LedgerConfig(
        "jdbc:h2:file:" + path,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** One connect's events after another, on one thread, as the connect use case sends them. */
  private static void connects(String name, LedgerConfig config) {
    connects(name, config, 1);
  }

  /** As {@link #connects(String, LedgerConfig)}, measured in {@code windows} rounds in a row. */
  private static void connects(String name, LedgerConfig config, int windows) {
    try (LedgerDatabase database = LedgerDatabase.open(config)) {
      Clock clock = Clock.systemUTC();
      JdbcSessionLedger ledger =
          new JdbcSessionLedger(database, UUID.randomUUID().toString(), clock);
      Instant now = clock.instant();
      ledger.registerRun(ledger.runId(), "benchmark", now, now.plus(Duration.ofMinutes(10)));
      LedgerRecorder recorder =
          new LedgerRecorder(
              ledger,
              new LedgerRecorder.Schedules(
                  config.followInterval(),
                  config.followJitter(),
                  Duration.ofSeconds(30),
                  config.cancelRetryInitialBackoff(),
                  config.cancelRetryMaxBackoff(),
                  () -> 0.5));
      for (int i = 0; i < WARM_UP; i++) {
        connect(recorder, clock);
      }
      for (int window = 0; window < windows; window++) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long process = processCpu();
        long wall = System.nanoTime();
        for (int i = 0; i < CONNECTS; i++) {
          connect(recorder, clock);
        }
        print(
            windows == 1 ? name : name + ", connects " + (window * CONNECTS) + "+",
            "connect",
            figures(
                CONNECTS,
                THREADS.getCurrentThreadCpuTime() - cpu,
                processCpu() - process,
                System.nanoTime() - wall));
      }
    }
  }

  private static void connect(LedgerRecorder recorder, Clock clock) {
    String id = UUID.randomUUID().toString();
    String upstream = "bench-" + id;
    recorder.record(
        new ConnectEvent.Accepted(
            id,
            clock.instant(),
            "req-" + id,
            "anonymous",
            "127.0.0.1",
            "cat-character",
            "runway-preset",
            ResponseMode.CREDENTIALS,
            Optional.of(Duration.ofSeconds(300))));
    recorder.record(new ConnectEvent.Created(id, clock.instant(), upstream));
    recorder.record(new ConnectEvent.Ready(id, clock.instant(), upstream, Duration.ofSeconds(1)));
    recorder.record(new ConnectEvent.Consumed(id, clock.instant(), upstream, 4));
    recorder.record(
        new ConnectEvent.Ended(
            id,
            clock.instant(),
            "req-" + id,
            Optional.of("anonymous"),
            Optional.of("cat-character"),
            Optional.of("runway-preset"),
            Optional.of(upstream),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Duration.ofSeconds(1)),
            Duration.ofSeconds(1),
            4,
            false));
  }

  /**
   * Each candidate on a fresh file, in several rounds, the best round reported: the first
   * candidates would otherwise pay for the JIT's warm-up and the later ones not.
   */
  private static void options(Path temp) {
    String[] candidates = {
      "",
      ";QUERY_CACHE_SIZE=64",
      ";ANALYZE_AUTO=0",
      ";AUTO_COMPACT_FILL_RATE=0",
      ";RETENTION_TIME=0",
      ";CACHE_SIZE=65536",
    };
    double[][] best = new double[candidates.length][];
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < candidates.length; i++) {
        Path file = temp.resolve("options-" + round + "-" + i).resolve("ledger");
        double[] figures = commits(h2(file + DEFAULT_OPTIONS + candidates[i]));
        if (best[i] == null || figures[0] < best[i][0]) {
          best[i] = figures;
        }
      }
    }
    for (int i = 0; i < candidates.length; i++) {
      print(
          "H2 file, " + (candidates[i].isEmpty() ? "default URL" : "+ " + candidates[i]),
          "commit",
          best[i]);
    }
  }

  /** Commits of one small update each: what one write-ahead step costs with these options. */
  private static double[] commits(LedgerConfig config) {
    try (LedgerDatabase database = LedgerDatabase.open(config)) {
      Clock clock = Clock.systemUTC();
      JdbcSessionLedger ledger =
          new JdbcSessionLedger(database, UUID.randomUUID().toString(), clock);
      Instant now = clock.instant();
      ledger.registerRun(ledger.runId(), "benchmark", now, now.plus(Duration.ofMinutes(10)));
      for (int i = 0; i < WARM_UP; i++) {
        ledger.heartbeat(ledger.runId(), clock.instant(), clock.instant().plusSeconds(30));
      }
      long cpu = THREADS.getCurrentThreadCpuTime();
      long process = processCpu();
      long wall = System.nanoTime();
      for (int i = 0; i < COMMITS; i++) {
        ledger.heartbeat(ledger.runId(), clock.instant(), clock.instant().plusSeconds(30));
      }
      return figures(
          COMMITS,
          THREADS.getCurrentThreadCpuTime() - cpu,
          processCpu() - process,
          System.nanoTime() - wall);
    }
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Microseconds per unit: this thread's CPU, the whole process's CPU, wall time. */
  private static double[] figures(int count, long threadCpu, long processCpu, long wall) {
    return new double[] {
      threadCpu / 1_000.0 / count, processCpu / 1_000.0 / count, wall / 1_000.0 / count
    };
  }

  private static void print(String name, String unit, double[] figures) {
    System.out.printf(
        Locale.ROOT,
        "%-55s %7.1f µs CPU per %s (this thread), %7.1f µs (whole process), %7.1f µs wall%n",
        name,
        figures[0],
        unit,
        figures[1],
        figures[2]);
  }
}
