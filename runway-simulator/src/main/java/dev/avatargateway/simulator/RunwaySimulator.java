package dev.avatargateway.simulator;

import dev.avatargateway.simulator.internal.server.SimulatorServer;
import java.net.URI;

/**
 * A local, stateful stand-in for Runway's realtime-session and avatar API (runway-api.md) and its
 * conversation and usage routes (runway-api-additions.md), for tests, benchmarks and users' own
 * tests. It listens on 127.0.0.1 only.
 *
 * <pre>{@code
 * try (RunwaySimulator sim = RunwaySimulator.start()) {
 *   URI base = sim.baseUrl(); // point the client here, API key "key_simulator"
 *   ...
 *   sim.admin().advanceClock(Duration.ofSeconds(30));
 *   assertThat(sim.admin().leakedCount()).isZero();
 * }
 * }</pre>
 */
public final class RunwaySimulator implements AutoCloseable {
  private final SimulatorServer server;

  private RunwaySimulator(SimulatorServer server) {
    this.server = server;
  }

  /**
   * Starts a simulator with the given configuration.
   *
   * @throws SimulatorException when the port cannot be bound
   */
  public static RunwaySimulator start(SimulatorConfig config) {
    return new RunwaySimulator(SimulatorServer.start(config));
  }

  /** Starts a simulator with {@link SimulatorConfig#defaults()} on a free port. */
  public static RunwaySimulator start() {
    return start(SimulatorConfig.defaults());
  }

  /** The base URL without a trailing slash, e.g. {@code http://127.0.0.1:54321}. */
  public URI baseUrl() {
    return server.baseUrl();
  }

  /** The TCP port actually bound. */
  public int port() {
    return server.port();
  }

  /** Inspection and control of the running simulator. */
  public SimulatorAdmin admin() {
    return server.admin();
  }

  /**
   * The configuration in effect: the one started with (its {@code port} replaced by the bound port)
   * plus changes made through {@link #admin()}; {@link SimulatorAdmin#reset()} restores the start
   * one.
   */
  public SimulatorConfig config() {
    return server.config();
  }

  /** Stops the server at once: open and hanging requests are dropped, no grace period. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "RunwaySimulator[" + baseUrl() + "]";
  }
}
