package dev.avatargateway.example;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A headless Chromium driven by the gateway's own driver, {@code
 * gateway/web/browser-tests/driver.mjs} (Playwright's {@code playwright-core}, installed in {@code
 * gateway/web/node_modules} by the gateway module's build), over its JSON lines: one command per
 * line on its input, one result per line on its output (see the script for the protocol). Only the
 * commands this module's test needs; elements are found by {@code data-testid}.
 *
 * <p>When Node, Chromium or the driver's packages are missing the test is skipped with a message
 * saying how to install them, except in CI ({@code CI=true}), where it fails.
 */
final class Chromium implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The gateway's web package, from this module's folder (Surefire's working directory). */
  private static final Path WEB =
      Path.of("..", "..", "gateway", "web").toAbsolutePath().normalize();

  /** Where the screenshots go (the test output; never committed). */
  private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots").toAbsolutePath();

  /** Debian's chromium, the browser the driver is written for; {@code CHROMIUM} names another. */
  private static final String CHROMIUM =
      Optional.ofNullable(System.getenv("CHROMIUM")).orElse("/usr/bin/chromium");

  /**
   * How long one command may take: Chromium's start on a shared 2-core machine takes a few seconds,
   * and a command that waits for the page has its own, shorter time-out in the driver.
   */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /** How long the driver may take to close Chromium and exit before it is killed. */
  private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Writer input;
  private final List<JsonNode> lines = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Path transcript;

  private Chromium(Process process, Path transcript) {
    this.process = process;
    this.transcript = transcript;
    this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofPlatform().daemon().name("chromium-driver-output").start(this::read);
  }

  /** Starts Chromium on the application at {@code base}; screenshots go under {@code name}. */
  static Chromium start(URI base, String name) throws IOException {
    checkPrerequisites();
    Path screenshots = SCREENSHOTS.resolve(name);
    Files.createDirectories(screenshots);
    ProcessBuilder builder =
        new ProcessBuilder("node", "browser-tests/driver.mjs")
            .directory(WEB.toFile())
            .redirectError(SCREENSHOTS.resolve(name + ".driver.log").toFile());
    builder.environment().put("GATEWAY_URL", base.toString());
    builder.environment().put("SCREENSHOT_DIR", screenshots.toString());
    builder.environment().put("CHROMIUM", CHROMIUM);
    Chromium chromium = new Chromium(builder.start(), SCREENSHOTS.resolve(name + ".lines.jsonl"));
    chromium.awaitLine("ready", line -> true);
    return chromium;
  }

  private static void checkPrerequisites() {
    List<String> missing = new ArrayList<>();
    if (!nodeRuns()) {
      missing.add("Node.js 20+ (node on the PATH)");
    }
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      missing.add(CHROMIUM + " (Debian: apt-get install chromium)");
    }
    if (!Files.isDirectory(WEB.resolve("node_modules/playwright-core"))) {
      missing.add(
          "gateway/web/node_modules/playwright-core (the gateway module's build runs npm ci: mvn -B"
              + " -pl examples/spring-boot -am verify builds it first)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String message = "The browser test needs: " + String.join("; ", missing);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(message);
    }
    Assumptions.abort(message);
  }

  private static boolean nodeRuns() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      node.getInputStream().transferTo(OutputStream.nullOutputStream());
      return node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Opens a page of the application (a path such as {@code /}). */
  void open(String path) {
    command("open", "path", path);
  }

  void fill(String testId, String value) {
    command("fill", "testid", testId, "value", value);
  }

  void click(String testId) {
    command("click", "testid", testId);
  }

  void waitFor(String testId) {
    command("waitFor", "testid", testId);
  }

  void waitForEnabled(String testId) {
    command("waitForEnabled", "testid", testId);
  }

  String text(String testId) {
    return command("text", "testid", testId).path("text").asString();
  }

  void screenshot(String name) {
    command("screenshot", "name", name);
  }

  /** What the page printed on its console and the errors it threw, for failure messages. */
  String console() {
    StringBuilder out = new StringBuilder();
    for (JsonNode line : lines("console")) {
      out.append(line.path("level").asString()).append(": ").append(line.path("text").asString());
      out.append('\n');
    }
    for (JsonNode line : lines("pageerror")) {
      out.append("pageerror: ").append(line.path("message").asString()).append('\n');
    }
    return out.toString();
  }

  private JsonNode command(String name, Object... fields) {
    int id = ids.incrementAndGet();
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("id", id);
    command.put("do", name);
    for (int i = 0; i < fields.length; i += 2) {
      command.put((String) fields[i], fields[i + 1]);
    }
    try {
      input.write(JSON.writeValueAsString(command) + "\n");
      input.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the browser driver has gone; see its log", e);
    }
    JsonNode result = awaitLine("result", line -> line.path("id").asInt() == id);
    if (result.has("error")) {
      throw new AssertionError(
          "browser command "
              + command
              + " failed: "
              + result.path("error").asString()
              + "\n"
              + console());
    }
    return result;
  }

  private List<JsonNode> lines(String type) {
    synchronized (lines) {
      return lines.stream().filter(l -> type.equals(l.path("type").asString())).toList();
    }
  }

  private JsonNode awaitLine(String type, Predicate<JsonNode> matches) {
    return await(type)
        .atMost(COMMAND_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the browser driver exited; see " + SCREENSHOTS, () -> !process.isAlive())
        .until(() -> lines(type).stream().filter(matches).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  private void read() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (RuntimeException notJson) {
          node = JSON.createObjectNode().put("type", "stdout").put("text", line);
        }
        synchronized (lines) {
          lines.add(node);
        }
      }
    } catch (IOException e) {
      // The driver exited; what it printed before is kept.
    }
  }

  /** Kills the driver and the Chromium processes it started (they would outlive it). */
  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      try {
        input.write("{\"id\":0,\"do\":\"quit\"}\n");
        input.flush();
      } catch (IOException alreadyGone) {
        // It exited by itself; nothing to ask.
      }
      try {
        if (!process.waitFor(QUIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
    // Everything the page did, for whoever reads a failure (test output only; it holds tokens).
    List<String> all;
    synchronized (lines) {
      all = lines.stream().map(JsonNode::toString).toList();
    }
    Files.write(transcript, all, StandardCharsets.UTF_8);
  }
}
