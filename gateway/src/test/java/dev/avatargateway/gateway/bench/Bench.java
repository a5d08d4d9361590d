package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmarks share: settings from system properties, printing, percentiles. */
final class Bench {
  static final double NANOS_PER_MILLI = 1_000_000.0;
  static final double NANOS_PER_SECOND = 1e9;
  static final double BYTES_PER_MIB = 1024.0 * 1024.0;

  /**
   * The configuration every gateway of the benchmarks runs with unless {@code bench.gatewayConfig}
   * names another file: no authentication (an explicit opt-in against a real upstream), and the
   * rate limits off, because every connect comes from one address and one anonymous principal.
   * Everything else is the production default (poll schedule, time-outs, accept queue of 4,096, and
   * whatever bounds and admission control the gateway has by default).
   */
  static final String GATEWAY_YAML =
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
   * The read budget of the burst and CPU benchmarks (status reads a second for all waiting
   * sessions; every connect takes at least one, so it also caps connects a second). The default of
   * 50 a second is sized for an organisation's realtime concurrency, 1 to 20 sessions by usage tier
   * (runway-api-additions.md, "Price and limits"); thousands of sessions waiting at once are only
   * possible with limits negotiated to match, and a gateway serving them configures its budget to
   * match. 2,000 a second reads 10,000 sessions that become READY within a few seconds of each
   * other in about 5 s, well inside a connect's 30 s deadline.
   */
  static final int BURST_READS_PER_SECOND = 2_000;

  /**
   * {@link #GATEWAY_YAML} with {@link #BURST_READS_PER_SECOND}: the configuration of the burst
   * benchmarks unless {@code bench.gatewayConfig} names a file.
   */
  static final String BURST_GATEWAY_YAML =
      GATEWAY_YAML
          + """
          readiness:
            readsPerSecond: %d
          """
              .formatted(BURST_READS_PER_SECOND);

  private Bench() {}

  /** What a benchmark's helper process prints once it serves: {@code listening on http://...}. */
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  /** A free TCP port on the loopback address, for a process the benchmark starts. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Waits until {@code process} prints {@code listening on <url>} into {@code output}, and returns
   * that URL; kills the process when it does not within {@code timeout}.
   *
   * @param what the process, for messages ("the simulator")
   */
  static URI awaitListening(Process process, Path output, String what, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return URI.create(m.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            what + " exited with code " + process.exitValue() + ":\n" + text);
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException(what + " did not start within " + timeout);
  }

  /** The shaded gateway jar ({@code bench.gatewayJar}); the build passes it. */
  static Path gatewayJar() {
    String jar = System.getProperty("bench.gatewayJar", "");
    if (jar.isBlank() || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalArgumentException(
          "bench.gatewayJar must name the shaded gateway jar (mvn package builds it), was '"
              + jar
              + "'");
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** Where the benchmark's files go ({@code bench.workDir}), one folder per benchmark. */
  static Path workDir(String benchmark) {
    return Path.of(System.getProperty("bench.workDir", "target/gateway-benchmark"))
        .toAbsolutePath()
        .resolve(benchmark);
  }

  /**
   * The gateway's YAML configuration: the file named by {@code bench.gatewayConfig}, else {@link
   * #GATEWAY_YAML}.
   */
  static String gatewayYaml() throws java.io.IOException {
    return gatewayYaml(GATEWAY_YAML);
  }

  /**
   * The burst benchmarks' YAML configuration: the file named by {@code bench.gatewayConfig}, else
   * {@link #BURST_GATEWAY_YAML}; printed, so that the output says what was configured.
   */
  static String burstGatewayYaml() throws java.io.IOException {
    String yaml = gatewayYaml(BURST_GATEWAY_YAML);
    printf("gateway configuration (YAML):%n%s%n", yaml.strip().indent(2));
    return yaml;
  }

  private static String gatewayYaml(String fallback) throws java.io.IOException {
    String file = System.getProperty("bench.gatewayConfig", "");
    return file.isBlank() ? fallback : Files.readString(Path.of(file));
  }

  /** {@code bench.gatewayJvmOptions}, space-separated, e.g. {@code -XX:+UseSerialGC}. */
  static List<String> gatewayJvmOptions() {
    return Arrays.stream(System.getProperty("bench.gatewayJvmOptions", "").split("\\s+", -1))
        .filter(option -> !option.isBlank())
        .toList();
  }

  static int intSetting(String name, int defaultValue) {
    String value = System.getProperty(name, "");
    return value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
  }

  static String stringSetting(String name, String defaultValue) {
    String value = System.getProperty(name, "");
    return value.isBlank() ? defaultValue : value.trim();
  }

  static Optional<String> optionalSetting(String name) {
    String value = System.getProperty(name, "");
    return value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  static Duration secondsSetting(String name, int defaultSeconds) {
    return Duration.ofSeconds(intSetting(name, defaultSeconds));
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** The first lines of every benchmark: what ran where. */
  static void header(String title) {
    printf(
        "%s, %s: %d cores, %s, Java %s, load average %.2f at start%n",
        title,
        LocalDate.now(ZoneOffset.UTC),
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        Runtime.version(),
        loadAverage());
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (java.io.IOException e) {
      return "unknown CPU";
    }
  }

  /** Nearest-rank percentile of {@code values} ({@code p} from 0 to 1); NaN when there are none. */
  static double percentile(long[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)];
  }

  static double mean(long[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElseThrow();
  }

  static double mean(double[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElseThrow();
  }

  /** Splits a comma-separated list, ignoring blanks. */
  static List<String> list(String commaSeparated) {
    List<String> items = new ArrayList<>();
    for (String item : commaSeparated.split(",", -1)) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  // @FormatMethod would need error_prone_annotations, which the gateway does not depend on.
  @SuppressWarnings("AnnotateFormatMethod")
  static void printf(String format, Object... args) {
    System.out.printf(Locale.ROOT, format, args);
    System.out.flush();
  }

  @SuppressWarnings("AnnotateFormatMethod")
  static String format(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
