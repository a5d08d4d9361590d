package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.LedgerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcSessionLedger#newestFirst}: the session listings' keyset pages, on a real database.
 * {@link H2SessionListingTest} and {@link PostgresSessionListingTest} run it.
 */
abstract class SessionListingContract {
  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00.123456Z");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  JdbcSessionLedger ledger;

  /** A configuration for a new, empty database or schema. */
  abstract LedgerConfig newConfig() throws Exception;

  final <T extends AutoCloseable> T track(T resource) {
    toClose.add(0, resource);
    return resource;
  }

  @BeforeEach
  final void openLedger() throws Exception {
    LedgerDatabase database = track(LedgerDatabase.open(newConfig()));
    ledger = new JdbcSessionLedger(database, "run-a", Clock.fixed(T0, ZoneOffset.UTC));
    ledger.registerRun("run-a", "instance-a", T0, T0.plusSeconds(30));
  }

  @AfterEach
  final void closeEverything() throws Exception {
    TestDatabases.closeAll(toClose);
  }

  private String record(String principal, Instant acceptedAt) {
    String id = UUID.randomUUID().toString();
    ledger.recordIntent(
        new SessionIntent(
            id,
            principal,
            null,
            "cat-character",
            "runway-preset",
            null,
            "credentials",
            300,
            acceptedAt));
    return id;
  }

  private List<String> allPages(String principal, Set<SessionState> states, int pageSize) {
    List<String> ids = new ArrayList<>();
    JdbcSessionLedger.PageKey after = null;
    while (true) {
      List<SessionRow> page = ledger.newestFirst(principal, states, after, pageSize);
      page.forEach(row -> ids.add(row.gatewayId()));
      if (page.size() < pageSize) {
        return ids;
      }
      after = JdbcSessionLedger.PageKey.of(page.getLast());
    }
  }

  @Test
  void pagesGoNewestFirstWithoutRepeatsOrGapsAlsoWhenInstantsTie() {
    List<String> alices = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // Two sessions share each instant: the id breaks the tie.
      alices.add(record("alice", T0.plusSeconds(i / 2)));
      record("bob", T0.plusSeconds(i));
    }

    List<String> listed = allPages("alice", Set.of(), 2);

    assertThat(listed).containsExactlyInAnyOrderElementsOf(alices).doesNotHaveDuplicates();
    List<SessionRow> rows = listed.stream().map(id -> ledger.find(id).orElseThrow()).toList();
    for (int i = 1; i < rows.size(); i++) {
      SessionRow newer = rows.get(i - 1);
      SessionRow older = rows.get(i);
      assertThat(
              newer.acceptedAt().isAfter(older.acceptedAt())
                  || (newer.acceptedAt().equals(older.acceptedAt())
                      && newer.gatewayId().compareTo(older.gatewayId()) > 0))
          .as("%s before %s", newer, older)
          .isTrue();
    }
  }

  @Test
  void everyonesSessionsAndAStateFilter() {
    String alice = record("alice", T0);
    String bob = record("bob", T0.plusSeconds(1));
    ledger.recordCreated(bob, "up-bob", T0.plusSeconds(2));

    assertThat(allPages(null, Set.of(), 10)).containsExactly(bob, alice);
    assertThat(allPages(null, Set.of(SessionState.CREATED), 10)).containsExactly(bob);
    assertThat(allPages("bob", Set.of(SessionState.PENDING), 10)).isEmpty();
    assertThat(allPages("carol", Set.of(), 10)).isEmpty();
  }

  @Test
  void rowsRecordedAfterAPageDoNotShiftTheNextOne() {
    String older = record("alice", T0);
    String newer = record("alice", T0.plusSeconds(1));
    List<SessionRow> first = ledger.newestFirst("alice", Set.of(), null, 1);
    assertThat(first).extracting(SessionRow::gatewayId).containsExactly(newer);

    record("alice", T0.plusSeconds(5));
    List<SessionRow> second =
        ledger.newestFirst("alice", Set.of(), JdbcSessionLedger.PageKey.of(first.getLast()), 1);

    assertThat(second).extracting(SessionRow::gatewayId).containsExactly(older);
  }
}
