package dev.avatargateway.browsertest;

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
 * A headless Chromium for a JUnit test, driven by the gateway's {@code
 * gateway/web/browser-tests/driver.mjs} (Playwright's {@code playwright-core}, installed in {@code
 * gateway/web/node_modules} by the gateway module's build) over JSON lines: {@link #command} sends
 * one command and answers its result; what the page does (its HTTP requests and responses, the
 * WebSockets it opens, console lines) is collected as it comes and read with {@link #events} and
 * {@link #awaitEvent}. Elements are found by {@code data-testid}. The protocol is described at the
 * top of the script.
 *
 * <p>The prerequisites (Node, {@code /usr/bin/chromium}, {@code playwright-core} in the web
 * package, and whatever the caller adds with {@link Options#requiring}) are checked first: when one
 * is missing the test is skipped with a message saying how to install it, except in CI ({@code
 * CI=true}), where it fails.
 *
 * <p>Screenshots, the driver's log and a transcript of every line it reported (which holds tokens:
 * test output only) go to {@code target/browser-screenshots/} of the calling module.
 */
public final class BrowserDriver implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Where every test's screenshots go: the test output of the module (Surefire's directory). */
  public static final Path SCREENSHOTS = Path.of("target", "browser-screenshots").toAbsolutePath();

  /** Debian's chromium, the browser the driver is written for; {@code CHROMIUM} names another. */
  private static final String CHROMIUM =
      Optional.ofNullable(System.getenv("CHROMIUM")).orElse("/usr/bin/chromium");

  /** The driver script, relative to the web package. */
  private static final String SCRIPT = "browser-tests/driver.mjs";

  /**
   * How long one command may take. Chromium's start on a shared 2-core machine takes a few seconds;
   * a command that waits for the page has its own, shorter time-out inside the driver.
   */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /** How long the driver may take to close Chromium and exit before it is killed. */
  private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(15);

  /** How long {@code node --version} may take before Node counts as missing. */
  private static final Duration NODE_CHECK_TIMEOUT = Duration.ofSeconds(30);

  /** How long the output reader may take to read the last lines after the driver exited. */
  private static final Duration READER_DRAIN = Duration.ofSeconds(5);

  /** How often the awaits look at the lines: often enough not to slow a test down. */
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * How a driver starts, beyond its page's address.
   *
   * @param holdWebSockets true (the default): every WebSocket the page opens is caught and held
   *     open, since no media server exists in a test; false: they go out for real (to show what a
   *     user sees when the media server cannot be reached)
   * @param required more files the test needs (such as built pages), each with what to say when it
   *     is missing
   */
  public record Options(boolean holdWebSockets, List<Requirement> required) {
    /** WebSockets held, nothing more required. */
    public static final Options DEFAULTS = new Options(true, List.of());

    public Options {
      required = List.copyOf(required);
    }

    /** These options with the page's WebSockets going out for real. */
    public Options withRealWebSockets() {
      return new Options(false, required);
    }

    /** These options, also requiring {@code file} (described as {@code what} when missing). */
    public Options requiring(Path file, String what) {
      List<Requirement> all = new ArrayList<>(required);
      all.add(new Requirement(file, what));
      return new Options(holdWebSockets, all);
    }
  }

  /** A file a test needs, and what the skip (or failure) message says when it is missing. */
  public record Requirement(Path file, String what) {}

  private final Process process;
  private final Writer stdin;
  private final List<JsonNode> lines = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Thread reader;
  private final Path log;
  private final Path transcript;

  private BrowserDriver(Process process, Path log, Path transcript) {
    this.process = process;
    this.log = log;
    this.transcript = transcript;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = Thread.ofPlatform().daemon().name("browser-driver-stdout").start(this::read);
  }

  /** As {@link #start(URI, String, Path, Options)} with {@link Options#DEFAULTS}. */
  public static BrowserDriver start(URI base, String name, Path webDir) {
    return start(base, name, webDir, Options.DEFAULTS);
  }

  /**
   * Checks the prerequisites, then starts Chromium for the server at {@code base} (the page paths
   * given to {@link #open} are relative to it) and waits until it is ready.
   *
   * @param name the test's name: screenshots go to {@code target/browser-screenshots/<name>/}
   * @param webDir the gateway's web package ({@code gateway/web}), which holds the driver script
   *     and its {@code node_modules}
   */
  public static BrowserDriver start(URI base, String name, Path webDir, Options options) {
    checkPrerequisites(webDir, options);
    Path screenshots = SCREENSHOTS.resolve(name);
    Path log = SCREENSHOTS.resolve(name + ".driver.log");
    try {
      Files.createDirectories(screenshots);
      ProcessBuilder builder =
          new ProcessBuilder("node", SCRIPT)
              .directory(webDir.toAbsolutePath().toFile())
              .redirectError(log.toFile());
      builder.environment().put("GATEWAY_URL", base.toString());
      builder.environment().put("SCREENSHOT_DIR", screenshots.toString());
      builder.environment().put("CHROMIUM", CHROMIUM);
      builder.environment().put("HOLD_WEBSOCKETS", Boolean.toString(options.holdWebSockets()));
      BrowserDriver driver =
          new BrowserDriver(builder.start(), log, SCREENSHOTS.resolve(name + ".lines.jsonl"));
      driver.awaitEvent("ready", e -> true);
      return driver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Skips (or, with {@code CI=true}, fails) the calling test when something it needs is not
   * installed; a test calls it before starting its server to skip early.
   */
  public static void checkPrerequisites(Path webDir, Options options) {
    List<String> missing = new ArrayList<>();
    if (!nodeRuns()) {
      missing.add("Node.js 20+ (node on the PATH)");
    }
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      missing.add(CHROMIUM + " (Debian: apt-get install chromium)");
    }
    if (!Files.isRegularFile(webDir.resolve(SCRIPT))) {
      missing.add("the browser driver " + webDir.toAbsolutePath().normalize().resolve(SCRIPT));
    }
    if (!Files.isDirectory(webDir.resolve("node_modules/playwright-core"))) {
      missing.add(
          "gateway/web/node_modules/playwright-core (the gateway module's build installs it with npm"
              + " ci: mvn -B -pl gateway -am package -DskipTests)");
    }
    for (Requirement requirement : options.required()) {
      if (!Files.exists(requirement.file())) {
        missing.add(requirement.what());
      }
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
      node.getInputStream().transferTo(OutputStream.nullOutputStream());
      return node.waitFor(NODE_CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          && node.exitValue() == 0;
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
   * Sends one command ({@code do}, and its fields as name, value pairs) and answers its result;
   * fails the test, with the page's console, when the driver reports an error.
   */
  public JsonNode command(String name, Object... fields) {
    if (fields.length % 2 != 0) {
      throw new IllegalArgumentException("fields come as name, value pairs: " + fields.length);
    }
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
      throw new UncheckedIOException("the browser driver has gone; see " + log, e);
    }
    JsonNode result =
        awaitEvent("result", r -> r.path("id").asInt() == id, COMMAND_TIMEOUT, name + " " + id);
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

  /** Opens a page (a path such as {@code /demo/}) in the one tab; answers its status and URL. */
  public JsonNode open(String path) {
    return command("open", "path", path);
  }

  public void click(String testId) {
    command("click", "testid", testId);
  }

  /** Fills a text field in. */
  public void fill(String testId, String value) {
    command("fill", "testid", testId, "value", value);
  }

  /** Picks the option with this value in a {@code select}. */
  public void select(String testId, String value) {
    command("select", "testid", testId, "value", value);
  }

  /** Waits until the element is visible (up to the driver's 20 s). */
  public void waitFor(String testId) {
    command("waitFor", "testid", testId);
  }

  /** Waits until the element exists and is not disabled (up to the driver's 20 s). */
  public void waitForEnabled(String testId) {
    command("waitForEnabled", "testid", testId);
  }

  public String text(String testId) {
    return command("text", "testid", testId).path("text").asString();
  }

  /** The attribute's value, or null when the element has none. */
  public String attribute(String testId, String name) {
    return command("attribute", "testid", testId, "name", name).path("value").asString(null);
  }

  /** Saves a screenshot of the whole page as {@code <name>.png} in the test's folder. */
  public void screenshot(String name) {
    command("screenshot", "name", name);
  }

  /**
   * Has the driver run these commands (each a map with {@code do} and its fields) the moment the
   * page's next WebSocket opens: LiveKit gives up on a signal connection that stays silent for 5 s,
   * too short for a round trip through the test on a busy machine. Their results come as {@code
   * armed} lines; {@link #awaitArmed} waits for them.
   */
  public void arm(List<Map<String, Object>> actions) {
    command("arm", "actions", actions);
  }

  /** Waits until {@code count} armed commands ran, and fails the test when one of them failed. */
  public void awaitArmed(int count) {
    await("armed commands")
        .atMost(COMMAND_TIMEOUT)
        .pollInterval(POLL)
        .failFast("the browser driver exited; see " + log, () -> !process.isAlive())
        .until(() -> events("armed").size() >= count);
    for (JsonNode result : events("armed")) {
      if (result.has("error")) {
        throw new AssertionError(
            "armed command " + result.path("do").asString() + " failed: " + result.path("error"));
      }
    }
  }

  /** Every line reported so far of this type ({@code request}, {@code console}...). */
  public List<JsonNode> events(String type) {
    synchronized (lines) {
      return lines.stream().filter(l -> type.equals(l.path("type").asString())).toList();
    }
  }

  /** The first line of this type that matches, once it is reported (within 90 s). */
  public JsonNode awaitEvent(String type, Predicate<JsonNode> matches) {
    return awaitEvent(type, matches, COMMAND_TIMEOUT, type);
  }

  private JsonNode awaitEvent(
      String type, Predicate<JsonNode> matches, Duration timeout, String what) {
    return await(what)
        .atMost(timeout)
        .pollInterval(POLL)
        .failFast("the browser driver exited; see " + log, () -> !process.isAlive())
        .until(() -> events(type).stream().filter(matches).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /** The page's requests with this method to a URL whose path ends in {@code pathSuffix}. */
  public List<JsonNode> requests(String method, String pathSuffix) {
    return events("request").stream()
        .filter(r -> method.equals(r.path("method").asString()))
        .filter(r -> URI.create(r.path("url").asString()).getPath().endsWith(pathSuffix))
        .toList();
  }

  /**
   * The page's first response to {@code method} on a path ending in {@code pathSuffix}, once it
   * came (with its body, for JSON and event streams).
   */
  public JsonNode awaitResponse(String method, String pathSuffix) {
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

  /** The URL of the first WebSocket the page opened, once it did. */
  public URI awaitWebSocket() {
    return URI.create(awaitEvent("websocket", w -> true).path("url").asString());
  }

  /** What the page printed on its console and the errors it threw, for failure messages. */
  public String console() {
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

  /** The console lines in which Chromium reported a Content-Security-Policy violation. */
  public List<String> cspViolations() {
    return events("console").stream()
        .map(line -> line.path("text").asString())
        .filter(text -> text.contains("Content Security Policy"))
        .toList();
  }

  /** Kills the driver and the Chromium processes it started (they would outlive it). */
  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /**
   * Asks the driver to close Chromium and exit (killing both after 15 s), then writes the
   * transcript of every line it reported.
   */
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
      reader.join(READER_DRAIN);
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
}
