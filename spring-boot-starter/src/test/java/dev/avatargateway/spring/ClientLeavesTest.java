package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * On Spring Boot's Tomcat, a browser that closes its connection while its connect waits for the
 * upstream session gets that session cancelled and its ledger row ended, in either response mode;
 * an event stream's reader that leaves is noticed too; and a client that stays gets its answer,
 * also over one kept-alive connection and with its next request sent before the answer.
 */
@SpringBootTest(
    classes = TestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.ledger.url=jdbc:h2:mem:starter-leaves;DB_CLOSE_DELAY=-1",
      "avatar-gateway.avatars.default-avatar=cat-character",
      // Every test's connects are anonymous: no test may find another's still counted.
      "avatar-gateway.rate-limit.per-principal.capacity=0",
      "avatar-gateway.rate-limit.per-client-address.capacity=0",
      "avatar-gateway.rate-limit.max-concurrent-connects-per-principal=50",
      // A connect must still be waiting when its client leaves, whatever the machine's speed.
      "avatar-gateway.connect.deadline=5m",
      "avatar-gateway.connect.queued-deadline=5m",
      // Ample for the reader to attach after the 202 on a loaded machine (else the grace, not the
      // watcher, would cancel the start), and short enough not to slow the test much.
      "avatar-gateway.sessions.reader-grace=3s",
      // A stream then writes nothing for the whole test: only the watcher can notice its reader.
      "avatar-gateway.sessions.heartbeat-interval=5m"
    })
@AutoConfigureRunwaySimulator
class ClientLeavesTest {
  /** Far longer than a test: a session still provisioning when its client leaves. */
  private static final Duration NEVER_READY = Duration.ofMinutes(10);

  /** Long enough for the watcher to look at the waiting connection several times. */
  private static final Duration SOON_READY = Duration.ofSeconds(1);

  /** Generous for a poll, a cancel and a ledger write on loopback, short of hanging the build. */
  private static final Duration UNTIL_DONE = Duration.ofSeconds(20);

  private static final String BODY = "{\"avatarId\":\"cat-character\"}";
  private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\":\"([^\"]+)\"");

  @LocalServerPort int port;
  @Autowired RunwaySimulator simulator;

  @Test
  void aCredentialsConnectWhoseClientLeavesIsCancelled() throws Exception {
    leavesWhileWaiting(AvatarPaths.CREDENTIALS);
  }

  @Test
  void aSessionKeyConnectWhoseClientLeavesIsCancelled() throws Exception {
    leavesWhileWaiting(AvatarPaths.SESSION_KEY);
  }

  @Test
  void anEventStreamWhoseReaderLeavesLetsTheGraceCancelTheStart() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
    HttpResponse<String> started =
        new Http(port).post(AvatarPaths.SESSIONS, "application/json", BODY);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String id = (String) Http.json(started).get("id");

    String upstreamId;
    try (RawConnection reader = new RawConnection(port)) {
      reader.get(AvatarPaths.SESSIONS + "/" + id + "/events");
      upstreamId = sessionIdOfCreated(reader);
      assertThat(upstream(upstreamId).status()).isEqualTo("NOT_READY");
    }

    await()
        .atMost(UNTIL_DONE)
        .untilAsserted(() -> assertThat(upstream(upstreamId).cancelledAt()).isPresent());
    assertLedgerEndedForClientGone(id);
  }

  @Test
  void aClientThatStaysGetsItsAnswersOnOneKeptAliveConnection() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(SOON_READY));

    try (RawConnection client = new RawConnection(port)) {
      client.post(AvatarPaths.CREDENTIALS, BODY);
      RawConnection.Response first = client.response();
      client.post(AvatarPaths.SESSION_KEY, BODY);
      RawConnection.Response second = client.response();

      assertAnswered(first, "token");
      assertAnswered(second, "sessionKey");
      assertThat(first.headers()).doesNotContainEntry("connection", "close");
    }
  }

  @Test
  void aNextRequestSentWhileTheFirstWaitsIsAnsweredToo() throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(SOON_READY));
    Set<String> before = ids();

    try (RawConnection client = new RawConnection(port)) {
      client.post(AvatarPaths.CREDENTIALS, BODY);
      await().atMost(UNTIL_DONE).until(() -> ids().size() > before.size());
      // Pipelined: the watcher reads its first byte, and must give it back.
      client.post(AvatarPaths.CREDENTIALS, BODY);

      assertAnswered(client.response(), "token");
      assertAnswered(client.response(), "token");
    }
  }

  private void leavesWhileWaiting(String path) throws Exception {
    simulator.admin().setReadyAfter(DelayDistribution.fixed(NEVER_READY));
    Set<String> before = ids();

    String upstreamId;
    try (RawConnection client = new RawConnection(port)) {
      client.post(path, BODY);
      await().atMost(UNTIL_DONE).until(() -> ids().size() > before.size());
      upstreamId = ids().stream().filter(id -> !before.contains(id)).findFirst().orElseThrow();
      assertThat(upstream(upstreamId).status()).isEqualTo("NOT_READY");
    }

    await()
        .atMost(UNTIL_DONE)
        .untilAsserted(() -> assertThat(upstream(upstreamId).cancelledAt()).isPresent());
    assertLedgerEndedForClientGone(upstreamId);
  }

  private void assertLedgerEndedForClientGone(String id) {
    await()
        .atMost(UNTIL_DONE)
        .untilAsserted(
            () -> {
              HttpResponse<String> row = new Http(port).get(AvatarPaths.SESSIONS + "/" + id);
              assertThat(row.statusCode()).as(row.body()).isEqualTo(200);
              Map<String, Object> session = Http.json(row);
              assertThat(session).containsEntry("state", "cancelled");
              assertThat(session).containsEntry("outcome", "client_gone");
            });
  }

  private void assertAnswered(RawConnection.Response response, String member) {
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    Matcher id = SESSION_ID.matcher(response.body());
    assertThat(id.find()).as(response.body()).isTrue();
    assertThat(response.body()).contains("\"" + member + "\"");
    assertThat(upstream(id.group(1)).cancelledAt()).isEmpty();
  }

  private static String sessionIdOfCreated(RawConnection reader) throws Exception {
    boolean created = false;
    while (true) {
      String line = reader.line();
      if (line.equals("event: created")) {
        created = true;
      } else if (created && line.startsWith("data:")) {
        Matcher id = SESSION_ID.matcher(line);
        assertThat(id.find()).as(line).isTrue();
        return id.group(1);
      }
    }
  }

  private Set<String> ids() {
    List<SessionRecord> sessions = simulator.admin().sessions();
    return sessions.stream().map(SessionRecord::id).collect(Collectors.toSet());
  }

  private SessionRecord upstream(String id) {
    return simulator.admin().session(id).orElseThrow();
  }
}
