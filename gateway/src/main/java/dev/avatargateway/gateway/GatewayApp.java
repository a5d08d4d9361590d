package dev.avatargateway.gateway;

import dev.avatargateway.gateway.ConfigLoader.LoadedConfig;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ConnectionWatcher;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.internal.http.DemoSettings;
import dev.avatargateway.gateway.internal.http.HttpApi;
import dev.avatargateway.gateway.internal.http.HttpSettings;
import dev.avatargateway.gateway.internal.http.JettyDisconnectWatcher;
import dev.avatargateway.gateway.internal.http.JsonErrorHandler;
import dev.avatargateway.gateway.internal.observability.LogMasking;
import dev.avatargateway.gateway.internal.observability.PrometheusMetrics;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: builds every part from the configuration, serves HTTP, and stops gracefully.
 * With no Runway secret it starts the simulator in-process and says so loudly.
 *
 * <pre>{@code
 * try (GatewayApp app = GatewayApp.start(ConfigLoader.load(System.getenv()))) {
 *   app.awaitShutdown();
 * }
 * }</pre>
 */
public final class GatewayApp implements AutoCloseable {
  /** 128 bits: the in-process simulator's API key cannot be guessed from outside the process. */
  private static final int SIMULATED_KEY_BYTES = 16;

  private static final Logger LOG = LoggerFactory.getLogger(GatewayApp.class);

  /** Printed at start-up when no secret is set, so that nobody mistakes it for production. */
  public static final String SIMULATED_BANNER = "SIMULATED RUNWAY: no credits are used";

  /**
   * When the server stops, how long responses already being written may take: an answer is a few
   * hundred bytes, so a second is plenty even for a slow client.
   */
  static final Duration RESPONSE_DRAIN = Duration.ofSeconds(1);

  private final Javalin javalin;
  private final GracefulHandler graceful;
  private final Optional<RunwaySimulator> simulator;
  private final GatewayCore core;
  private final PrometheusMetrics metrics;
  private final JettyDisconnectWatcher disconnects;
  private final Duration shutdownGrace;
  private final Object stopLock = new Object();
  private boolean stopped;

