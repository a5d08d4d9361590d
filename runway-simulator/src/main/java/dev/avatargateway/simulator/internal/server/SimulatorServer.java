package dev.avatargateway.simulator.internal.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.SimulatorException;
import dev.avatargateway.simulator.internal.fault.FaultEngine;
import dev.avatargateway.simulator.internal.json.Json;
import dev.avatargateway.simulator.internal.token.LiveKitTokens;
import dev.avatargateway.simulator.internal.world.World;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/** The HTTP server: binds 127.0.0.1, runs one virtual thread per exchange. */
public final class SimulatorServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SimulatorServer.class.getName());

  /** Pending connections the kernel may queue: a benchmark opens hundreds at once. */
  private static final int BACKLOG = 1_024;

  static final String ADMIN_PREFIX = "/_simulator";

  final SimulatorConfig startConfig;
  final World world;
  final FaultEngine faults;
  final Stats stats = new Stats();
  final RequestLog log = new RequestLog();
  final LiveKitTokens tokens;
  final Set<CountDownLatch> hangs = ConcurrentHashMap.newKeySet();

  private final HttpServer http;
  private final ExecutorService executor;
  private final ApiHandler api;
  private final AdminHandler adminHttp;
  private final AdminFacade admin;
  private final URI baseUrl;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The JDK server keeps at most 200 idle keep-alive connections by default and past that closes a
   * connection right after answering on it, unannounced: a client with more connections then sends
   * its next request into a closing socket, which a careful client must not retry for a create.
   * Real Runway does not do that, so the simulator must not either (seen with 2,000 concurrent
   * gateway connects). Read once, when the JDK server classes load; a value set by the user wins.
   */
  private static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";

  private static final String ENOUGH_IDLE_CONNECTIONS = "20000";

  static {
    if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
      System.setProperty(MAX_IDLE_CONNECTIONS, ENOUGH_IDLE_CONNECTIONS);
    }
  }

  private SimulatorServer(SimulatorConfig requested) throws IOException {
    this.http =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), requested.port()), BACKLOG);
    int port = http.getAddress().getPort();
    // The config as bound: reset() restores it, and config().port() tells the real port.
    this.startConfig = requested.toBuilder().port(port).build();
    this.world = new World(startConfig);
    this.faults = new FaultEngine(startConfig.faults(), startConfig.seed());
    this.tokens = new LiveKitTokens(startConfig.tokenSecret());
    this.baseUrl = URI.create("http://127.0.0.1:" + port);
    this.api = new ApiHandler(this);
    this.admin = new AdminFacade(this);
    this.adminHttp = new AdminHandler(this, admin);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
  }

  /**
   * Binds the port and starts serving.
   *
   * @throws SimulatorException when the port cannot be bound
   */
  public static SimulatorServer start(SimulatorConfig config) {
    try {
      return new SimulatorServer(config);
    } catch (IOException e) {
      throw new SimulatorException("Cannot listen on 127.0.0.1:" + config.port(), e);
    }
  }

  public URI baseUrl() {
    return baseUrl;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public SimulatorAdmin admin() {
    return admin;
  }

  /** The configuration in effect: the start one plus admin changes. */
  public SimulatorConfig config() {
    return world.config();
  }

  private void handle(HttpExchange ex) {
    // ASSUMPTION (runway-api.md does not name Runway's request-id header): x-request-id.
    ex.getResponseHeaders().set("x-request-id", RequestIds.next());
    try {
      String path = ex.getRequestURI().getRawPath();
      if (path.equals(ADMIN_PREFIX) || path.startsWith(ADMIN_PREFIX + "/")) {
        adminHttp.handle(ex);
      } else {
        api.handle(ex);
      }
    } catch (IOException e) {
      // The client went away mid-exchange; nothing to answer.
      ex.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Simulator failed to handle a request", e);
      try {
        Exchanges.send(
            ex, Reply.json(HttpStatus.INTERNAL_SERVER_ERROR, Json.error("Simulator error")));
      } catch (IOException | RuntimeException ignored) {
        ex.close();
      }
    }
  }

  /**
   * Stops at once: releases hanging requests and closes every connection without waiting. Safe to
   * call more than once (the CLI's shutdown hook and its main thread may both call it).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    hangs.forEach(CountDownLatch::countDown);
    http.stop(0);
    executor.shutdownNow();
  }
}
