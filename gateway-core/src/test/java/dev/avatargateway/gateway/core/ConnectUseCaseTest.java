package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.avatargateway.gateway.core.internal.connect.ConnectUseCase;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The connect use case on its own, against the simulator over real HTTP: the events it reports for
 * each way a connect can go, and that every path that does not hand a session over cancels it.
 */
class ConnectUseCaseTest {

  private final RunwaySimulator simulator =
      RunwaySimulator.start(
          SimulatorConfig.builder().readyAfter(DelayDistribution.fixed(Duration.ZERO)).build());
  private final List<ConnectEvent> events = new CopyOnWriteArrayList<>();
  private final List<GatewayCore> cores = new CopyOnWriteArrayList<>();
  private final LedgerConfig ledger = H2BooksTest.inMemory();
  private HttpServer proxy;

  @AfterEach
  void stop() {
    cores.forEach(GatewayCore::close);
    if (proxy != null) {
      proxy.stop(0);
    }
    simulator.close();
  }

  @Test
  void aCredentialsConnectReportsEveryStepInOrderUnderOneId() {
    ConnectResult result = core(ConnectConfig.defaults()).connect(request("cat-character"));

    assertThat(result).isInstanceOf(ConnectResult.Credentials.class);
    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Accepted", "Created", "Ready", "Consumed", "Ended");
    assertThat(events).extracting(ConnectEvent::connectId).containsOnly(events.get(0).connectId());
    ConnectEvent.Accepted accepted = (ConnectEvent.Accepted) events.get(0);
    assertThat(accepted.avatarId()).isEqualTo("cat-character");
    assertThat(accepted.principal()).isEqualTo(Principal.ANONYMOUS);
    ConnectEvent.Ended ended = ended();
    assertThat(ended.succeeded()).isTrue();
    assertThat(ended.sessionId()).contains(result.sessionId());
    assertThat(ended.upstreamRequests()).isGreaterThanOrEqualTo(3); // create, retrieve, consume
    assertThat(status(result.sessionId())).isEqualTo("RUNNING");
  }

  @Test
  void aSessionKeyConnectIsHandedOutNotConsumed() {
    ConnectResult result =
        core(new ConnectConfig(null, null, "session-key", null, null))
            .connect(request("cat-character"));

    assertThat(result).isInstanceOf(ConnectResult.SessionKey.class);
    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Accepted", "Created", "Ready", "HandedOut", "Ended");
    assertThat(status(result.sessionId())).isEqualTo("READY");
  }

  @Test
  void theRequestsResponseModeOverridesTheConfiguredOneForEveryStep() {
    GatewayCore credentialsByDefault = core(ConnectConfig.defaults());

    ConnectResult handedOut =
        credentialsByDefault.connect(
            request("cat-character").withResponseMode(ConnectConfig.ResponseMode.SESSION_KEY));

    assertThat(handedOut).isInstanceOf(ConnectResult.SessionKey.class);
    assertThat(((ConnectEvent.Accepted) events.get(0)).mode())
        .isEqualTo(ConnectConfig.ResponseMode.SESSION_KEY);
    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Accepted", "Created", "Ready", "HandedOut", "Ended");
    assertThat(status(handedOut.sessionId())).isEqualTo("READY");

    events.clear();
    ConnectResult consumed =
        core(new ConnectConfig(null, null, "session-key", null, null))
            .connect(
                request("cat-character").withResponseMode(ConnectConfig.ResponseMode.CREDENTIALS));

    assertThat(consumed).isInstanceOf(ConnectResult.Credentials.class);
    assertThat(((ConnectEvent.Accepted) events.get(0)).mode())
        .isEqualTo(ConnectConfig.ResponseMode.CREDENTIALS);
    assertThat(status(consumed.sessionId())).isEqualTo("RUNNING");
  }

