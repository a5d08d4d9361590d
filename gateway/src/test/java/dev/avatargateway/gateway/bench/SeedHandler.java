package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed guide's Express handler (gateway/src/test/node/seed-handler, written from
 * shared/seed/server-setup-guide.md) on Node, with the official {@code @runwayml/sdk} pointed at
 * the simulator: what the gateway is compared with. Its sources are copied to the benchmark's own
 * folder under {@code target/} and its packages installed there with npm when they are missing, so
 * the source tree gets no {@code node_modules} and no lock file.
 */
final class SeedHandler implements AutoCloseable {
  /** The handler's files, as in gateway/src/test/node/seed-handler. */
  private static final List<String> FILES = List.of("package.json", "server.js", ".npmrc");

  private static final List<String> PACKAGES = List.of("@runwayml/sdk", "express");
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final URI baseUrl;
  private final Thread killOnExit;

  private SeedHandler(Process process, URI baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.killOnExit = Thread.ofPlatform().unstarted(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Where the handler can run from, or why it cannot.
   *
   * @param dir the folder with the handler and its node_modules (when available)
   * @param description Node's and the packages' versions, or why the comparison is skipped
   */
  record Prepared(boolean available, Path dir, String description) {}

  /**
   * Copies the handler into {@code workDir} and installs its packages with npm if they are missing
   * (or package.json changed). Never throws for a missing or failing Node or npm: the comparison is
   * then skipped, and the reason printed.
   */
  static Prepared prepare(Path sourceDir, Path workDir) throws InterruptedException {
    Path dir = workDir.resolve("seed-handler");
    String node;
    try {
      node = run(List.of("node", "--version"), dir.getParent(), Duration.ofSeconds(30)).trim();
    } catch (IOException e) {
      return new Prepared(false, dir, "node is not installed (no `node` on the PATH)");
    }
    try {
      Files.createDirectories(dir);
      boolean changed = false;
      for (String file : FILES) {
        Path from = sourceDir.resolve(file);
        Path to = dir.resolve(file);
        if (!Files.isRegularFile(from)) {
          return new Prepared(false, dir, "the handler's " + from + " is missing");
        }
        changed |= !Files.exists(to) || Files.mismatch(from, to) != -1;
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
      boolean installed = PACKAGES.stream().allMatch(p -> Files.isRegularFile(packageJson(dir, p)));
      String how = "node_modules already there";
      if (changed || !installed) {
        Path log = dir.resolve("npm-install.log");
        try {
          run(
              List.of("npm", "install", "--no-package-lock", "--no-audit", "--no-fund"),
              dir,
              INSTALL_TIMEOUT,
              log);
        } catch (IOException e) {
          return new Prepared(
              false,
              dir,
              "`npm install` failed or npm is missing ("
                  + e.getMessage()
                  + "); see "
                  + log
                  + "; node_modules missing");
        }
        how = "installed now with npm install --no-package-lock";
      }
      StringBuilder versions = new StringBuilder("Node " + node);
      for (String p : PACKAGES) {
        versions
            .append(", ")
            .append(p)
            .append(' ')
            .append(
                JSON.readTree(Files.readString(packageJson(dir, p))).path("version").asString());
      }
      return new Prepared(true, dir, versions + " (" + how + ")");
    } catch (IOException e) {
      return new Prepared(false, dir, "cannot prepare the handler: " + e.getMessage());
    }
  }

  private static Path packageJson(Path dir, String name) {
    return dir.resolve("node_modules").resolve(name).resolve("package.json");
  }

  /**
   * Starts {@code node server.js} against {@code runway} and waits until it listens.
   *
   * @param runway the simulator's base URL (RUNWAYML_BASE_URL for the SDK)
   * @param apiSecret the key the simulator accepts (RUNWAYML_API_SECRET)
   */
  static SeedHandler start(Path dir, URI runway, String apiSecret)
      throws IOException, InterruptedException {
    Path output = dir.resolve("seed-handler.log");
    Files.deleteIfExists(output);
    ProcessBuilder builder =
        new ProcessBuilder("node", "server.js")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.put("RUNWAYML_API_SECRET", apiSecret);
    env.put("RUNWAYML_BASE_URL", runway.toString());
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(Bench.freePort()));
    Process process = builder.start();
    return new SeedHandler(
        process, Bench.awaitListening(process, output, "the seed handler", START_TIMEOUT));
  }

  URI baseUrl() {
    return baseUrl;
  }

  long pid() {
    return process.pid();
  }

  private static String run(List<String> command, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("bench-", ".out");
    try {
      run(command, dir, timeout, out);
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void run(List<String> command, Path dir, Duration timeout, Path output)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " took longer than " + timeout);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited with code " + p.exitValue());
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // Already shutting down.
    }
  }
}
