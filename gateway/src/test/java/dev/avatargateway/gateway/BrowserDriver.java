package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * A headless Chromium driven by {@code gateway/web/browser-tests/driver.mjs} (Playwright's {@code
 * playwright-core}) over JSON lines: {@link #command} sends one command and answers its result;
 * what the page does (its HTTP requests and responses, the WebSockets it opens, console lines) is
 * collected as it comes and read with {@link #events} and {@link #awaitEvent}.
 *
 * <p>The prerequisites (Node, {@code /usr/bin/chromium}, {@code gateway/web/node_modules} and the
 * built pages) are checked first: when one is missing the test is skipped with a message saying how
 * to install it, except in CI ({@code CI=true}), where it fails.
 */
final class BrowserDriver implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The web package, relative to the gateway module (Surefire's working directory). */
  static final Path WEB = Path.of("web").toAbsolutePath();

  /** Where every test's screenshots go (the test output; never committed). */
  static final Path SCREENSHOTS = Path.of("target", "browser-screenshots").toAbsolutePath();

  /** Debian's chromium, the browser the tests are written for; {@code CHROMIUM} names another. */
  private static final String CHROMIUM =
      Optional.ofNullable(System.getenv("CHROMIUM")).orElse("/usr/bin/chromium");

  /**
   * How long one command may take. Chromium's start on the shared 2-core machine takes a few
   * seconds; a command that waits for the page has its own, shorter time-out inside the driver.
   */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /** How long the driver may take to close Chromium and exit before it is killed. */
  private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Writer stdin;
  private final List<JsonNode> lines = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Thread reader;

  private final Path transcript;

  private BrowserDriver(Process process, Path transcript) {
    this.process = process;
    this.transcript = transcript;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = Thread.ofPlatform().daemon().name("browser-driver-stdout").start(this::read);
  }

  /**
   * Starts Chromium for a gateway at {@code gateway}; screenshots go to {@code
   * target/browser-screenshots/<name>/}.
   */
  static BrowserDriver start(URI gateway, String name) {
    return start(gateway, name, true);
  }

  /**
   * As {@link #start(URI, String)}; with {@code holdWebSockets} false the page's WebSockets go out
   * for real (to show what a user sees when the media server cannot be reached).
   */
  static BrowserDriver start(URI gateway, String name, boolean holdWebSockets) {
    checkPrerequisites();
    Path screenshots = SCREENSHOTS.resolve(name);
    Path log = SCREENSHOTS.resolve(name + ".driver.log");
    try {
      Files.createDirectories(screenshots);
      ProcessBuilder builder =
          new ProcessBuilder("node", "browser-tests/driver.mjs")
              .directory(WEB.toFile())
              .redirectError(log.toFile());
      builder.environment().put("GATEWAY_URL", gateway.toString());
      builder.environment().put("SCREENSHOT_DIR", screenshots.toString());
      builder.environment().put("CHROMIUM", CHROMIUM);
      builder.environment().put("HOLD_WEBSOCKETS", Boolean.toString(holdWebSockets));
      BrowserDriver driver =
          new BrowserDriver(builder.start(), SCREENSHOTS.resolve(name + ".lines.jsonl"));
      driver.awaitEvent("ready", e -> true);
      return driver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Skips (or, in CI, fails) the test when something it needs is not installed. */
  static void checkPrerequisites() {
    List<String> missing = new ArrayList<>();
    if (!nodeRuns()) {
      missing.add("Node.js 20+ (node on the PATH)");
    }
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      missing.add(CHROMIUM + " (Debian: apt-get install chromium)");
    }
    if (!Files.isDirectory(WEB.resolve("node_modules/playwright-core"))) {
      missing.add(
          "gateway/web/node_modules/playwright-core (the build installs it: mvn -B -pl gateway -am"
              + " package -DskipTests runs npm ci)");
    }
    if (!Files.isRegularFile(Path.of("target/classes/demo/index.html"))) {
      missing.add(
          "the built demo pages in gateway/target/classes/demo (the same build makes them)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String message = "Browser tests need: " + String.join("; ", missing);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(message);
    }
    Assumptions.abort(message);
  }

  private static boolean nodeRuns() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      node.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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

  /**
   * Sends one command ({@code do} and its fields as name, value pairs) and answers its result;
   * fails the test when the driver reports an error.
   */
  JsonNode command(String name, Object... fields) {
    int id = ids.incrementAndGet();
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("id", id);
    command.put("do", name);
    for (int i = 0; i < fields.length; i += 2) {
      command.put((String) fields[i], fields[i + 1]);
    }
    try {
      stdin.write(JSON.writeValueAsString(command) + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the browser driver has gone; see its log", e);
    }
    JsonNode result =
        awaitEvent("result", r -> r.path("id").asInt() == id, COMMAND_TIMEOUT, name + " " + id);
    if (result.has("error")) {
      throw new AssertionError(
          "browser command " + command + " failed: " + result.path("error").asString());
    }
    return result;
  }

  /** Opens a page of the gateway (a path such as {@code /demo/}) in the one tab. */
  JsonNode open(String path) {
    return command("open", "path", path);
  }

  void click(String testId) {
    command("click", "testid", testId);
  }

  void waitFor(String testId) {
    command("waitFor", "testid", testId);
  }

  String text(String testId) {
    return command("text", "testid", testId).path("text").asString();
  }

  String attribute(String testId, String name) {
    return command("attribute", "testid", testId, "name", name).path("value").asString(null);
  }

  void screenshot(String name) {
    command("screenshot", "name", name);
  }

  /**
   * Has the driver run these commands (each a map with {@code do} and its fields) the moment the
   * page's next WebSocket opens: LiveKit gives up on a signal connection that stays silent for 5 s,
   * too short for a round trip through the test on a busy machine. Their results come as {@code
   * armed} lines; {@link #awaitArmed} waits for them.
   */
  void arm(List<Map<String, Object>> actions) {
    command("arm", "actions", actions);
  }

  /** Waits until the armed commands ran, and fails the test when one of them failed. */
  void awaitArmed(int count) {
    await("armed commands")
        .atMost(COMMAND_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the browser driver exited; see " + SCREENSHOTS, () -> !process.isAlive())
        .until(() -> events("armed").size() >= count);
    for (JsonNode result : events("armed")) {
      if (result.has("error")) {
        throw new AssertionError(
            "armed command " + result.path("do").asString() + " failed: " + result.path("error"));
      }
    }
  }

  /** Every line reported so far of this type. */
  List<JsonNode> events(String type) {
    synchronized (lines) {
      return lines.stream().filter(l -> type.equals(l.path("type").asString())).toList();
    }
  }

  /** The first line of this type that matches, once it is reported. */
  JsonNode awaitEvent(String type, Predicate<JsonNode> matches) {
    return awaitEvent(type, matches, COMMAND_TIMEOUT, type);
  }

  private JsonNode awaitEvent(
      String type, Predicate<JsonNode> matches, Duration timeout, String what) {
    return await(what)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the browser driver exited; see " + SCREENSHOTS, () -> !process.isAlive())
        .until(() -> events(type).stream().filter(matches).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /** The page's requests to a path of the gateway (or any URL) ending in {@code suffix}. */
  List<JsonNode> requests(String method, String pathSuffix) {
    return events("request").stream()
        .filter(r -> method.equals(r.path("method").asString()))
        .filter(r -> URI.create(r.path("url").asString()).getPath().endsWith(pathSuffix))
        .toList();
  }

  /**
   * The page's first response to {@code method} on a path ending in {@code suffix}, once it came.
   */
  JsonNode awaitResponse(String method, String pathSuffix) {
    return awaitEvent(
        "response",
        r ->
            method.equals(r.path("method").asString())
                && URI.create(r.path("url").asString()).getPath().endsWith(pathSuffix)
                && (r.has("body") || r.has("bodyError") || !isJson(r)));
  }

  private static boolean isJson(JsonNode response) {
    String type = response.path("headers").path("content-type").asString("");
    return type.startsWith("application/json") || type.startsWith("text/event-stream");
  }

  /** The first WebSocket the page opened, once it did. */
  URI awaitWebSocket() {
    return URI.create(awaitEvent("websocket", w -> true).path("url").asString());
  }

  /** What the page printed on its console and the errors it threw, for failure messages. */
  String console() {
    StringBuilder out = new StringBuilder();
    for (JsonNode line : events("console")) {
      out.append(line.path("level").asString()).append(": ").append(line.path("text").asString());
      out.append('\n');
    }
    for (JsonNode line : events("pageerror")) {
      out.append("pageerror: ").append(line.path("message").asString()).append('\n');
    }
    return out.toString();
  }

  /** A query parameter of a URL (first value, decoded), or null. */
  static String queryParameter(URI url, String name) {
    String query = url.getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return java.net.URLDecoder.decode(
            eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The events of an SSE body, as (event, data parsed as JSON) pairs, in order. */
  static List<Map.Entry<String, JsonNode>> sseEvents(String body) {
    List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
    String event = "message";
    StringBuilder data = new StringBuilder();
    for (String line : body.split("\r\n|\r|\n", -1)) {
      if (line.isEmpty()) {
        if (!data.isEmpty()) {
          events.add(Map.entry(event, JSON.readTree(data.toString())));
        }
        event = "message";
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring("event:".length()).strip();
      } else if (line.startsWith("data:")) {
        if (!data.isEmpty()) {
          data.append('\n');
        }
        data.append(line.substring("data:".length()).strip());
      }
    }
    return events;
  }

  /** Asserts that the driver is still running (it exits only on quit or a crash). */
  void assertAlive() {
    assertThat(process.isAlive()).as("the browser driver runs").isTrue();
  }

  /** Kills the driver and the Chromium processes it started (they would outlive it). */
  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stdin.write("{\"id\":0,\"do\":\"quit\"}\n");
        stdin.flush();
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
    try {
      reader.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Everything the page did, for whoever reads a failure (test output only; it holds tokens).
    List<String> all;
    synchronized (lines) {
      all = lines.stream().map(JsonNode::toString).toList();
    }
    try {
      Files.write(transcript, all, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The console lines in which Chromium reported a Content-Security-Policy violation. */
  List<String> cspViolations() {
    return events("console").stream()
        .map(line -> line.path("text").asString())
        .filter(text -> text.contains("Content Security Policy"))
        .toList();
  }
}
