package dev.avatargateway.gateway.core.internal.books;

import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger writes a connect does not wait on (its session was cancelled, failed, ended; see
 * {@link LedgerRecorder}) that the database could not take: kept in memory, in order, and written
 * by the {@link SessionKeeper} once the database answers again, before its other work. Without them
 * a row would stay {@code created} or {@code pending} while its session was in fact cancelled
 * upstream, until this run ends and another takes the row over.
 *
 * <p>Order: a connect's writes are applied in the order it made them. Once one of them waits here,
 * its later ones wait behind it instead of going to the database first (a {@code Cancelled} must
 * not land after the {@code Ended} that follows it, nor a {@code CancelFailed} after the cancel the
 * keeper then confirms). A connect's events come from its own thread, one after another, so the
 * check and the write need no lock across them; the keeper removes a write only after it applied,
 * so a connect never overtakes a write being replayed.
 *
 * <p>Bound: at most {@link #MAX_PENDING_WRITES}. A write beyond that is dropped, logged once per
 * outage (until everything waiting was written): its row keeps the state it had, still owned by
 * this run, and is settled by recovery (reading the session upstream) when this run ends and
 * another one, or this instance's next run, takes it over. The same holds for everything still
 * waiting when the process dies.
 *
 * <p>A write whose commit reached the database but whose answer did not is written twice: the
 * ledger's transitions are compare-and-sets and do nothing the second time; only a count of
 * upstream requests can be added twice, which the books can bear.
 */
final class PendingWrites {
  private static final Logger LOG = LoggerFactory.getLogger(PendingWrites.class);

  /**
   * The most writes kept. Only connects that were in flight when the database went away add to it
   * (new ones are refused at their intent, which is not deferred), two or three writes each: 10,000
   * covers thousands of such connects, more than an instance carries at once, at a few hundred
   * bytes a write (a few MB at most).
   */
  static final int MAX_PENDING_WRITES = 10_000;

  /**
   * How many rounds a kept write may fail while the database otherwise answers before it is
   * dropped: a write that fails against a working database (a lock it keeps waiting for, a
   * constraint it breaks) would otherwise hold up every write behind it, and the keeper's other
   * work, for good. A write that waits on a lock already waited up to the statement time-out
   * ({@link dev.avatargateway.gateway.core.internal.ledger.LedgerJdbc#STATEMENT_TIMEOUT_SECONDS})
   * in each round, so three rounds ride out any passing lock.
   */
  static final int MAX_FAILURES_WHILE_ANSWERING = 3;

  /** One deferred write; throws {@link LedgerException} when the database fails it. */
  @FunctionalInterface
  interface Write {
    void apply();
  }

  private static final class Entry {
    final String connectId;
    final String what;
    final Write write;

    /** Rounds in which it failed while the database answered; only the keeper touches it. */
    int failures;

    Entry(String connectId, String what, Write write) {
      this.connectId = connectId;
      this.what = what;
      this.write = write;
    }
  }

  private final int capacity;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();

  /** How many writes of each connect wait in {@link #queue}. */
  private final Map<String, Integer> perConnect = new HashMap<>();

  /** Whether a drop was logged since the queue last emptied. */
  private boolean dropLogged;

  PendingWrites() {
    this(MAX_PENDING_WRITES);
  }

  /** With another bound, for tests. */
  PendingWrites(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Writes now, unless an earlier write of the same connect still waits; keeps the write for later
   * when the database fails it. Never throws a {@link LedgerException}.
   *
   * @param what the event, for the logs
   */
  void write(String connectId, String what, Write write) {
    synchronized (this) {
      if (perConnect.containsKey(connectId)) {
        keep(connectId, what, write);
        return;
      }
    }
    try {
      write.apply();
    } catch (LedgerException e) {
      boolean first;
      synchronized (this) {
        first = queue.isEmpty();
        keep(connectId, what, write);
      }
      if (first) {
        LOG.warn(
            "The session ledger could not record {} of connect {}; keeping it, and what follows,"
                + " in memory until the database answers",
            what,
            connectId,
            e);
      } else {
        LOG.debug("Kept {} of connect {} for later", what, connectId, e);
      }
    }
  }

  private void keep(String connectId, String what, Write write) {
    if (queue.size() >= capacity) {
      if (!dropLogged) {
        dropLogged = true;
        LOG.warn(
            "{} ledger writes wait for the database already; dropping {} of connect {} and any"
                + " further ones until they are written: their rows are settled by recovery once"
                + " this run ends",
            queue.size(),
            what,
            connectId);
      }
      return;
    }
    queue.addLast(new Entry(connectId, what, write));
    perConnect.merge(connectId, 1, Integer::sum);
  }

  /**
   * Writes what waits, oldest first, and stops at the first write the database fails. Called by one
   * thread at a time (the keeper's round).
   *
   * @param databaseAnswers asked only when a write fails: whether the database answers all the
   *     same, and then the write counts one failure of its own (see {@link
   *     #MAX_FAILURES_WHILE_ANSWERING})
   * @return whether nothing waits any more
   */
  boolean replay(BooleanSupplier databaseAnswers) {
    int written = 0;
    while (true) {
      Entry head;
      synchronized (this) {
        head = queue.peekFirst();
        if (head == null) {
          dropLogged = false;
          break;
        }
      }
      try {
        head.write.apply();
      } catch (LedgerException e) {
        if (!databaseAnswers.getAsBoolean() || ++head.failures < MAX_FAILURES_WHILE_ANSWERING) {
          if (written > 0) {
            LOG.info("Recorded {} kept ledger write(s); {} still wait", written, size());
          }
          LOG.debug("The ledger still fails the kept writes", e);
          return false;
        }
        LOG.error(
            "Dropping a kept ledger write ({} of connect {}) that the database, which answers,"
                + " failed {} times; recovery settles its row once this run ends",
            head.what,
            head.connectId,
            head.failures,
            e);
      } catch (RuntimeException e) {
        // Not the database: the write itself is wrong, and trying it again would block the rest.
        LOG.error("Dropping a kept ledger write ({} of connect {})", head.what, head.connectId, e);
      }
      synchronized (this) {
        queue.pollFirst();
        perConnect.computeIfPresent(head.connectId, (id, n) -> n == 1 ? null : n - 1);
      }
      written++;
    }
    if (written > 0) {
      LOG.info("Recorded the {} ledger write(s) kept while the database did not answer", written);
    }
    return true;
  }

  /** How many writes wait. */
  synchronized int size() {
    return queue.size();
  }
}
