package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.ReadinessConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Prints the model's CPU per session at a high connect rate: not a test (it asserts nothing and
 * times nothing a test depends on), a figure to compare before and after a change.
 *
 * <p>Each session goes through the model as the poller takes it: a first {@code nextReadAfter},
 * then per read a {@code chanceReadyBetween} (the poller's rank when the budget binds) and the next
 * {@code nextReadAfter} from {@value #HALF_ROUND_TRIP_MILLIS} ms after the read (where the poller
 * places a sighting), until a read comes at or after the session's READY instant (log-normal,
 * median 1.5 s, σ 0.25), then {@code recordReady}. Sessions arrive {@value #ARRIVAL_MICROS} µs
 * apart on the model's clock (1,000 connects a second), all of one avatar, so that every session
 * yields a sample, as at a high connect rate. Fits run on the calling thread, so the figure (its
 * CPU time, from ThreadMXBean) includes them; their share is printed apart.
 *
 * <p>Run from {@code /work/main} (or a clone's root), after {@code mvn -B -q -pl gateway-core -am
 * install -DskipTests}:
 *
 * <pre>{@code
 * mvn -B -q -pl gateway-core test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.avatargateway.gateway.core.internal.readiness.ReadinessCpuBenchmark
 * }</pre>
 *
 * Arguments: sessions measured (default {@value #DEFAULT_SESSIONS}).
 */
public final class ReadinessCpuBenchmark {
  /** Sessions before the measurement, so that the JIT has compiled the model's hot paths. */
  private static final int WARM_UP = 50_000;

  private static final int DEFAULT_SESSIONS = 100_000;

  /** The model's clock moves this much per session: 1,000 connects a second. */
  private static final long ARRIVAL_MICROS = 1_000;

  /**
   * A read sees the session this long after it is sent: half of a 10 ms round trip, the poller's
   * estimate of when Runway looked, so that the next read is asked from just off the plan's point.
   */
  private static final long HALF_ROUND_TRIP_MILLIS = 5;

  private static final Duration HALF_ROUND_TRIP = Duration.ofMillis(HALF_ROUND_TRIP_MILLIS);

  /** Far past every READY drawn here. */
  private static final int MAX_READS = 10_000;

  private static final String AVATAR = "cat-character";

  private ReadinessCpuBenchmark() {}

  public static void main(String[] args) {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_SESSIONS;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    AtomicLong nanos = new AtomicLong();
    AtomicLong fitNanos = new AtomicLong();
    AtomicLong fits = new AtomicLong();
    // Fits on the calling thread, timed apart: a fit thread of its own would coalesce fits that
    // queue up while this loop runs sessions back to back, which a gateway spending milliseconds
    // per connect does not do.
    Executor refits =
        fit -> {
          long before = threads.getCurrentThreadCpuTime();
          fit.run();
          fitNanos.addAndGet(threads.getCurrentThreadCpuTime() - before);
          fits.incrementAndGet();
        };
    ReadinessModel model =
        new ReadinessModel(
            ReadinessConfig.defaults(), refits, new Random(1)::nextDouble, nanos::get);
    Random random = new Random(2);
    DoubleSupplier readyAfter = () -> 1.5 * Math.exp(0.25 * random.nextGaussian());

    run(model, readyAfter, WARM_UP, nanos);
    fitNanos.set(0);
    fits.set(0);
    long before = threads.getCurrentThreadCpuTime();
    long reads = run(model, readyAfter, sessions, nanos);
    long total = threads.getCurrentThreadCpuTime() - before;

    System.out.printf(
        "%,d sessions, %.2f reads each: %.2f µs of CPU per session, of which %.2f µs in %,d fits"
            + " (%.2f ms a fit)%n",
        sessions,
        (double) reads / sessions,
        total / 1e3 / sessions,
        fitNanos.get() / 1e3 / sessions,
        fits.get(),
        fits.get() == 0 ? 0 : fitNanos.get() / 1e6 / fits.get());
    System.out.println(model.summary(AVATAR).orElseThrow());
  }

  /** Runs sessions through the model; returns the reads they took. */
  private static long run(
      ReadinessModel model, DoubleSupplier readyAfter, int sessions, AtomicLong nanos) {
    long reads = 0;
    for (int s = 0; s < sessions; s++) {
      nanos.addAndGet(TimeUnit.MICROSECONDS.toNanos(ARRIVAL_MICROS));
      double ready = readyAfter.getAsDouble();
      Duration notReadyAt = Duration.ZERO;
      Duration readAt;
      int n = 0;
      while (true) {
        readAt = model.nextReadAfter(AVATAR, notReadyAt, n);
        model.chanceReadyBetween(AVATAR, notReadyAt, readAt);
        n++;
        if (readAt.toNanos() / 1e9 >= ready || n >= MAX_READS) {
          break;
        }
        notReadyAt = readAt.plus(HALF_ROUND_TRIP);
      }
      model.recordReady(AVATAR, n == 1 ? Duration.ZERO : notReadyAt, readAt);
      reads += n;
    }
    return reads;
  }
}
