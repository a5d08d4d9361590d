package dev.avatargateway.gateway.core.internal.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore.Claim;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore.ClaimRequest;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore.Claimed;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore.Done;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore.Running;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idempotency store against a real database, each test on a database (or schema) of its own:
 * {@link H2IdempotencyStoreTest} and {@link PostgresIdempotencyStoreTest} run it. Time is passed
 * in: no test waits on the wall clock.
 */
abstract class IdempotencyStoreContract {
  static final Instant T0 = Instant.parse("2030-01-01T12:00:00.123456Z");
  static final Duration LEASE = Duration.ofSeconds(125);
  static final Duration RETENTION = Duration.ofHours(24);
  static final Duration RUN_LEASE = Duration.ofDays(2);

  /** More threads than the pool has connections: the claims queue for them, as under load. */
  static final int RACERS = 16;

  LedgerConfig config;
  LedgerDatabase database;
  IdempotencyStore store;
  JdbcSessionLedger ledger;

  abstract LedgerConfig newConfig() throws Exception;

  void cleanUp() throws Exception {}

  @BeforeEach
  final void open() throws Exception {
    config = newConfig();
    database = LedgerDatabase.open(config);
    store = new IdempotencyStore(database);
    ledger = new JdbcSessionLedger(database, "run-a", Clock.fixed(T0, ZoneOffset.UTC));
    ledger.registerRun("run-a", "instance-a", T0, T0.plus(RUN_LEASE));
    ledger.registerRun("run-b", "instance-b", T0, T0.plus(RUN_LEASE));
  }

  @AfterEach
  final void close() throws Exception {
    database.close();
    cleanUp();
  }

  static ClaimRequest request(String scope, String fingerprint, String runId, Instant now) {
    return new ClaimRequest(
        scope, "alice", "connect", fingerprint, runId, now, now.plus(LEASE), now.plus(RETENTION));
  }

  @Test
  void theMigrationAddsTheTableAsVersion3() {
    assertThat(Integer.parseInt(database.schemaVersion())).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aNewKeyIsClaimedAndAHeldOneIsReportedRunning() {
    Claim first = store.claim(request("s1", "fp1", "run-a", T0));
    Claim second = store.claim(request("s1", "fp1", "run-b", T0.plusSeconds(1)));
    Claim other = store.claim(request("s1", "fp2", "run-b", T0.plusSeconds(1)));

    assertThat(first).isInstanceOf(Claimed.class);
    assertThat(second).isEqualTo(new Running("connect", "fp1"));
    // The store reports what holds the key; the caller compares the fingerprints.
    assertThat(other).isEqualTo(new Running("connect", "fp1"));
    IdempotencyStore.Row row = store.find("s1").orElseThrow();
    assertThat(row.state()).isEqualTo("running");
    assertThat(row.claimId()).isEqualTo(((Claimed) first).claimId());
    assertThat(row.leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
    assertThat(row.expiresAt()).isEqualTo(T0.plus(RETENTION));
  }

  @Test
  void ofManyClaimsAtOnceExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(RACERS);
    // Run b claims through a pool of its own, as a second gateway instance on the same books.
    LedgerDatabase secondInstance = LedgerDatabase.open(config);
    IdempotencyStore storeOfB = new IdempotencyStore(secondInstance);
    try {
      for (int round = 0; round < 5; round++) {
        String scope = "race-" + round;
        CyclicBarrier start = new CyclicBarrier(RACERS);
        List<Future<Claim>> claims = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
          String run = i % 2 == 0 ? "run-a" : "run-b";
          IdempotencyStore through = i % 2 == 0 ? store : storeOfB;
          claims.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return through.claim(request(scope, "fp", run, T0));
                  }));
        }
        List<Claim> results = new ArrayList<>();
        for (Future<Claim> claim : claims) {
          results.add(claim.get(30, TimeUnit.SECONDS));
        }

