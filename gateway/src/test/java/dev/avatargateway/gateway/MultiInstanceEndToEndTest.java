package dev.avatargateway.gateway;

import static dev.avatargateway.gateway.GatewayPair.ANSWER_TIMEOUT;
import static dev.avatargateway.gateway.GatewayPair.CAT;
import static dev.avatargateway.gateway.GatewayPair.answers;
import static dev.avatargateway.gateway.GatewayPair.codes;
import static dev.avatargateway.gateway.GatewayPair.rateLimitYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.simulator.SessionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances in separate processes ({@link GatewayJvm}) keeping one set of books: one
 * PostgreSQL ledger (a schema of this run's own, dropped after) and one Redis (a key prefix of this
 * run's own, deleted after), with the simulator playing Runway in the test's JVM over real HTTP.
 * Connects are spread over both instances and must be limited as one instance would limit them: a
 * principal's bucket, a principal's daily budget; and a {@code kill -9} of one instance must leave
 * the other cancelling what the dead one had not handed over. Without PostgreSQL or Redis every
 * test is skipped, saying how to run it; with {@code CI=true} they fail. All but the settings and
 * the tests is a {@link GatewayPair}.
 *
 * <p>The two gateways are started once for the class (each JVM costs seconds here) and every test
 * has principals of its own. The settings are shared, so they are chosen not to get in each other's
 * way: a bucket of {@value #BUCKET} connects per principal, a budget of {@value #SESSIONS_PER_DAY}
 * sessions per principal and day (smaller, so that the budget test is not cut short by the bucket),
 * and the per-principal concurrency cap off. The kill test runs last: it leaves one instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceEndToEndTest {
  /**
   * Each principal's connect bucket, shared through Redis; refills too slowly to matter here. Three
   * times as many connects of one principal at once (15 on each instance) contend for its one
   * bucket key: each instance batches its operations on one key, so that Bucket4j's
   * compare-and-swap races only the other instance, and none of them is refused 503 {@code
   * limits_unavailable} for a Redis that is fine.
   */
  private static final int BUCKET = 10;

  /** {@code budgets.perPrincipal.sessionsPerDay}, kept in the ledger; below {@link #BUCKET}. */
  private static final int SESSIONS_PER_DAY = 3;

  /**
   * The shortest lease the ledger accepts with a heartbeat of {@link #HEARTBEAT}: three heartbeats
   * (LedgerConfig), so that the kill test waits seconds rather than the default half minute.
   */
  private static final Duration LEASE = Duration.ofSeconds(3);

  /** {@code ledger.heartbeatInterval}: short, so that the lease can be. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /** How often the survivor looks for sessions of dead instances. */
  private static final Duration RECOVERY_INTERVAL = Duration.ofSeconds(1);

  /**
   * What the kill test allows beyond the lease and one recovery sweep: the survivor's keeper ticks
   * once a second (Books.TICK), its lease check reads the dead run's last heartbeat, which may be
   * up to one heartbeat older than the kill, and a 2-core machine running other builds delays
   * threads by seconds. This bounds the wait; the measured time is printed.
   */
  private static final Duration RECOVERY_SLACK = Duration.ofSeconds(10);

  /** Connects that wait for READY until the test ends them. */
  private static final Duration NEVER_READY = Duration.ofMinutes(10);

  /** {@code sessions.readerGrace} (its default): how long a start may go unwatched. */
  private static final Duration READER_GRACE = Duration.ofSeconds(5);

  @TempDir static Path dir;

  private final GatewayPair pair =
      new GatewayPair(getClass(), "alice", "bob", "carol", "heidi", "dave", "erin", "frank");

  private GatewayJvm first;
  private GatewayJvm second;

  @BeforeAll
  void startTwoGateways() {
    if (!pair.open(dir)) {
      return; // each test says so (assumeStores)
    }
    // The first creates and migrates the schema; the second finds it migrated.
    first = pair.start("first", yaml());
    second = pair.start("second", yaml());
    pair.warmUp();
  }

  @BeforeEach
  void assumeStores() {
    pair.assumeAvailable();
  }

  @AfterAll
  void stopAndCleanUp() throws Exception {
    pair.close();
  }

  @Test
  @Order(1)
  void aPrincipalsBucketOfNAdmitsExactlyNAcrossBothInstances() throws Exception {
    int attempts = 3 * BUCKET;

    List<GatewayHarness.Response> answers = answers(pair.connects(attempts, "alice"));

    // Exactly BUCKET got past the bucket; the daily budget (smaller) then admitted some of those
    // and refused the others: neither is rate_limited.
    pair.explainingFailure(
        () -> {
          Map<String, Long> codes = codes(answers);
          assertThat(codes.getOrDefault("ok", 0L) + codes.getOrDefault("quota_exceeded", 0L))
              .as("past the bucket, in %s", codes)
              .isEqualTo(BUCKET);
          assertThat(codes)
              .containsEntry("rate_limited", (long) (attempts - BUCKET))
              .containsEntry("ok", (long) SESSIONS_PER_DAY)
              .containsEntry("quota_exceeded", (long) (BUCKET - SESSIONS_PER_DAY));
          answers.stream()
              .filter(answer -> answer.code().equals("rate_limited"))
              .forEach(answer -> assertThat(answer.status()).isEqualTo(429));
        });
  }

  @Test
  @Order(2)
  void aDailyBudgetHoldsExactlyUnderConcurrentStartsOnBothInstances() throws Exception {
    // As many as the bucket lets through, so that only the budget refuses.
    List<GatewayHarness.Response> answers = answers(pair.connects(BUCKET, "bob"));

    pair.explainingFailure(
        () -> {
          assertThat(codes(answers))
              .containsOnly(
                  Map.entry("ok", (long) SESSIONS_PER_DAY),
                  Map.entry("quota_exceeded", (long) (BUCKET - SESSIONS_PER_DAY)));
          // A refused start leaves no row in the shared books (docs/budgets.md).
          assertThat(
                  pair.queryLedger(
                      "SELECT count(*) FROM ledger_sessions WHERE principal_name = ?", "bob"))
              .isEqualTo(SESSIONS_PER_DAY);
        });
  }

  @Test
  @Order(3)
  void
      aSessionStartedOnOneInstanceIsReadAndEndedOnTheOtherButOnlyItsOwnInstanceHandsOverCredentials()
          throws Exception {
    String key = pair.key("carol");
    String id = startOnFirst(key);

    pair.explainingFailure(
        () -> {
          // The ledger is shared: the other instance reads the session.
          GatewayHarness.Response read =
              pair.send(second, "GET", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(read.status()).isEqualTo(200);
          assertThat(read.json().path("id").asString()).isEqualTo(id);
          // But the start runs on the first instance: the second has no credentials to give.
          assertThat(pair.lastEvent(second, id, key)).startsWith("state");
          assertThat(pair.lastEvent(first, id, key)).startsWith("credentials");
          // Ending it works on either: the other instance cancels it upstream and records it.
          GatewayHarness.Response ended =
              pair.send(second, "DELETE", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(ended.status()).isEqualTo(200);
          assertThat(ended.json().path("state").asString()).isEqualTo("cancelled");
          String upstreamId = ended.json().path("sessionId").asString();
          assertThat(pair.simulator().admin().session(upstreamId))
              .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
        });
  }

  @Test
  @Order(4)
  void aStartWatchedOnlyOnAnotherInstanceIsCancelledOnceItsReaderGraceHasPassed() throws Exception {
    String key = pair.key("heidi");
    String id = startOnFirst(key);

    pair.explainingFailure(
        () -> {
          // The only reader is on the wrong instance: the first sees nobody watching its start.
          assertThat(pair.lastEvent(second, id, key)).startsWith("state");
          await()
              .atMost(READER_GRACE.plus(ANSWER_TIMEOUT))
              .until(
                  () ->
                      pair.send(second, "GET", "/api/avatar/sessions/" + id, null, key)
                          .join()
                          .json()
                          .path("state")
                          .asString()
                          .equals("cancelled"));
          GatewayHarness.Response read =
              pair.send(second, "GET", "/api/avatar/sessions/" + id, null, key).join();
          assertThat(read.json().path("outcome").asString()).isEqualTo("client_gone");
          assertThat(pair.simulator().admin().session(read.json().path("sessionId").asString()))
              .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("CANCELLED"));
        });
  }

  @Test
  @Order(5)
  void afterAKillNineTheOtherInstanceCancelsEverySessionLeftWaitingExactlyOnce() throws Exception {
    pair.readyAfter(NEVER_READY);
    Set<String> before = pair.sessionIds();
    // Up to the budget of each of three principals, all on the instance about to die.
    List<String> principals = List.of("dave", "erin", "frank");
    List<CompletableFuture<GatewayHarness.Response>> waiting = new ArrayList<>();
    for (String principal : principals) {
      for (int i = 0; i < SESSIONS_PER_DAY; i++) {
        waiting.add(pair.connect(first, principal));
      }
    }
    int expected = waiting.size();
    // Each polled at least once: its upstream id is in the books then (ledger.md).
    await()
        .atMost(ANSWER_TIMEOUT)
        .until(
            () ->
                pair.newSessions(before).stream().filter(s -> s.getCount() > 0).count()
                    == expected);

    first.kill9();
    long killed = System.nanoTime();
    waiting.forEach(future -> future.cancel(true));
    assertThat(pair.newSessions(before)).hasSize(expected).noneMatch(SessionRecord::terminal);

    pair.explainingFailure(
        () -> {
          await()
              .atMost(LEASE.plus(RECOVERY_INTERVAL).plus(RECOVERY_SLACK))
              .until(() -> pair.newSessions(before).stream().allMatch(SessionRecord::terminal));
          System.err.printf(
              "MultiInstanceEndToEndTest: the survivor cancelled %d sessions %d ms after the"
                  + " kill (lease %s, recovery interval %s)%n",
              expected,
              Duration.ofNanos(System.nanoTime() - killed).toMillis(),
              LEASE,
              RECOVERY_INTERVAL);
          assertThat(pair.newSessions(before))
              .allSatisfy(session -> assertThat(session.status()).isEqualTo("CANCELLED"));
          // Exactly one DELETE each (the simulator counts them per session), and no more for a
          // few more sweeps.
          await()
              .during(RECOVERY_INTERVAL.multipliedBy(3))
              .atMost(RECOVERY_INTERVAL.multipliedBy(10))
              .until(
                  () -> pair.newSessions(before).stream().allMatch(s -> s.cancelRequests() == 1));
          assertThat(
                  pair.queryLedger(
                      "SELECT count(*) FROM ledger_sessions WHERE state = 'cancelled'"
                          + " AND outcome_code = 'recovered'"))
              .isEqualTo(expected);
        });
  }

  /** Starts a session of the principal with {@code key} on the first instance; returns its id. */
  private String startOnFirst(String key) {
    GatewayHarness.Response started =
        pair.send(first, "POST", "/api/avatar/sessions", CAT, key).join();
    assertThat(started.status()).isEqualTo(202);
    return started.json().get("id").asString();
  }

  private String yaml() {
    return pair.authYaml()
        + "connect:\n  deadline: 10m\n  queuedDeadline: 10m\n"
        + rateLimitYaml(BUCKET)
        + "  maxConcurrentConnectsPerPrincipal: 0\n"
        + "  maxUpstreamCreatesInFlight: 0\n"
        + ("budgets:\n  perPrincipal:\n    sessionsPerDay: " + SESSIONS_PER_DAY + "\n")
        + pair.redisYaml(SharedStores.REDIS_URL)
        + pair.ledgerYaml(
            "  heartbeatInterval: "
                + HEARTBEAT.toMillis()
                + "ms\n  leaseDuration: "
                + LEASE.toMillis()
                + "ms\n  recoveryInterval: "
                + RECOVERY_INTERVAL.toMillis()
                + "ms\n");
  }
}
