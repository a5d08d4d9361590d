package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.spring.app.TestApplication;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application that stops cancels the sessions its connects in flight were preparing, once the
 * grace has passed, instead of leaving them to run up a bill.
 */
class DrainOnStopTest {
  /** Far longer than the test: the session must still be provisioning at the stop. */
  private static final Duration NEVER_READY = Duration.ofMinutes(10);

  /** Generous for a stop and a cancel on loopback, short of hanging the build. */
  private static final Duration UNTIL_DONE = Duration.ofSeconds(30);

  @Test
  void stoppingCancelsTheSessionsOfConnectsInFlight() throws Exception {
    try (RunwaySimulator simulator = RunwaySimulator.start()) {
      simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
      ConfigurableApplicationContext context =
          new SpringApplicationBuilder(TestApplication.class)
              .properties(
                  "server.port=0",
                  "runway.base-url=" + simulator.baseUrl(),
                  "runway.api-secret=" + simulator.config().apiKeys().iterator().next(),
                  "runway.simulated=true",
                  "avatar-gateway.ledger.url=jdbc:h2:mem:starter-drain;DB_CLOSE_DELAY=-1",
                  "avatar-gateway.avatars.default-avatar=cat-character",
                  "avatar-gateway.connect.deadline=5m",
                  "avatar-gateway.connect.queued-deadline=5m",
                  "avatar-gateway.web.shutdown-grace=0s")
              .run();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      CompletableFuture<HttpResponse<String>> connect =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new Http(port).post(AvatarPaths.CONNECT, null, "");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
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
}
