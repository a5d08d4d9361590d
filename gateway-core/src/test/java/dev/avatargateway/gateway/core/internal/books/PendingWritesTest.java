package dev.avatargateway.gateway.core.internal.books;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kept writes' order, bound and give-up rule, with writes that fail as a database that does not
 * answer would; {@link PostgresPendingWritesTest} takes them through a real outage.
 */
class PendingWritesTest {
  private final List<String> written = new ArrayList<>();
  private boolean databaseDown = true;

  private PendingWrites.Write write(String what) {
    return () -> {
      if (databaseDown) {
        throw new LedgerException("the database does not answer");
      }
      written.add(what);
    };
  }

  @Test
  void aConnectsLaterWritesWaitBehindItsKeptOnesWhileOthersGoStraightThrough() {
    PendingWrites pending = new PendingWrites();
    pending.write("a", "Cancelled", write("a1"));
    databaseDown = false;
    pending.write("a", "Ended", write("a2"));
    pending.write("b", "Cancelled", write("b1"));

    assertThat(written).containsExactly("b1");
    assertThat(pending.size()).isEqualTo(2);
    assertThat(pending.replay(() -> true)).isTrue();
    assertThat(written).containsExactly("b1", "a1", "a2");
    assertThat(pending.size()).isZero();
    pending.write("a", "Ended", write("a3"));
    assertThat(written).endsWith("a3");
  }

  @Test
  void whileTheDatabaseDoesNotAnswerNothingIsDroppedAndTheRoundStops() {
    PendingWrites pending = new PendingWrites();
    pending.write("a", "Cancelled", write("a1"));
    pending.write("b", "Cancelled", write("b1"));

    for (int round = 0; round < 2 * PendingWrites.MAX_FAILURES_WHILE_ANSWERING; round++) {
      assertThat(pending.replay(() -> false)).isFalse();
    }
    assertThat(pending.size()).isEqualTo(2);
    databaseDown = false;
    assertThat(pending.replay(() -> true)).isTrue();
    assertThat(written).containsExactly("a1", "b1");
  }

  @Test
  void aWriteThatKeepsFailingWhileTheDatabaseAnswersIsDroppedAndTheRestGoOn() {
    PendingWrites pending = new PendingWrites();
    pending.write(
        "a",
        "Cancelled",
        () -> {
          throw new LedgerException("lock wait timeout");
        });
    pending.write("b", "Cancelled", write("b1"));
    databaseDown = false;

    for (int round = 1; round < PendingWrites.MAX_FAILURES_WHILE_ANSWERING; round++) {
      assertThat(pending.replay(() -> true)).isFalse();
      assertThat(written).isEmpty();
    }
    assertThat(pending.replay(() -> true)).isTrue();
    assertThat(written).containsExactly("b1");
    assertThat(pending.size()).isZero();
  }

  @Test
  void beyondTheBoundWritesAreDroppedUntilTheKeptOnesAreWritten() {
    PendingWrites pending = new PendingWrites(2);
    pending.write("a", "Cancelled", write("a1"));
    pending.write("b", "Cancelled", write("b1"));
    pending.write("c", "Cancelled", write("c1"));
    pending.write("a", "Ended", write("a2"));
    assertThat(pending.size()).isEqualTo(2);

    databaseDown = false;
    assertThat(pending.replay(() -> true)).isTrue();
    assertThat(written).containsExactly("a1", "b1");
    pending.write("c", "Ended", write("c2"));
    assertThat(written).containsExactly("a1", "b1", "c2");
  }
}
