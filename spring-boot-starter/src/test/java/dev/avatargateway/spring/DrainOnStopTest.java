package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.spring.app.TestApplication;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A stopping application drains: while the web server still answers, a new connect is 503 {@code
 * shutting_down} and a running one may finish within {@code web.shutdown-grace}; what is still
 * running after the grace is stopped, which cancels its session instead of leaving it to run up a
 * bill. Only {@code DrainOnStop} answers 503 during the stop: without it the core is closed after
 * the web server stopped, and a connect during the stop meets a server that still answers 400 to
 * the probe, then none at all.
 */
class DrainOnStopTest {
  /** Far longer than the test: the session is READY only when the test moves the clock. */
  private static final Duration NEVER_READY = Duration.ofMinutes(10);

  /** Generous for a stop and a cancel on loopback, short of hanging the build. */
  private static final Duration UNTIL_DONE = Duration.ofSeconds(30);

  /** Far beyond the test's own steps, so that the running connect finishes within it. */
  private static final String LONG_GRACE = "60s";

  /**
   * A connect for an avatar that does not exist: refused 400 before any session while the gateway
   * runs, and 503 {@code shutting_down} before even that once it drains. It starts nothing, so it
   * can be sent until the drain shows.
   */
  private static final String PROBE = "{\"avatarId\":\"no-such-avatar\"}";

  @Test
  void duringTheGraceNewConnectsAreRefusedAndARunningOneFinishes() throws Exception {
    try (RunwaySimulator simulator = RunwaySimulator.start();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
      ConfigurableApplicationContext context = start(simulator, "drain-grace", LONG_GRACE);
      Http http = new Http(port(context));
      CompletableFuture<HttpResponse<String>> running = connect(http, threads);
      await().atMost(UNTIL_DONE).until(() -> !simulator.admin().sessions().isEmpty());

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(context::close, threads);

      HttpResponse<String> refused =
          await()
              .atMost(UNTIL_DONE)
              .until(
                  () -> http.post(AvatarPaths.CONNECT, "application/json", PROBE),
                  response -> response.statusCode() == 503);
      assertThat(Http.json(refused)).containsEntry("code", "shutting_down");
      assertThat(simulator.admin().sessions()).as("the refused probe started nothing").hasSize(1);
      assertThat(stopping).as("the stop waits for the running connect").isNotDone();

      simulator.admin().advanceClock(NEVER_READY);

      HttpResponse<String> finished = running.get(UNTIL_DONE.toSeconds(), TimeUnit.SECONDS);
      assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
      Map<String, Object> credentials = Http.json(finished);
      SessionRecord session = simulator.admin().sessions().get(0);
      assertThat(credentials).containsEntry("sessionId", session.id());
      stopping.get(UNTIL_DONE.toSeconds(), TimeUnit.SECONDS);
      SessionRecord after = simulator.admin().session(session.id()).orElseThrow();
      assertThat(after.consumedAt()).as("handed over, not cancelled").isPresent();
      assertThat(after.cancelledAt()).isEmpty();
    }
  }

  @Test
  void afterTheGraceTheSessionsOfConnectsInFlightAreCancelled() throws Exception {
    try (RunwaySimulator simulator = RunwaySimulator.start();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
      ConfigurableApplicationContext context = start(simulator, "drain-cancel", "0s");
      CompletableFuture<HttpResponse<String>> connect = connect(new Http(port(context)), threads);
      await().atMost(UNTIL_DONE).until(() -> !simulator.admin().sessions().isEmpty());

      context.close();

      SessionRecord session = simulator.admin().sessions().get(0);
      assertThat(simulator.admin().session(session.id()).orElseThrow().cancelledAt()).isPresent();
      assertThat(connect.exceptionally(failure -> null).get())
          .satisfiesAnyOf(
              response -> assertThat(response).isNull(),
              response -> assertThat(response.statusCode()).isEqualTo(503));
    }
  }

  private static ConfigurableApplicationContext start(
      RunwaySimulator simulator, String ledger, String grace) {
    return new SpringApplicationBuilder(TestApplication.class)
        .properties(
            "server.port=0",
            "runway.base-url=" + simulator.baseUrl(),
            "runway.api-secret=" + simulator.config().apiKeys().iterator().next(),
            "runway.simulated=true",
            "avatar-gateway.ledger.url=jdbc:h2:mem:starter-" + ledger + ";DB_CLOSE_DELAY=-1",
            "avatar-gateway.avatars.default-avatar=cat-character",
            "avatar-gateway.connect.deadline=5m",
            "avatar-gateway.connect.queued-deadline=5m",
            "avatar-gateway.web.shutdown-grace=" + grace)
        .run();
  }

  private static int port(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  /** A credentials connect, answered when its session is READY (or the gateway gives up). */
  private static CompletableFuture<HttpResponse<String>> connect(
      Http http, ExecutorService threads) {
    // A thread of its own, not the common pool: on two cores that pool has one thread, and the
    // stop waits for this connect.
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return http.post(AvatarPaths.CREDENTIALS, null, "");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        threads);
  }
}
