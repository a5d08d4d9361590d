package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.Durations;
import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.runway.RateLimitException;
import dev.avatargateway.runway.ReadinessTimeoutException;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayApiException;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.runway.RunwayConnectionException;
import dev.avatargateway.runway.RunwayException;
import dev.avatargateway.runway.RunwayInterruptedException;
import dev.avatargateway.runway.SessionStateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for READY for all of the gateway's waiting sessions at once: one scheduler keeps the due
 * status reads of every session in one priority queue, sends them at the instants the {@link
 * ReadinessModel} proposes, on virtual threads with a bounded number in flight, within one budget
 * of reads per second ({@code readiness.readsPerSecond}, lowered for a while after Runway answers
 * 429: see {@link ReadBudget}). When the budget binds, the reads go first to the sessions whose
 * last read must start within {@link #URGENT} (earliest deadline first; a last read still to come
 * is then made early rather than not at all), then to those most likely to be READY by now (in
 * steps of {@value #CHANCE_RESOLUTION}), the closest to its deadline among equally likely ones. A
 * session Runway reports queued for capacity is read every {@code readiness.queuedInterval}.
 *
 * <p>{@link #await} blocks the calling thread, as runway-client's {@code
 * RealtimeSessions.awaitReady(id, ReadinessWait)} does, with the same outcomes:
 *
 * <ul>
 *   <li>the {@link RealtimeSession.Ready} status, with its session key;
 *   <li>{@link ReadinessTimeoutException} when the deadline in force passes first: {@code
 *       deadline}, or {@code queuedDeadline} once the session was seen queued (its {@code queued()}
 *       says which). As in the client, the first read is always made (at once when the deadline is
 *       near), no later read starts less than {@value #FINAL_READ_ALLOWANCE_MILLIS} ms before that
 *       deadline, the last one comes just then, and the wait gives up as soon as no further read
 *       fits;
 *   <li>{@link SessionStateException} when the session is FAILED, CANCELLED, COMPLETED or RUNNING
 *       (consumed by someone else);
 *   <li>{@link RunwayInterruptedException} when the waiting thread is interrupted (its interrupt
 *       status set again; the session leaves the poller at once and is not read again), or when the
 *       poller closes;
 *   <li>any other {@link RunwayException} of a status read that failed after {@value
 *       #MAX_READ_RETRIES} retries, as the client threw it; or the last failure (a {@link
 *       RateLimitException} too) when the deadline leaves no further read after it.
 * </ul>
 *
 * <p>Retries: the poller sends each status read without runway-client's own retries and retries it
 * itself, so that every attempt goes through the budget and a 429 reaches the budget at once
 * instead of after the client's back-offs. A read that fails as the client would retry (a
 * connection failure or time-out, 408, 409, 5xx) is tried again after {@link #RETRY_BACKOFF},
 * doubling, up to {@value #MAX_READ_RETRIES} times in a row, as the client would (its {@code
 * runway.maxRetries} setting does not apply to status reads); a 429 lowers the budget's rate (see
 * {@link ReadBudget}) and the session is read again as the lowered budget allows, until its
 * deadline, since a refusal for rate says nothing about the session.
 *
 * <p>{@code onStatus} sees every status read, in order, on the waiting thread, before the outcome.
 * Each read carries the deadline in force as its request deadline.
 *
 * <p>Threads: {@link #start} runs the scheduler on a platform thread of its own, which sleeps until
 * the next read is due or an answer arrives (give it a model that fits off that thread, {@link
 * ReadinessModel#create}). {@link #manual} has no thread: {@link #runDue()} does one round of the
 * scheduler's work at the clock's now, so tests drive it on a clock of their own without sleeping.
 */
public final class ReadinessPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadinessPoller.class);

  /**
   * Time kept for the last status read before a deadline, as runway-client's {@code awaitReady}
   * keeps: a read takes tens of milliseconds, and one that cannot finish before the deadline is not
   * worth starting.
   */
  static final long FINAL_READ_ALLOWANCE_MILLIS = 250;

  static final Duration FINAL_READ_ALLOWANCE = Duration.ofMillis(FINAL_READ_ALLOWANCE_MILLIS);

  /**
   * The rank of a queued session's read when the budget binds: it moves when capacity frees, which
   * no model predicts, so it goes after the sessions the model expects to be READY now, and before
   * those it does not expect for long.
   */
  static final double QUEUED_CHANCE = 0.1;

  /**
   * The rank of a read for an avatar the model does not know yet: an even chance, neither favoured
   * nor starved.
   */
  static final double UNKNOWN_CHANCE = 0.5;

  /**
   * The scheduler's longest sleep: a lost wake-up, or a wait for a free slot of reads in flight, is
   * over within this.
   */
  static final Duration MAX_SLEEP = Duration.ofMillis(100);

  /**
   * The shortest pause between two rounds that rank more due sessions than they can read: a status
   * read takes a few to tens of milliseconds, so 10 ms lets several answers free their slots
   * between two rankings, and delays a read by at most 10 ms when the budget binds anyway.
   */
  static final Duration RANK_INTERVAL = Duration.ofMillis(10);

  /**
   * A waiting thread gives up by itself this long after its queued deadline, should the scheduler
   * ever fail to answer it (a read's own deadline cuts it off before).
   */
  static final Duration WATCHDOG_GRACE = Duration.ofSeconds(10);

  /** How often a waiting thread checks its watchdog. */
  private static final Duration WATCHDOG_TICK = Duration.ofSeconds(1);

  /**
   * A status read that failed as runway-client would retry is tried this many more times in a row
   * before the wait ends with its failure: the client's default.
   */
  static final int MAX_READ_RETRIES = RunwayClient.DEFAULT_MAX_RETRIES;

  /**
   * The pause before a failed status read is tried again, doubling with each failure in a row: the
   * official SDK's first back-off, which runway-client keeps too.
   */
  static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

  /**
   * When the budget binds, a session whose last read must start within this goes first, earliest
   * deadline first: otherwise a crowd of sessions likelier to be READY could keep it unread past
   * its deadline. One second: a second of the budget serves {@code readsPerSecond} such sessions,
   * and a session is no longer urgent while it still has a second to spare.
   */
  static final Duration URGENT = Duration.ofSeconds(1);

  /**
   * When the budget binds, sessions whose chances of being READY differ by less than this are
   * ranked by deadline instead (the closest first): a READY burst makes every chance nearly 1, and
   * such differences say less than the time the sessions have left.
   */
  static final double CHANCE_RESOLUTION = 0.05;

  private static final int REQUEST_TIMEOUT = 408;
  private static final int CONFLICT = 409;
  private static final int FIRST_SERVER_ERROR = 500;

  /** How long {@link #close()} waits for the scheduler thread to end. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final RealtimeSessions sessions;
  private final ReadinessModel model;
  private final ReadBudget budget;
  private final int configuredReadsPerSecond;
  private final Executor readers;
  private final ExecutorService ownReaders;
  private final Clock clock;
  private final int maxInFlight;

  /** When a round last ranked more due sessions than it could read; scheduler thread only. */
  private Instant lastRanked;

  private final Duration queuedInterval;
  private final Queue<Waiter> arrivals = new ConcurrentLinkedQueue<>();
  private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicLong arrivalOrder = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong reads = new AtomicLong();
  private final Thread scheduler;
  private volatile boolean closed;

  /** The scheduler's own: touched under this poller's monitor only. */
  private final PriorityQueue<Waiter> due =
      new PriorityQueue<>(
          Comparator.comparing((Waiter w) -> w.nextReadAt).thenComparingLong(w -> w.order));

  private ReadinessPoller(
      RealtimeSessions sessions,
      ReadinessModel model,
      ReadinessConfig config,
      Clock clock,
      Executor readers,
      ExecutorService ownReaders,
      boolean threaded) {
    config.validate();
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.model = Objects.requireNonNull(model, "model");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.readers = Objects.requireNonNull(readers, "readers");
    this.ownReaders = ownReaders;
    this.budget = new ReadBudget(config.readsPerSecond(), clock);
    this.configuredReadsPerSecond = config.readsPerSecond();
    this.maxInFlight = config.maxReadsInFlight();
    this.queuedInterval = config.queuedInterval();
    this.scheduler =
        threaded
            ? Thread.ofPlatform().name("readiness-poller").daemon().unstarted(this::loop)
            : null;
  }

  /**
   * Starts a poller with its scheduler thread, reading on virtual threads.
   *
   * @param sessions the upstream, with its own retries
   * @param model when to read
   * @param config the budget, the reads in flight and the queued interval
   * @param clock the time
   */
  public static ReadinessPoller start(
      RealtimeSessions sessions, ReadinessModel model, ReadinessConfig config, Clock clock) {
    ExecutorService readers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("readiness-read-", 0).factory());
    ReadinessPoller poller =
        new ReadinessPoller(sessions, model, config, clock, readers, readers, true);
    poller.scheduler.start();
    return poller;
  }

  /**
   * A poller without a thread of its own: nothing happens but in {@link #runDue()}. For tests and
   * tools; with {@code Runnable::run} as {@code readers}, each read runs inside {@link #runDue()}.
   */
  public static ReadinessPoller manual(
      RealtimeSessions sessions,
      ReadinessModel model,
      ReadinessConfig config,
      Clock clock,
      Executor readers) {
    return new ReadinessPoller(sessions, model, config, clock, readers, null, false);
  }

  /**
   * Waits until the session is READY and returns it.
   *
   * @throws ReadinessTimeoutException when the deadline in force passes first
   * @throws SessionStateException on FAILED, CANCELLED, COMPLETED or RUNNING
   * @throws RunwayInterruptedException when the thread is interrupted or the poller closes
   * @throws RunwayException when a status read failed after the client's retries
   */
  public RealtimeSession.Ready await(
      String sessionId,
      String avatarId,
      Instant createdAt,
      Instant deadline,
      Instant queuedDeadline,
      Consumer<RealtimeSession> onStatus) {
    return await(
        ReadinessRequest.of(sessionId, avatarId, createdAt, deadline, queuedDeadline, onStatus));
  }

  /** {@link #await(String, String, Instant, Instant, Instant, Consumer)} with every option. */
  public RealtimeSession.Ready await(ReadinessRequest request) {
    Objects.requireNonNull(request, "request");
    Waiter w = new Waiter(request, arrivalOrder.incrementAndGet());
    waiting.add(w);
    if (closed) {
      leave(w);
      throw closedFor(request.sessionId());
    }
    arrivals.add(w);
    wake();
    Instant watchdog = request.queuedDeadline().plus(WATCHDOG_GRACE);
    try {
      while (true) {
        Message message = w.mailbox.poll(WATCHDOG_TICK.toNanos(), TimeUnit.NANOSECONDS);
        if (message == null) {
          if (clock.instant().isAfter(watchdog)) {
            LOG.error("The readiness poller left session {} unanswered", request.sessionId());
            throw new ReadinessTimeoutException(request.sessionId(), false);
          }
          continue;
        }
        switch (message) {
          case Seen seen -> request.onStatus().accept(seen.session());
          case Ready ready -> {
            return ready.ready();
          }
          case Ended ended -> throw new SessionStateException(ended.session());
          case TimedOut timedOut ->
              throw new ReadinessTimeoutException(request.sessionId(), timedOut.queued());
          case Failed failed -> throw failed.failure();
          case Closed c -> throw closedFor(request.sessionId());
        }
      }
    } catch (InterruptedException e) {
      leave(w);
      Thread.currentThread().interrupt();
      throw new RunwayInterruptedException(
          "Interrupted while waiting for session " + request.sessionId() + " to be READY", e);
    } finally {
      leave(w);
    }
  }

  /** How many sessions are waiting. */
  public int waiting() {
    return waiting.size();
  }

  /** How many status reads are waiting for their answers. */
  public int readsInFlight() {
    return inFlight.get();
  }

  /** How many status reads this poller has started. */
  public long readsStarted() {
    return reads.get();
  }

  /**
   * The read budget's rate in force, in reads a second: {@code readiness.readsPerSecond} until
   * Runway answers a status read with 429, lower for a while after (see {@link ReadBudget}). For a
   * gauge.
   */
  public double effectiveReadsPerSecond() {
    return budget.rate();
  }

  /**
   * One round of the scheduler at the clock's now: takes in new sessions and answers, gives up on
   * sessions whose deadline leaves no read, and starts the reads that are due (the likeliest READY
   * first, as far as the budget and the reads in flight allow). Repeats while reads answered during
   * the round (as they do with a direct executor).
   *
   * @return when the scheduler next has something to do, unless woken before
   */
  public synchronized Instant runDue() {
    Instant wake;
    do {
      takeArrivals();
      takeAnswers();
      wake = launchDue(clock.instant());
    } while (!answers.isEmpty() || !arrivals.isEmpty());
    return wake;
  }

  /**
   * Stops the scheduler; every session still waiting gets {@link RunwayInterruptedException}. Reads
   * in flight are abandoned. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (scheduler != null) {
      LockSupport.unpark(scheduler);
      try {
        scheduler.join(CLOSE_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Waiter w : List.copyOf(waiting)) {
      finish(w, new Closed());
    }
    if (ownReaders != null) {
      ownReaders.shutdownNow();
    }
  }

  private void loop() {
    while (!closed) {
      Instant wake;
      try {
        wake = runDue();
      } catch (RuntimeException e) {
        LOG.error("A round of the readiness poller failed; the next one follows", e);
        wake = clock.instant().plus(MAX_SLEEP);
      }
      if (closed || !arrivals.isEmpty() || !answers.isEmpty()) {
        continue;
      }
      long nanos = Math.min(Duration.between(clock.instant(), wake).toNanos(), MAX_SLEEP.toNanos());
      if (nanos > 0) {
        LockSupport.parkNanos(this, nanos);
      }
    }
  }

  private void wake() {
    if (scheduler != null) {
      LockSupport.unpark(scheduler);
    }
  }

  private void takeArrivals() {
    for (Waiter w = arrivals.poll(); w != null; w = arrivals.poll()) {
      if (!w.gone) {
        w.origin = w.request.createdAt();
        schedule(w, clock.instant());
      }
    }
  }

  private void takeAnswers() {
    for (Answer a = answers.poll(); a != null; a = answers.poll()) {
      Waiter w = a.waiter();
      if (w.gone) {
        continue;
      }
      if (a.failure() != null) {
        failed(w, a.failure());
        continue;
      }
      w.failedReads = 0;
      w.lastFailure = null;
      w.notBefore = null;
      RealtimeSession session = a.session();
      w.mailbox.add(new Seen(session));
      // The upstream looked at the session somewhere between sending and answering.
      Instant seenAt = a.sentAt().plus(Duration.between(a.sentAt(), a.answeredAt()).dividedBy(2));
      switch (session) {
        case RealtimeSession.Ready ready -> {
          if (!w.seenQueued) {
            model.recordReady(
                w.request.avatarId(),
                w.notReadyAt == null ? Duration.ZERO : w.notReadyAt,
                nonNegative(Duration.between(w.origin, seenAt)));
          }
          finish(w, new Ready(ready));
        }
        case RealtimeSession.NotReady notReady -> {
          if (notReady.queued()) {
            // Provisioning starts when capacity frees: the model's clock starts at the last
            // sighting in the queue, the earliest it can have started.
            w.seenQueued = true;
            w.queuedNow = true;
            w.origin = seenAt;
            w.readsSinceOrigin = 0;
            w.notReadyAt = null;
          } else {
            w.queuedNow = false;
            w.readsSinceOrigin++;
            w.notReadyAt = nonNegative(Duration.between(w.origin, seenAt));
          }
          schedule(w, clock.instant());
        }
        default -> finish(w, new Ended(session));
      }
    }
  }

  /**
   * A status read failed: a 429 lowers the budget and the session is read again when the budget
   * allows; a failure the client would retry is tried again after a back-off, a few times; any
   * other ends the wait.
   */
  private void failed(Waiter w, RuntimeException failure) {
    Instant now = clock.instant();
    if (failure instanceof RateLimitException limited) {
      double before = budget.rate();
      budget.rateLimited(limited.retryAfter());
      double after = budget.rate();
      if (after < before) {
        // WARN once per episode (the first cut from the configured rate), DEBUG for the cuts that
        // follow, at most one a second: a Runway refusing for an hour is not an hour of WARNs.
        String message =
            "Runway answered a status read with 429 (retry after {}); status reads lowered from"
                + " {} to {} a second, climbing back to readiness.readsPerSecond when the 429s stop";
        String retryAfter = limited.retryAfter().map(Durations::format).orElse("unnamed");
        if (before >= configuredReadsPerSecond) {
          LOG.warn(message, retryAfter, Math.round(before), Math.round(after));
        } else {
          LOG.debug(message, retryAfter, Math.round(before), Math.round(after));
        }
      }
      w.lastFailure = failure;
      schedule(w, now);
    } else if (retryable(failure) && w.failedReads < MAX_READ_RETRIES) {
      w.notBefore = now.plus(RETRY_BACKOFF.multipliedBy(1L << w.failedReads));
      w.failedReads++;
      w.lastFailure = failure;
      schedule(w, now);
    } else {
      finish(w, new Failed(failure));
    }
  }

  /** What runway-client retries on an idempotent request, as far as its exceptions tell. */
  private static boolean retryable(RuntimeException failure) {
    return switch (failure) {
      case RunwayConnectionException connection -> true;
      case RunwayApiException api ->
          api.status() == REQUEST_TIMEOUT
              || api.status() == CONFLICT
              || api.status() >= FIRST_SERVER_ERROR;
      default -> false;
    };
  }

  /** Puts the session's next read in the queue, or gives up when no read fits any more. */
  private void schedule(Waiter w, Instant now) {
    String avatar = w.request.avatarId();
    Instant proposed;
    if (w.queuedNow) {
      proposed = w.lastSentAt.plus(queuedInterval);
    } else if (w.notReadyAt == null) {
      Duration elapsed = nonNegative(Duration.between(w.origin, now));
      proposed = w.origin.plus(model.nextReadAfter(avatar, elapsed, 0));
    } else {
      proposed = w.origin.plus(model.nextReadAfter(avatar, w.notReadyAt, w.readsSinceOrigin));
    }
    Instant earliest =
        w.lastSentAt == null ? now : later(now, w.lastSentAt.plus(ReadinessModel.MIN_GAP));
    if (w.notBefore != null) {
      earliest = later(earliest, w.notBefore);
    }
    proposed = later(proposed, earliest);
    Instant deadline = deadlineInForce(w);
    Instant lastStart = deadline.minus(FINAL_READ_ALLOWANCE);
    w.finalAt = null;
    if (proposed.isAfter(lastStart)) {
      if (w.lastSentAt == null && now.isBefore(deadline)) {
        // The first read is always tried, however close the deadline (as the client does).
        proposed = now;
      } else if (!lastStart.isBefore(earliest)) {
        // The last read, just before the deadline; looked at from URGENT before it on, so that a
        // budget that binds then reads it early rather than not at all (see launchDue). Once read
        // early, the last read is the one just before the deadline.
        boolean readEarly = w.lastSentAt != null && !w.lastSentAt.isBefore(lastStart.minus(URGENT));
        w.finalAt = readEarly ? null : lastStart;
        proposed = readEarly ? lastStart : later(earliest, lastStart.minus(URGENT));
      } else {
        giveUp(w);
        return;
      }
    }
    w.nextReadAt = proposed;
    due.add(w);
  }

  /**
   * Starts the due reads that the budget and the slots in flight allow, the likeliest READY first.
   *
   * @return when to run next
   */
  private Instant launchDue(Instant now) {
    // A round that can start fewer reads than sessions are due takes every due session out of the
    // queue, ranks it and puts it back, and rounds come with every arrival and every answer: with
    // 10,000 sessions due behind a binding budget or a full set of reads in flight, one ranking
    // per answer was most of the poller's CPU. Such rounds rank at most every RANK_INTERVAL and
    // start the reads of several answers at once; the rest wait for the next ranking.
    if (!due.isEmpty()
        && !due.peek().nextReadAt.isAfter(now)
        && lastRanked != null
        && now.isBefore(lastRanked.plus(RANK_INTERVAL))
        && due.size() > Math.min(budget.available(), maxInFlight - inFlight.get())) {
      return lastRanked.plus(RANK_INTERVAL);
    }
    List<Waiter> ready = new ArrayList<>();
    List<Waiter> early = new ArrayList<>();
    while (!due.isEmpty() && !due.peek().nextReadAt.isAfter(now)) {
      Waiter w = due.poll();
      if (w.gone) {
        continue;
      }
      // A read held back by the budget past the last moment for one: the wait is over.
      Instant lastStart =
          w.lastSentAt == null
              ? deadlineInForce(w)
              : deadlineInForce(w).minus(FINAL_READ_ALLOWANCE);
      if (now.isAfter(lastStart)) {
        giveUp(w);
      } else {
        w.lastStart = lastStart;
        (w.finalAt != null && now.isBefore(w.finalAt) ? early : ready).add(w);
      }
    }
    if (!early.isEmpty()) {
      if (ready.size() >= budget.available()) {
        // The budget binds: a last read still to come might find no read left at its instant.
        // Now, among the urgent, rather than never.
        ready.addAll(early);
      } else {
        // Not now: at its instant, or at the next look should the budget bind before.
        for (Waiter w : early) {
          Instant recheck = now.plus(MAX_SLEEP);
          w.nextReadAt = w.finalAt.isBefore(recheck) ? w.finalAt : recheck;
          due.add(w);
        }
      }
    }
    if (ready.size() > 1 && ready.size() > budget.available()) {
      lastRanked = now;
      Instant urgent = now.plus(URGENT);
      for (Waiter w : ready) {
        w.urgent = !w.lastStart.isAfter(urgent);
        w.rank = Math.floor(chance(w, now) / CHANCE_RESOLUTION);
      }
      // The urgent first, by deadline; then the likeliest READY, the closest to its deadline among
      // equally likely ones.
      ready.sort(
          Comparator.comparing((Waiter w) -> !w.urgent)
              .thenComparingDouble(w -> w.urgent ? 0 : -w.rank)
              .thenComparing(ReadinessPoller::deadlineInForce)
              .thenComparing(w -> w.nextReadAt)
              .thenComparingLong(w -> w.order));
    }
    boolean budgetSpent = false;
    boolean slotsFull = false;
    for (Waiter w : ready) {
      if (!budgetSpent && !slotsFull) {
        if (inFlight.get() >= maxInFlight) {
          slotsFull = true;
        } else if (!budget.tryTake()) {
          budgetSpent = true;
        } else {
          launch(w, now);
          continue;
        }
      }
      due.add(w);
    }
    if (budgetSpent) {
      return now.plus(budget.untilNext());
    }
    if (slotsFull) {
      // An answer wakes the scheduler; the sleep is bounded anyway.
      return now.plus(MAX_SLEEP);
    }
    return due.isEmpty() ? now.plus(MAX_SLEEP) : due.peek().nextReadAt;
  }

  private void launch(Waiter w, Instant now) {
    w.lastSentAt = now;
    inFlight.incrementAndGet();
    reads.incrementAndGet();
    Instant deadline = deadlineInForce(w);
    String id = w.request.sessionId();
    Runnable read =
        () -> {
          Instant sent = clock.instant();
          RealtimeSession session = null;
          RuntimeException failure = null;
          try {
            // No retries by the client: the poller retries within its budget (see the class).
            session = sessions.retrieve(id, RequestOptions.deadline(deadline).withMaxRetries(0));
          } catch (RuntimeException e) {
            failure = e;
          } finally {
            if (session == null && failure == null) {
              // An Error is on its way up this reader thread; the waiting one still needs an end.
              failure = new RunwayException("The status read of session " + id + " failed");
            }
            answers.add(new Answer(w, sent, clock.instant(), session, failure));
            inFlight.decrementAndGet();
            wake();
          }
        };
    try {
      readers.execute(w.request.aroundRead().apply(read));
    } catch (RejectedExecutionException e) {
      inFlight.decrementAndGet();
      finish(w, new Closed());
    }
  }

  /** The chance that a read now finds the session READY, to rank reads when the budget binds. */
  private double chance(Waiter w, Instant now) {
    if (w.queuedNow) {
      return QUEUED_CHANCE;
    }
    Duration notReadyAt = w.notReadyAt == null ? Duration.ZERO : w.notReadyAt;
    Duration by = nonNegative(Duration.between(w.origin, now));
    return model.chanceReadyBetween(w.request.avatarId(), notReadyAt, by).orElse(UNKNOWN_CHANCE);
  }

  /**
   * No read fits before the deadline any more: the wait times out, or ends with the failure that
   * kept the session from being read (Runway's 429 or an error still being retried).
   */
  private void giveUp(Waiter w) {
    finish(w, w.lastFailure != null ? new Failed(w.lastFailure) : new TimedOut(w.seenQueued));
  }

  private static Instant deadlineInForce(Waiter w) {
    return w.seenQueued ? w.request.queuedDeadline() : w.request.deadline();
  }

  private void finish(Waiter w, Message outcome) {
    w.gone = true;
    waiting.remove(w);
    w.mailbox.add(outcome);
  }

  private void leave(Waiter w) {
    w.gone = true;
    waiting.remove(w);
  }

  private static RunwayInterruptedException closedFor(String sessionId) {
    // The wait was interrupted by the gateway stopping: the exception's contract sets the flag.
    Thread.currentThread().interrupt();
    return new RunwayInterruptedException(
        "The readiness poller stopped while session " + sessionId + " was waiting",
        new InterruptedException("readiness poller closed"));
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** One waiting session. */
  private static final class Waiter {
    final ReadinessRequest request;
    final long order;
    final BlockingQueue<Message> mailbox = new LinkedBlockingQueue<>();
    volatile boolean gone;

    // The scheduler's own, under the poller's monitor:
    Instant nextReadAt;
    Instant origin;
    int readsSinceOrigin;
    Duration notReadyAt;
    Instant lastSentAt;
    boolean seenQueued;
    boolean queuedNow;
    double rank;
    boolean urgent;
    Instant lastStart;
    Instant finalAt;
    int failedReads;
    Instant notBefore;
    RuntimeException lastFailure;

    Waiter(ReadinessRequest request, long order) {
      this.request = request;
      this.order = order;
    }
  }

  /** A read's outcome, from a reader thread to the scheduler. */
  private record Answer(
      Waiter waiter,
      Instant sentAt,
      Instant answeredAt,
      RealtimeSession session,
      RuntimeException failure) {}

  /** From the scheduler to the waiting thread. */
  private sealed interface Message {}

  private record Seen(RealtimeSession session) implements Message {}

  private record Ready(RealtimeSession.Ready ready) implements Message {}

  private record Ended(RealtimeSession session) implements Message {}

  private record TimedOut(boolean queued) implements Message {}

  private record Failed(RuntimeException failure) implements Message {}

  private record Closed() implements Message {}
}