  private GatewayApp(
      Javalin javalin,
      GracefulHandler graceful,
      Optional<RunwaySimulator> simulator,
      GatewayCore core,
      PrometheusMetrics metrics,
      JettyDisconnectWatcher disconnects,
      Duration shutdownGrace) {
    this.javalin = javalin;
    this.graceful = graceful;
    this.simulator = simulator;
    this.core = core;
    this.metrics = metrics;
    this.disconnects = disconnects;
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * Starts a gateway; every part is chosen by the configuration.
   *
   * @throws InvalidSettingsException for settings it cannot run with that only start-up finds: an
   *     avatar that is not allowed or a session template beyond Runway's limits, an address that
   *     cannot be listened on
   */
  public static GatewayApp start(LoadedConfig loaded) {
    return start(loaded, Clock.systemUTC());
  }

  /** Starts a gateway whose core runs on {@code clock} (tests cross a UTC midnight with it). */
  static GatewayApp start(LoadedConfig loaded, Clock clock) {
    return start(loaded, clock, DemoSettings.BUILT_FOLDER);
  }

  /**
   * Starts a gateway that serves the demo page from the classpath folder {@code demoFolder} (tests
   * serve a fixture of their own, whether or not the real page was built).
   */
  static GatewayApp start(LoadedConfig loaded, Clock clock, String demoFolder) {
    try {
      return startChecked(loaded, clock, demoFolder);
    } catch (ConfigException e) {
      // The avatars are checked only when the core is built from them.
      throw InvalidSettingsException.of(e);
    }
  }

  private static GatewayApp startChecked(LoadedConfig loaded, Clock clock, String demoFolder) {
    GatewayConfig config = loaded.config();
    Optional<RunwaySimulator> simulator = Optional.empty();
    String apiKey;
    URI baseUrl;
    if (loaded.simulated()) {
      // nextBytes, not generateSeed: a seed is read from the operating system's entropy source
      // and may block on a machine that has gathered little of it yet (a fresh VM).
      byte[] key = new byte[SIMULATED_KEY_BYTES];
      new SecureRandom().nextBytes(key);
      apiKey = "key_simulated_" + HexFormat.of().formatHex(key);
      RunwaySimulator started =
          RunwaySimulator.start(
              SimulatorConfig.builder()
                  .apiKeys(Set.of(apiKey))
                  .readyAfter(config.runway().readyAfter())
                  .build());
      simulator = Optional.of(started);
      baseUrl = started.baseUrl();
      LOG.warn(
          "{} (runway.mode: {}{}; the simulator listens on {})",
          SIMULATED_BANNER,
          config.runway().mode().value(),
          config.runway().mode() == RunwayConfig.Mode.SIMULATED
              ? ", so " + ConfigLoader.SECRET_ENV + " is not used even if set"
              : ", and " + ConfigLoader.SECRET_ENV + " is not set",
          baseUrl);
    } else {
      apiKey = loaded.runwaySecret().orElseThrow();
      baseUrl = config.runway().baseUrl();
    }
    registerSecretsForMasking(config, apiKey);
    try {
      DemoSettings demo =
          new DemoSettings(
              config.demo().enabled(loaded.simulated()),
              demoFolder,
              config.auth().mode().value(),
              baseUrl);
      return assemble(config, simulator, apiKey, baseUrl, clock, loaded.runwaySecret(), demo);
    } catch (RuntimeException e) {
      simulator.ifPresent(RunwaySimulator::close);
      throw e;
    }
  }

  /**
   * Secrets whose shape the log masking cannot recognise (an operator's API keys, an HMAC secret,
   * the ledger database's password) are masked wherever they would appear in a log line.
   */
  private static void registerSecretsForMasking(GatewayConfig config, String runwayKey) {
    LogMasking.registerSecret(runwayKey);
    config.auth().apiKeys().stream()
        .map(AuthConfig.ApiKey::key)
        .filter(java.util.Objects::nonNull)
        .forEach(LogMasking::registerSecret);
    config.auth().admin().apiKeys().stream()
        .map(AuthConfig.ApiKey::key)
        .filter(java.util.Objects::nonNull)
        .forEach(LogMasking::registerSecret);
    Optional.ofNullable(config.auth().jwt())
        .map(AuthConfig.Jwt::hs256Secret)
        .ifPresent(LogMasking::registerSecret);
    Optional.ofNullable(config.ledger().password()).ifPresent(LogMasking::registerSecret);
    Optional.ofNullable(config.idempotency().encryptionKey()).ifPresent(LogMasking::registerSecret);
    Optional.ofNullable(config.redis().password()).ifPresent(LogMasking::registerSecret);
  }

  private static GatewayApp assemble(
      GatewayConfig config,
      Optional<RunwaySimulator> simulator,
      String apiKey,
      URI baseUrl,
      Clock clock,
      Optional<String> runwaySecret,
      DemoSettings demo) {
    PrometheusMetrics metrics = new PrometheusMetrics();
    metrics.upstreamSimulated(simulator.isPresent());
    RunwayClient runway =
        RunwayClient.builder()
            .apiKey(apiKey)
            .baseUrl(baseUrl)
            .timeout(config.runway().requestTimeout())
            .maxRetries(config.runway().maxRetries())
            .maxConnections(config.runway().maxConnections())
            .build();
    GatewayCore core;
    try {
      core =
          GatewayCore.builder(runway)
              .connect(config.connect())
              .avatars(config.avatars())
              .auth(config.auth())
              .rateLimit(config.rateLimit())
              .admission(config.admission())
              .line(config.line())
              .readiness(config.readiness())
              .sessions(config.sessions())
              .ledger(config.ledger())
              .budgets(config.budgets())
              .idempotency(config.idempotency(), runwaySecret)
              .redis(config.redis())
              .answers(HttpApi.answers())
              .instanceName(instanceName(config))
              .simulatedUpstream(simulator.isPresent())
              .meterRegistry(metrics.registry())
              .clock(clock)
              .build();
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
    ServerConfig server = config.server();
    JettyDisconnectWatcher disconnects =
        new JettyDisconnectWatcher(ConnectionWatcher.POLL_INTERVAL);
    HttpApi api =
        new HttpApi(
            new HttpApi.Components(
                httpSettings(server, config.cors(), demo), core, metrics, disconnects));
    GracefulHandler graceful = new GracefulHandler();
    Javalin javalin =
        Javalin.create(
            javalinConfig -> {
              javalinConfig.startup.showJavalinBanner = false;
              javalinConfig.concurrency.useVirtualThreads = true;
              // A connect answers asynchronously (HttpApi.connect) and its own deadline ends it;
              // a servlet async time-out on top would answer 500 instead of the deadline's 504.
              javalinConfig.http.asyncTimeout = 0;
              javalinConfig.jetty.addConnector(
                  (jetty, httpConfig) -> {
                    ServerConnector connector =
                        new ServerConnector(jetty, new HttpConnectionFactory(httpConfig));
                    connector.setHost(server.host());
                    connector.setPort(server.port());
                    // DEVELOPERS.md: with Jetty's default backlog, requests are dropped silently
                    // under load.
                    connector.setAcceptQueueSize(server.acceptQueueSize());
                    // Closes connections whose client went silent or vanished; a request being
                    // handled is not cut off by it (RequestBody bounds the body's read itself).
                    connector.setIdleTimeout(server.idleTimeout().toMillis());
                    return connector;
                  });
              javalinConfig.jetty.modifyServer(
                  jetty -> {
                    // Lets responses already being written finish when the server stops; Javalin's
                    // own StatisticsHandler does not wait for them in Jetty 12.
                    jetty.setStopTimeout(RESPONSE_DRAIN.toMillis());
                    jetty.insertHandler(graceful);
                    // Errors Jetty answers before any route (bad framing, headers or URI too
                    // large, an unknown HTTP version) are JSON like every other error.
                    jetty.setErrorHandler(new JsonErrorHandler());
                    // At the cap Jetty stops accepting (new connections wait in the accept queue)
                    // instead of running out of file descriptors.
                    jetty.addBean(
                        new NetworkConnectionLimit(
                            server.connectionCap(
                                config
                                    .admission()
                                    .connectsInFlightCap(Runtime.getRuntime().maxMemory())),
                            jetty));
                  });
              api.register(javalinConfig.routes);
              api.serveFiles(javalinConfig.staticFiles);
            });
    try {
      javalin.start();
    } catch (JavalinBindException e) {
      disconnects.close();
      core.close();
      metrics.close();
      throw InvalidSettingsException.of(
          new ConfigException(
              "server.port (PORT)",
              "cannot listen on "
                  + server.host()
                  + ":"
                  + server.port()
                  + " (is another process using it, or is server.host (HOST) not an address of"
                  + " this machine?)"));
    } catch (RuntimeException e) {
      disconnects.close();
      core.close();
      metrics.close();
      throw e;
    }
    GatewayApp app =
        new GatewayApp(
            javalin, graceful, simulator, core, metrics, disconnects, server.shutdownGrace());
    LOG.info(
        "Avatar Gateway listening on port {} (connect: {}, upstream: {})",
        app.port(),
        server.connectPaths(),
        simulator.isPresent() ? "simulated" : baseUrl);
    if (api.demoServed()) {
      LOG.info("Demo page: http://{}:{}/demo/", displayHost(server.host()), app.port());
    }
    return app;
  }

  private static HttpSettings httpSettings(
      ServerConfig server, CorsConfig cors, DemoSettings demo) {
    return new HttpSettings(
        server.connectPaths(),
        server.credentialsPath(),
        server.sessionKeyPath(),
        server.maxBodyBytes(),
        server.bodyReadTimeout(),
        cors.allowedOrigins(),
        cors.maxAge(),
        demo);
  }

  /**
   * A host to open in a browser: the wildcard addresses are every address of this machine, of which
   * a browser on it reaches {@code localhost}; an IPv6 literal goes in brackets.
   */
  static String displayHost(String host) {
    if ("0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host)) {
      return "localhost";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * This instance's name in the ledger: {@code ledger.instanceName}, else the host and the
   * configured port, so that a restart of the same server takes over what its previous run left at
   * once. With a random port (0) there is nothing stable to name: a fresh name per run, whose
   * leftovers are taken over once its lease expires.
   */
  private static String instanceName(GatewayConfig config) {
    if (config.ledger().instanceName() != null) {
      return config.ledger().instanceName();
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    int port = config.server().port();
    return host + ":" + (port == 0 ? "0-" + java.util.UUID.randomUUID() : Integer.toString(port));
  }

  /**
   * Every route the server answers, as {@code "METHOD path"} (for the test that keeps {@code
   * /openapi.json} in step with them).
   */
  java.util.List<String> routes() {
    return javalin.unsafe.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.endpoint.method.name() + " " + parsed.endpoint.path)
        .toList();
  }

  /** The port the gateway listens on. */
  public int port() {
    return javalin.port();
  }

  /** The embedded simulator, when the gateway runs without a Runway secret. */
  public Optional<RunwaySimulator> simulator() {
    return simulator;
  }

  /** The core, for tests that read its books and budgets. */
  GatewayCore core() {
    return core;
  }

  /** How many connects are running right now. */
  public int connectsInFlight() {
    return core.connectsInFlight();
  }

  /**
   * Stops gracefully: new connects are refused (503 {@code shutting_down}); running ones get the
   * configured grace period to finish; those still running are then stopped, which cancels their
   * upstream sessions; then the server and the embedded simulator stop. Idempotent.
   */
  @Override
  public void close() {
    synchronized (stopLock) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    try {
      core.drain(shutdownGrace);
    } finally {
      stopHttp();
      disconnects.close();
      core.close();
      metrics.close();
      simulator.ifPresent(RunwaySimulator::close);
    }
  }

  /**
   * Stops the HTTP server: lets responses still being written finish (at most {@link
   * #RESPONSE_DRAIN}), closes idle keep-alive connections (browsers keep them open, and they would
   * hold Jetty's own graceful stop for its whole time-out), then stops the server.
   */
  private void stopHttp() {
    try {
      graceful.shutdown().get(RESPONSE_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn(
          "Some responses were still being written after {}; their connections are closed",
          RESPONSE_DRAIN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Connector connector : javalin.jettyServer().server().getConnectors()) {
      connector.getConnectedEndPoints().forEach(EndPoint::close);
    }
    try {
      javalin.stop();
    } catch (RuntimeException e) {
      LOG.warn("The HTTP server did not stop cleanly", e);
    }
  }
}
