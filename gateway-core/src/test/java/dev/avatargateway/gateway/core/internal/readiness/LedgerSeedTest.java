package dev.avatargateway.gateway.core.internal.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import dev.avatargateway.gateway.core.internal.ledger.SessionIntent;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A restarted gateway's model starts from the books, on a real (in-memory H2) ledger. */
class LedgerSeedTest {
  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");
  private static final String CAT = "cat-character";

  private final ManualClock clock = new ManualClock(T0);
  private LedgerDatabase database;
  private JdbcSessionLedger ledger;

  @BeforeEach
  void open() {
    database =
        LedgerDatabase.open(
            new LedgerConfig(
                "jdbc:h2:mem:readiness-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                null,
                null,
                null,
                4,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
    ledger = new JdbcSessionLedger(database, "run-a", clock);
    ledger.registerRun("run-a", "instance-a", T0, T0.plusSeconds(30));
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void eachAvatarStartsFromItsLatestSessions() {
    Random random = new Random(1);
    Instant at = T0.minus(Duration.ofDays(1));
    for (int i = 0; i < 80; i++) {
      at = at.plusSeconds(60);
      readySession(CAT, at, ModelSimulation.duration(1.5 * Math.exp(0.25 * random.nextGaussian())));
    }
    readySession("other", at, Duration.ofSeconds(3));
    clock.advanceTo(at.plusSeconds(60));
    ReadinessModel model = new ReadinessModel(ReadinessConfig.defaults(), Runnable::run);

    int seeded = LedgerSeed.seed(model, ledger, ReadinessConfig.defaults(), clock);

    assertThat(seeded).isEqualTo(64 + 1);
    ReadinessModel.Summary summary = model.summary(CAT).orElseThrow();
    assertThat(summary.samples()).isEqualTo(64);
    assertThat(ModelSimulation.seconds(summary.median())).isBetween(1.3, 1.7);
    // Warm from the first session on: no read at once.
    assertThat(model.nextReadAfter(CAT, Duration.ZERO, 0)).isGreaterThan(Duration.ofMillis(800));
    assertThat(model.summary("other")).isEmpty();
  }

  @Test
  void sessionsOlderThanTheLookbackAreLeftOut() {
    for (int i = 0; i < 20; i++) {
      readySession(CAT, T0.minus(Duration.ofDays(8)).plusSeconds(i), Duration.ofSeconds(2));
    }
    ReadinessModel model = new ReadinessModel(ReadinessConfig.defaults(), Runnable::run);

    assertThat(LedgerSeed.seed(model, ledger, ReadinessConfig.defaults(), clock)).isZero();
    assertThat(model.summary(CAT)).isEmpty();
  }

  @Test
  void aLedgerThatCannotAnswerLeavesTheModelCold() {
    readySession(CAT, T0.minusSeconds(60), Duration.ofSeconds(2));
    database.close();
    ReadinessModel model = new ReadinessModel(ReadinessConfig.defaults(), Runnable::run);

    assertThat(LedgerSeed.seed(model, ledger, ReadinessConfig.defaults(), clock)).isZero();
    assertThat(model.summary(CAT)).isEmpty();
  }

  @Test
  void aLookbackOfZeroStartsCold() {
    readySession(CAT, T0.minusSeconds(60), Duration.ofSeconds(2));
    ReadinessConfig cold =
        new ReadinessConfig(null, null, null, null, null, null, 2, Duration.ZERO);
    ReadinessModel model = new ReadinessModel(cold, Runnable::run);

    assertThat(LedgerSeed.seed(model, ledger, cold, clock)).isZero();
  }

  private void readySession(String avatar, Instant createdAt, Duration toReady) {
    String id = UUID.randomUUID().toString();
    ledger.recordIntent(
        new SessionIntent(
            id, "alice", null, avatar, "runway-preset", null, "credentials", null, createdAt));
    ledger.recordCreated(id, "up-" + id, createdAt);
    ledger.transition(
        id, Set.of(SessionState.CREATED), SessionState.READY, createdAt.plus(toReady), null, null);
    ledger.transition(
        id,
        Set.of(SessionState.READY),
        SessionState.CONSUMED,
        createdAt.plus(toReady).plusMillis(5),
        null,
        null);
    assertThat(ledger.find(id).orElseThrow().readyAt()).isNotNull();
  }
}