  @Test
  void aRejectedConnectReportsOnlyItsEnd() {
    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () -> core(ConnectConfig.defaults()).connect(request("not-an-avatar")));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_AVATAR);
    assertThat(events).hasSize(1);
    assertThat(ended().code()).contains(ErrorCode.INVALID_AVATAR);
    assertThat(simulator.admin().sessions()).isEmpty();
  }

  @Test
  void aSessionNotReadyInTimeIsCancelledWithTheTimeoutReason() {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(5)));
    ConnectConfig config = new ConnectConfig(Duration.ofSeconds(2), null, null, null, null);

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class, () -> core(config).connect(request("cat-character")));

    assertThat(e.code()).isEqualTo(ErrorCode.SESSION_TIMEOUT);
    ConnectEvent.Cancelled cancelled = only(ConnectEvent.Cancelled.class);
    assertThat(cancelled.reason()).isEqualTo(StopReason.TIMEOUT);
    assertThat(status(cancelled.sessionId())).isEqualTo("CANCELLED");
  }

  @Test
  void aSessionThatFailsUpstreamIsReportedWithItsCodeAndNotCancelled() {
    simulator.admin().failNextSessions(1, "SAFETY.INPUT.TEXT", "Not allowed");

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () -> core(ConnectConfig.defaults()).connect(request("cat-character")));

    assertThat(e.code()).isEqualTo(ErrorCode.SESSION_FAILED);
    ConnectEvent.Failed failed = only(ConnectEvent.Failed.class);
    assertThat(failed.failureCode()).contains("SAFETY.INPUT.TEXT");
    assertThat(events).noneMatch(ConnectEvent.Cancelled.class::isInstance);
    assertThat(ended().failureCode()).contains("SAFETY.INPUT.TEXT");
  }

  @Test
  void aRefusedCreateCreatedNothingButAFailedOneMayHave() {
    simulator.admin().injectFault(FaultRule.parse("create:400:times=1"));
    GatewayCore core = core(ConnectConfig.defaults());
    GatewayException refused =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request("cat-character")));
    assertThat(refused.code()).isEqualTo(ErrorCode.UPSTREAM_ERROR);
    assertThat(only(ConnectEvent.CreateFailed.class).mayExist()).isFalse();

    events.clear();
    simulator.admin().injectFault(FaultRule.parse("create:502:after-commit,times=1"));
    GatewayException e =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request("cat-character")));
    assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_ERROR);
    assertThat(only(ConnectEvent.CreateFailed.class).mayExist()).isTrue();
  }

  @Test
  void aClientThatLeavesWhileCreateIsInFlightGetsItsSessionCancelledOnceCreateAnswers() {
    AtomicReference<Runnable> leave = new AtomicReference<>();
    URI upstream = delayingProxy(() -> leave.get().run());
    ClientPresence presence =
        onGone -> {
          leave.set(onGone);
          return () -> {};
        };

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () ->
                core(ConnectConfig.defaults(), upstream)
                    .connect(request("cat-character", presence)));

    assertThat(e.code()).isEqualTo(ErrorCode.CLIENT_GONE);
    assertThat(events)
        .extracting(event -> event.getClass().getSimpleName())
        .containsExactly("Accepted", "Created", "Cancelled", "Ended");
    ConnectEvent.Cancelled cancelled = only(ConnectEvent.Cancelled.class);
    assertThat(cancelled.reason()).isEqualTo(StopReason.CLIENT_GONE);
    assertThat(status(cancelled.sessionId())).isEqualTo("CANCELLED");
  }

  @Test
  void aStepTheLedgerCannotRecordStopsTheFlowAndCancelsTheSession() throws SQLException {
    // The real database refuses exactly one step: the hand-over (a row may not become consumed).
    sql("ALTER TABLE ledger_sessions ADD CONSTRAINT no_hand_over CHECK (state <> 'consumed')");

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () -> core(ConnectConfig.defaults()).connect(request("cat-character")));

    assertThat(e.code()).isEqualTo(ErrorCode.LEDGER_UNAVAILABLE);
    assertThat(e.retryAfter()).isPresent();
    ConnectEvent.Cancelled cancelled = only(ConnectEvent.Cancelled.class);
    assertThat(cancelled.reason()).isEqualTo(StopReason.LEDGER_FAILED);
    assertThat(status(cancelled.sessionId())).isEqualTo("CANCELLED");
  }

  @Test
  void anIntentTheLedgerCannotRecordCreatesNothing() throws SQLException {
    GatewayCore core = core(ConnectConfig.defaults());
    sql("DROP TABLE ledger_sessions");

    GatewayException e =
        catchThrowableOfType(GatewayException.class, () -> core.connect(request("cat-character")));

    assertThat(e.code()).isEqualTo(ErrorCode.LEDGER_UNAVAILABLE);
    assertThat(simulator.admin().sessions()).isEmpty();
    assertThat(ended().code()).contains(ErrorCode.LEDGER_UNAVAILABLE);
  }

  @Test
  void anUpstreamFailureIsLoggedOnceWithTheOperationStatusAndRunwaysRequestId() {
    simulator.admin().injectFault(FaultRule.parse("create:400:times=1"));
    Logger logger = (Logger) LoggerFactory.getLogger(ConnectUseCase.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    GatewayException e;
    try {
      e =
          catchThrowableOfType(
              GatewayException.class,
              () -> core(ConnectConfig.defaults()).connect(request("cat-character")));
    } finally {
      logger.detachAppender(appender);
    }

    assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_ERROR);
    List<ILoggingEvent> warnings =
        appender.list.stream().filter(event -> event.getLevel() == Level.WARN).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage())
        .contains("realtime_sessions.create")
        .contains("HTTP 400")
        .containsPattern("Runway request id [0-9a-f-]{36}")
        .contains("answering upstream_error");
  }

  @Test
  void aConnectThatWaitsInLineReportsItsPlaceThenGoesOnAsUsual() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(Duration.ofMinutes(1)));
    GatewayCore core =
        built(
            builder(ConnectConfig.defaults(), simulator.baseUrl())
                .rateLimit(
                    new RateLimitConfig(
                        RateLimitConfig.TokenBucket.OFF,
                        RateLimitConfig.TokenBucket.OFF,
                        0,
                        1,
                        null,
                        null,
                        null))
                .line(new LineConfig(null, 0, Duration.ofMinutes(2), null)));
    AtomicReference<ConnectResult> first = new AtomicReference<>();
    AtomicReference<ConnectResult> second = new AtomicReference<>();
    Thread firstThread =
        Thread.ofVirtual().start(() -> first.set(core.connect(request("cat-character"))));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> simulator.admin().sessions().size() == 1);
    Thread secondThread =
        Thread.ofVirtual().start(() -> second.set(core.connect(request("influencer"))));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.stream().anyMatch(ConnectEvent.Waiting.class::isInstance));

    simulator.admin().advanceClock(Duration.ofMinutes(1));
    firstThread.join(Duration.ofSeconds(10));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> simulator.admin().sessions().size() == 2);
    simulator.admin().advanceClock(Duration.ofMinutes(1));
    secondThread.join(Duration.ofSeconds(10));

    assertThat(first.get()).isNotNull();
    assertThat(second.get()).isNotNull();
    ConnectEvent.Waiting waiting = only(ConnectEvent.Waiting.class);
    // No session has been handed over yet when it joins: no history, so no estimate.
    assertThat(waiting.position()).isEqualTo(1);
    assertThat(waiting.eta()).isEmpty();
    assertThat(events)
        .filteredOn(e -> e.connectId().equals(waiting.connectId()))
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly(
            "Waiting", "WaitEnded", "Accepted", "Created", "Ready", "Consumed", "Ended");
    ConnectEvent.WaitEnded left = only(ConnectEvent.WaitEnded.class);
    assertThat(left.served()).isTrue();
    assertThat(left.waited()).isPositive();
    assertThat(status(second.get().sessionId())).isEqualTo("RUNNING");
  }

  private GatewayCore core(ConnectConfig config) {
    return core(config, simulator.baseUrl());
  }

  private GatewayCore core(ConnectConfig config, URI upstream) {
    return built(builder(config, upstream));
  }

  private GatewayCore built(GatewayCore.Builder builder) {
    GatewayCore core = builder.build();
    cores.add(core);
    return core;
  }

  private GatewayCore.Builder builder(ConnectConfig config, URI upstream) {
    RunwayClient runway =
        RunwayClient.builder().apiKey(SimulatorConfig.DEFAULT_API_KEY).baseUrl(upstream).build();
    return GatewayCore.builder(runway)
        .connect(config)
        .simulatedUpstream(true)
        .ledger(ledger)
        .listener(events::add);
  }

  private static ConnectRequest request(String avatarId) {
    return request(avatarId, ClientPresence.UNKNOWN);
  }

  private static ConnectRequest request(String avatarId, ClientPresence presence) {
    return new ConnectRequest(
        "req-1",
        name -> Optional.empty(),
        "127.0.0.1",
        List.of(),
        () -> new AvatarChoice(Optional.of(avatarId), Optional.empty()),
        presence);
  }

  /** Runs SQL on the ledger's database, as an operator (or a failing disk) would. */
  private void sql(String statement) throws SQLException {
    try (GatewayCore core = core(ConnectConfig.defaults())) {
      cores.remove(core); // only to create the schema; closed here
    }
    try (Connection connection = DriverManager.getConnection(ledger.url(), "sa", "");
        Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }

  private ConnectEvent.Ended ended() {
    return only(ConnectEvent.Ended.class);
  }

  private <T extends ConnectEvent> T only(Class<T> type) {
    List<T> matching = events.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).hasSize(1);
    return matching.get(0);
  }

  private String status(String sessionId) {
    return simulator.admin().session(sessionId).map(SessionRecord::status).orElseThrow();
  }

  /**
   * A proxy in front of the simulator that runs {@code beforeCreate} while a create request is in
   * flight (received, not yet forwarded): a stop that comes then must not cut the create off.
   */
  private URI delayingProxy(Runnable beforeCreate) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    proxy.createContext(
        "/",
        exchange -> {
          if ("POST".equals(exchange.getRequestMethod())
              && "/v1/realtime_sessions".equals(exchange.getRequestURI().getPath())) {
            beforeCreate.run();
          }
          forward(http, exchange);
        });
    proxy.start();
    return URI.create("http://127.0.0.1:" + proxy.getAddress().getPort());
  }

  private void forward(HttpClient http, HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(simulator.baseUrl().resolve(exchange.getRequestURI().toString()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!List.of("host", "content-length", "connection")
                  .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!List.of("content-length", "transfer-encoding", "connection", ":status")
                  .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
              }
            });
    byte[] out = response.body();
    exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
    try (OutputStream stream = exchange.getResponseBody()) {
      stream.write(out);
    }
  }
}