        assertThat(results).filteredOn(Claimed.class::isInstance).hasSize(1);
        assertThat(results)
            .filteredOn(c -> !(c instanceof Claimed))
            .hasSize(RACERS - 1)
            .allSatisfy(c -> assertThat(c).isEqualTo(new Running("connect", "fp")));
      }
    } finally {
      pool.shutdownNow();
      secondInstance.close();
    }
  }

  @Test
  void aCompletedClaimIsDoneWithItsAnswerAndOnlyItsOwnerCompletesIt() {
    Claimed claimed = (Claimed) store.claim(request("s1", "fp1", "run-a", T0));

    assertThat(store.complete("s1", "someone-else", "sealed", T0.plusSeconds(2))).isFalse();
    assertThat(store.release("s1", "someone-else")).isFalse();
    assertThat(store.complete("s1", claimed.claimId(), "sealed-answer", T0.plusSeconds(2)))
        .isTrue();
    assertThat(store.complete("s1", claimed.claimId(), "again", T0.plusSeconds(3))).isFalse();

    assertThat(store.claim(request("s1", "fp1", "run-b", T0.plusSeconds(5))))
        .isEqualTo(new Done("connect", "fp1", "sealed-answer"));
    IdempotencyStore.Row row = store.find("s1").orElseThrow();
    assertThat(row.state()).isEqualTo("done");
    assertThat(row.completedAt()).isEqualTo(T0.plusSeconds(2));
    // A released completed answer stays: release only gives up a running claim.
    assertThat(store.release("s1", claimed.claimId())).isFalse();
  }

  @Test
  void aReleasedKeyIsFreeAgain() {
    Claimed first = (Claimed) store.claim(request("s1", "fp1", "run-a", T0));

    assertThat(store.release("s1", first.claimId())).isTrue();

    Claim again = store.claim(request("s1", "fp2", "run-b", T0.plusSeconds(1)));
    assertThat(again).isInstanceOf(Claimed.class);
    assertThat(store.find("s1").orElseThrow().fingerprint()).isEqualTo("fp2");
  }

  @Test
  void aRunningClaimIsFreeAgainOnceItsLeaseExpiresAndItsFirstOwnerCannotFinishIt() {
    Claimed first = (Claimed) store.claim(request("s1", "fp1", "run-a", T0));
    Instant justBefore = T0.plus(LEASE).minusNanos(1000);

    assertThat(store.claim(request("s1", "fp1", "run-b", justBefore))).isInstanceOf(Running.class);
    Claim taken = store.claim(request("s1", "fp1", "run-b", T0.plus(LEASE)));

    assertThat(taken).isInstanceOf(Claimed.class);
    assertThat(((Claimed) taken).claimId()).isNotEqualTo(first.claimId());
    assertThat(store.complete("s1", first.claimId(), "late", T0.plus(LEASE).plusSeconds(1)))
        .isFalse();
    assertThat(store.release("s1", first.claimId())).isFalse();
    assertThat(store.find("s1").orElseThrow().ownerRunId()).isEqualTo("run-b");
  }

  @Test
  void aClaimOfARunThatDiedIsFreeBeforeItsLease() {
    store.claim(request("s-retired", "fp", "run-a", T0));
    store.claim(request("s-unknown", "fp", "run-never-registered", T0));
    Instant soon = T0.plusSeconds(5);

    assertThat(store.claim(request("s-retired", "fp", "run-b", soon))).isInstanceOf(Running.class);
    ledger.retireRun("run-a", soon);

    assertThat(store.claim(request("s-retired", "fp", "run-b", soon))).isInstanceOf(Claimed.class);
    assertThat(store.claim(request("s-unknown", "fp", "run-b", soon))).isInstanceOf(Claimed.class);
  }

  @Test
  void aRunWhoseLeaseRanOutLosesItsClaims() {
    ledger.registerRun("run-short", "instance-c", T0, T0.plusSeconds(30));
    store.claim(request("s1", "fp", "run-short", T0));

    assertThat(store.claim(request("s1", "fp", "run-b", T0.plusSeconds(29))))
        .isInstanceOf(Running.class);
    assertThat(store.claim(request("s1", "fp", "run-b", T0.plusSeconds(30))))
        .isInstanceOf(Claimed.class);
  }

  @Test
  void aDoneAnswerIsNeverTakenOverWithinItsRetention() {
    Claimed claimed = (Claimed) store.claim(request("s1", "fp1", "run-a", T0));
    store.complete("s1", claimed.claimId(), "answer", T0.plusSeconds(1));
    ledger.retireRun("run-a", T0.plusSeconds(2));

    Instant late = T0.plus(RETENTION).minusSeconds(1);
    assertThat(store.claim(request("s1", "fp1", "run-b", late))).isInstanceOf(Done.class);
    // Past its retention the key is new again, pruned or not.
    assertThat(store.claim(request("s1", "fp2", "run-b", T0.plus(RETENTION))))
        .isInstanceOf(Claimed.class);
    IdempotencyStore.Row row = store.find("s1").orElseThrow();
    assertThat(row.state()).isEqualTo("running");
    assertThat(row.answerSealed()).isNull();
    assertThat(row.expiresAt()).isEqualTo(T0.plus(RETENTION).plus(RETENTION));
  }

  @Test
  void ofManyTakeOversAtOnceExactlyOneWins() throws Exception {
    store.claim(request("s1", "fp", "run-a", T0));
    Instant expired = T0.plus(LEASE).plusSeconds(1);
    ExecutorService pool = Executors.newFixedThreadPool(RACERS);
    try {
      CyclicBarrier start = new CyclicBarrier(RACERS);
      List<Future<Claim>> claims = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        claims.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return store.claim(request("s1", "fp", "run-b", expired));
                }));
      }
      List<Claim> results = new ArrayList<>();
      for (Future<Claim> claim : claims) {
        results.add(claim.get(30, TimeUnit.SECONDS));
      }

      assertThat(results).filteredOn(Claimed.class::isInstance).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void pruningDeletesExactlyTheKeysPastTheirRetention() {
    Claimed old = (Claimed) store.claim(request("old-done", "fp", "run-a", T0));
    store.complete("old-done", old.claimId(), "answer", T0.plusSeconds(1));
    store.claim(request("old-running", "fp", "run-a", T0.plusSeconds(10)));
    store.claim(request("young", "fp", "run-a", T0.plus(Duration.ofHours(1))));

    assertThat(store.prune(T0.plus(RETENTION).minusNanos(1000), 100)).isZero();
    assertThat(store.prune(T0.plus(RETENTION), 100)).isEqualTo(1);
    assertThat(store.find("old-done")).isEmpty();
    assertThat(store.find("old-running")).isPresent();

    assertThat(store.prune(T0.plus(RETENTION).plusSeconds(10), 100)).isEqualTo(1);
    assertThat(store.find("old-running")).isEmpty();
    assertThat(store.find("young")).isPresent();
  }

  @Test
  void pruningWorksInBatchesOldestFirst() {
    for (int i = 0; i < 7; i++) {
      store.claim(request("k" + i, "fp", "run-a", T0.plusSeconds(i)));
    }
    Instant later = T0.plus(RETENTION).plusSeconds(100);

    assertThat(store.prune(later, 3)).isEqualTo(3);
    assertThat(store.find("k0")).isEmpty();
    assertThat(store.find("k2")).isEmpty();
    assertThat(store.find("k3")).isPresent();
    assertThat(store.prune(later, 3)).isEqualTo(3);
    assertThat(store.prune(later, 3)).isEqualTo(1);
    assertThat(store.prune(later, 3)).isZero();
  }
}
