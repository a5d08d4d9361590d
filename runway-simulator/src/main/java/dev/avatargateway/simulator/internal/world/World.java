package dev.avatargateway.simulator.internal.world;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorConfig;
import dev.avatargateway.simulator.SimulatorException;
import dev.avatargateway.simulator.internal.world.Outcomes.AlreadyConsumed;
import dev.avatargateway.simulator.internal.world.Outcomes.AvatarNotFound;
import dev.avatargateway.simulator.internal.world.Outcomes.AvatarNotReady;
import dev.avatargateway.simulator.internal.world.Outcomes.AvatarPage;
import dev.avatargateway.simulator.internal.world.Outcomes.ConversationPage;
import dev.avatargateway.simulator.internal.world.Outcomes.CreateOutcome;
import dev.avatargateway.simulator.internal.world.Outcomes.Created;
import dev.avatargateway.simulator.internal.world.Outcomes.CredentialsOutcome;
import dev.avatargateway.simulator.internal.world.Outcomes.CreditsExhausted;
import dev.avatargateway.simulator.internal.world.Outcomes.Granted;
import dev.avatargateway.simulator.internal.world.Outcomes.SessionNotFound;
import dev.avatargateway.simulator.internal.world.Outcomes.WrongSessionKey;
import dev.avatargateway.simulator.internal.world.Outcomes.WrongStatus;
import dev.avatargateway.simulator.internal.world.Session.FailurePlan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The simulated Runway account: sessions, the capacity queue, avatars and simulated time.
 *
 * <p>Session lifecycles are a deterministic function of simulated time. Each session in a timed
 * status (provisioning, READY, RUNNING) has one pending timer; before any read or write the world
 * fires, in time order, every timer that is due as of "now" ({@link #catchUp}). A timer that ends a
 * session frees its capacity slot at the timer's own instant, so a queued session starts
 * provisioning exactly then, even when nobody looked at the simulator in between. No thread runs
 * per session, and {@link #advanceClock} can jump past any window.
 *
 * <p>Conversation records (runway-api-additions.md) are not stored: {@link Conversations} derives
 * each from its session's timeline on every read.
 *
 * <p>One lock guards everything; each operation holds it for microseconds.
 */
public final class World {
  /** runway-api.md §2.1: {@code maxDuration} default when the body has none. */
  public static final int DEFAULT_MAX_DURATION_SECONDS = 300;

  /** official-sdk-behaviour.md §3 (third-party observation) for an unjoined session. */
  public static final String NO_PARTICIPANT_CODE = "TALKING_AVATAR.NO_PARTICIPANT";

  /** official-sdk-behaviour.md §3 (third-party observation). */
  public static final String NO_PARTICIPANT_MESSAGE = "No participants joined the session";

  static final String AVATAR_FAILURE_REASON = "Avatar processing failed (simulated)";

  // LiveKit tokens are commonly minted for at most 6 h; a session never needs longer.
  private static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(6);
  private static final String SESSION_KEY_PREFIX = "stk_";
  private static final int SESSION_KEY_RANDOM_BYTES = 32;
  private static final Avatar.Voice DEFAULT_VOICE =
      new Avatar.Voice("victoria", "Victoria", "A warm, clear voice (simulated)");

  private final ReentrantLock lock = new ReentrantLock();
  private final SimulatorConfig startConfig;
  private final SecureRandom keyRandom = new SecureRandom();

  // Volatile so that now() and config(), read on every request, need no lock; written under it.
  private volatile SimulatorConfig config;
  private volatile Duration offset = Duration.ZERO;
  private SplittableRandom random;
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();
  private final ArrayDeque<Session> queue = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(Comparator.comparing(Timer::at).thenComparingLong(Timer::seq));
  private final ArrayDeque<FailurePlan> failurePlans = new ArrayDeque<>();
  private final Map<String, Avatar> avatars = new LinkedHashMap<>();
  private long timerSeq;
  private int slotsInUse;
  private long sessionsCreated;
  private long leaked;

  public World(SimulatorConfig startConfig) {
    this.startConfig = startConfig;
    this.config = startConfig;
    this.random = new SplittableRandom(startConfig.seed());
  }

  // ---------------------------------------------------------------- time and configuration

  /** Simulated now: the configured clock plus every {@link #advanceClock} so far. */
  public Instant now() {
    return nowUnlocked();
  }

  public void advanceClock(Duration by) {
    if (by.isNegative()) {
      throw new SimulatorException("Simulated time cannot go backwards: " + by);
    }
    locked(
        () -> {
          offset = offset.plus(by);
          catchUp(nowUnlocked());
          return null;
        });
  }

  public SimulatorConfig config() {
    return config;
  }

  /**
   * Applies a change to the configuration in effect. Timers already scheduled keep their instants;
   * a raised cap starts queued sessions at once.
   */
  public void updateConfig(UnaryOperator<SimulatorConfig.Builder> change) {
    locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          config = change.apply(config.toBuilder()).build();
          fillSlots(now);
          return null;
        });
  }

  // ---------------------------------------------------------------- realtime sessions

  /** Creates a session from an already validated body. */
  public CreateOutcome create(SessionSpec spec) {
    Optional<String> customAvatarId = spec.customAvatarId();
    return locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          if (customAvatarId.isPresent()) {
            Avatar avatar = avatars.get(customAvatarId.get().toLowerCase(Locale.ROOT));
            if (avatar == null) {
              return new AvatarNotFound();
            }
            if (avatar.status() != AvatarStatus.READY) {
              return new AvatarNotReady(avatar.status());
            }
          }
          if (config.creditsExhausted()) {
            return new CreditsExhausted();
          }
          Session s =
              new Session(
                  UUID.randomUUID().toString(),
                  now,
                  spec,
                  spec.maxDurationSeconds().orElse(DEFAULT_MAX_DURATION_SECONDS),
                  Optional.ofNullable(failurePlans.poll()));
          sessions.put(s.id, s);
          sessionsCreated++;
          if (queue.isEmpty() && slotsInUse < config.concurrencyCap()) {
            startProvisioning(s, now);
          } else {
            s.queued = true;
            queue.add(s);
          }
          return new Created(s.id);
        });
  }

  /** The session as of now, counting one GET against it. */
  public Optional<SessionRecord> retrieve(String id) {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          Session s = sessions.get(id);
          if (s == null) {
            return Optional.empty();
          }
          s.getCount++;
          return Optional.of(s.snapshot());
        });
  }

  /**
   * Cancels a NOT_READY, READY or RUNNING session; a terminal one is left as it is (ASSUMPTION,
   * runway-api.md §2.4 leaves it open).
   *
   * @return the session after the call, or empty when unknown
   */
  public Optional<SessionRecord> cancel(String id) {
    return locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          Session s = sessions.get(id);
          if (s == null) {
            return Optional.empty();
          }
          s.cancelRequests++;
          if (!s.status.terminal()) {
            if (s.queued) {
              queue.remove(s);
              s.queued = false;
            }
            s.cancelledAt = now;
            end(s, SessionStatus.CANCELLED, now);
          }
          return Optional.of(s.snapshot());
        });
  }

  /**
   * The one-time consume (runway-api.md §2.5). Checks, in order: unknown session; no key issued yet
   * (still NOT_READY, or failed before READY) gives {@link WrongStatus}; a bearer that is not the
   * session key gives {@link WrongSessionKey}; an earlier successful consume gives {@link
   * AlreadyConsumed}; any status but READY gives {@link WrongStatus}.
   */
  public CredentialsOutcome consume(String id, Optional<String> bearer) {
    return locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          Session s = sessions.get(id);
          if (s == null) {
            return new SessionNotFound();
          }
          s.consumeAttempts++;
          if (s.sessionKey == null) {
            return new WrongStatus(s.status);
          }
          if (bearer.isEmpty() || !constantTimeEquals(bearer.get(), s.sessionKey)) {
            return new WrongSessionKey();
          }
          if (s.consumedAt != null) {
            return new AlreadyConsumed();
          }
          if (s.status != SessionStatus.READY) {
            return new WrongStatus(s.status);
          }
          s.consumedAt = now;
          s.runFor = min(Duration.ofSeconds(s.maxDurationSeconds), config.maxSessionDuration());
          transition(s, SessionStatus.RUNNING);
          schedule(s, now.plus(s.runFor));
          return grant(s, now, now.plus(s.runFor));
        });
  }

  /** Backend credentials (runway-api.md §2.6): allowed while READY or RUNNING. */
  public CredentialsOutcome connectBackend(String id) {
    return locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          Session s = sessions.get(id);
          if (s == null) {
            return new SessionNotFound();
          }
          return switch (s.status) {
            case READY ->
                grant(
                    s,
                    now,
                    now.plus(
                        min(
                            Duration.ofSeconds(s.maxDurationSeconds),
                            config.maxSessionDuration())));
            case RUNNING -> grant(s, now, s.consumedAt.plus(s.runFor));
            default -> new WrongStatus(s.status);
          };
        });
  }

  /**
   * A participant ends the call with the data-channel message {@code {"type":"END_CALL"}}
   * (runway-api-additions.md, Ending a session): a RUNNING session becomes COMPLETED, its {@code
   * duration} the whole seconds it has run.
   *
   * @throws SimulatorException when no such session exists
   * @throws IllegalStateException when the session is not RUNNING
   */
  public void endCall(String id) {
    locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          Session s = running(id);
          // ASSUMPTION: whole seconds rounded down, like the maxDuration end (the spec says only
          // "with a duration", an integer).
          s.durationSeconds = Duration.between(s.consumedAt, now).toSeconds();
          end(s, SessionStatus.COMPLETED, now);
          return null;
        });
  }

  /**
   * Fails a RUNNING session now with the given code and message (a mid-call failure).
   *
   * @throws SimulatorException when no such session exists or code or message is blank
   * @throws IllegalStateException when the session is not RUNNING
   */
  public void failRunning(String id, String failureCode, String failure) {
    requireFailure(failureCode, failure);
    locked(
        () -> {
          Instant now = nowUnlocked();
          catchUp(now);
          Session s = running(id);
          s.failureCode = failureCode;
          s.failure = failure;
          end(s, SessionStatus.FAILED, now);
          return null;
        });
  }

  private Session running(String id) {
    Session s = sessions.get(id.toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new SimulatorException("No session " + id);
    }
    if (s.status != SessionStatus.RUNNING) {
      throw new IllegalStateException("Session is " + s.status + ", not RUNNING");
    }
    return s;
  }

  public List<SessionRecord> sessions() {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          return sessions.values().stream().map(Session::snapshot).toList();
        });
  }

  public Optional<SessionRecord> session(String id) {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          return Optional.ofNullable(sessions.get(id)).map(Session::snapshot);
        });
  }

  public long leakedCount() {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          return leaked;
        });
  }

  public long openCount() {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          return sessions.values().stream().filter(Session::open).count();
        });
  }

  public long sessionsCreated() {
    return locked(() -> sessionsCreated);
  }

  public void failNext(int count, String failureCode, String failure) {
    if (count < 0) {
      throw new SimulatorException("count must be >= 0");
    }
    requireFailure(failureCode, failure);
    locked(
        () -> {
          for (int i = 0; i < count; i++) {
            failurePlans.add(new FailurePlan(failureCode, failure));
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- avatars

  public String createAvatar(
      String name, AvatarStatus status, Optional<String> personality, Optional<String> script) {
    if (name == null || name.isBlank()) {
      throw new SimulatorException("Avatar name must not be blank");
    }
    return locked(
        () -> {
          Instant now = nowUnlocked();
          String id = UUID.randomUUID().toString();
          Avatar processing =
              new Avatar(
                  id,
                  name,
                  personality.orElse("You are " + name + ", a friendly assistant."),
                  script.orElse(null),
                  DEFAULT_VOICE,
                  Avatar.referenceImageUriFor(id),
                  null,
                  now,
                  now,
                  AvatarStatus.PROCESSING,
                  null);
          avatars.put(id, processing.withStatus(status, now));
          return id;
        });
  }

  public void setAvatarStatus(String avatarId, AvatarStatus status) {
    locked(
        () -> {
          Avatar a = avatars.get(avatarId.toLowerCase(Locale.ROOT));
          if (a == null) {
            throw new SimulatorException("No avatar " + avatarId);
          }
          avatars.put(a.id(), a.withStatus(status, nowUnlocked()));
          return null;
        });
  }

  public Optional<Avatar> avatar(String id) {
    return locked(() -> Optional.ofNullable(avatars.get(id.toLowerCase(Locale.ROOT))));
  }

  /**
   * One page of avatars, newest first.
   *
   * @param afterId the id of the last avatar of the previous page
   * @return empty when {@code afterId} names no avatar
   */
  public Optional<AvatarPage> avatarPage(int limit, Optional<String> afterId) {
    return locked(
        () -> {
          List<Avatar> newestFirst = new ArrayList<>(avatars.values()).reversed();
          int start = 0;
          if (afterId.isPresent()) {
            Avatar after = avatars.get(afterId.get());
            if (after == null) {
              return Optional.empty();
            }
            start = newestFirst.indexOf(after) + 1;
          }
          int end = Math.min(newestFirst.size(), start + limit);
          List<Avatar> page = List.copyOf(newestFirst.subList(start, end));
          boolean hasMore = end < newestFirst.size();
          return Optional.of(
              new AvatarPage(
                  page,
                  hasMore,
                  hasMore ? Optional.of(page.get(page.size() - 1).id()) : Optional.empty()));
        });
  }

  // ---------------------------------------------------------------- conversations

  /** The conversation record of a session as the API shows it now, if it has one. */
  public Optional<Conversation> conversation(String id) {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          Session s = sessions.get(id);
          return s == null ? Optional.empty() : project(s);
        });
  }

  /**
   * One page of the records that {@code filter} accepts, newest first.
   *
   * @param afterId the id of the last record of the previous page; it may have been deleted since
   * @return empty when {@code afterId} names no session
   */
  public Optional<ConversationPage> conversationPage(
      int limit, Optional<String> afterId, Predicate<Conversation> filter) {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          if (afterId.isPresent() && !sessions.containsKey(afterId.get())) {
            return Optional.empty();
          }
          // Creation order is createdAt order (simulated time never goes back), and it breaks
          // ties between sessions created at the same instant; a session id stays a valid
          // position after its record is deleted.
          boolean skipping = afterId.isPresent();
          List<Conversation> page = new ArrayList<>();
          boolean hasMore = false;
          for (Session s : sessions.sequencedValues().reversed()) {
            if (skipping) {
              skipping = !s.id.equals(afterId.get());
              continue;
            }
            Optional<Conversation> c = project(s).filter(filter);
            if (c.isEmpty()) {
              continue;
            }
            if (page.size() == limit) {
              hasMore = true;
              break;
            }
            page.add(c.get());
          }
          return Optional.of(
              new ConversationPage(
                  List.copyOf(page),
                  hasMore,
                  hasMore ? Optional.of(page.get(page.size() - 1).id()) : Optional.empty()));
        });
  }

  /** Every record the API shows now, newest first. */
  public List<Conversation> conversations() {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          return sessions.sequencedValues().reversed().stream()
              .map(this::project)
              .flatMap(Optional::stream)
              .toList();
        });
  }

  /**
   * Deletes a record the API shows now (runway-api-additions.md, Conversations: "deletes it and its
   * data"). ASSUMPTION: the realtime session is untouched, and the record stays deleted whatever
   * the session does next.
   *
   * @return false when there is no such record now
   */
  public boolean deleteConversation(String id) {
    return locked(
        () -> {
          catchUp(nowUnlocked());
          Session s = sessions.get(id);
          if (s == null || project(s).isEmpty()) {
            return false;
          }
          s.conversationDeleted = true;
          return true;
        });
  }

  private Optional<Conversation> project(Session s) {
    // ASSUMPTION (runway-api-additions.md: "how soon a record appears" is unknown): records show
    // the session as it was conversationRecordDelay ago; 0 by default.
    Instant asOf = nowUnlocked().minus(config.conversationRecordDelay());
    return Conversations.project(s, asOf, config.conversationsForUnstartedSessions(), avatars::get);
  }

  // ---------------------------------------------------------------- reset

  /** Back to the start state: no sessions, avatars or plans, base clock, start configuration. */
  public void reset() {
    locked(
        () -> {
          config = startConfig;
          random = new SplittableRandom(startConfig.seed());
          offset = Duration.ZERO;
          sessions.clear();
          queue.clear();
          timers.clear();
          failurePlans.clear();
          avatars.clear();
          slotsInUse = 0;
          sessionsCreated = 0;
          leaked = 0;
          return null;
        });
  }

  // ---------------------------------------------------------------- the timeline

  private void catchUp(Instant now) {
    Timer t;
    while ((t = timers.peek()) != null && !t.at().isAfter(now)) {
      timers.poll();
      if (t.version() == t.session().version) {
        fire(t.session(), t.at());
      }
    }
  }

  private void fire(Session s, Instant at) {
    switch (s.status) {
      case NOT_READY -> provisioningEnded(s, at);
      case READY -> {
        // Nobody consumed it within the window (or before its key expired): the third-party
        // observation in official-sdk-behaviour.md §3.
        s.failureCode = NO_PARTICIPANT_CODE;
        s.failure = NO_PARTICIPANT_MESSAGE;
        s.leaked = true;
        leaked++;
        end(s, SessionStatus.FAILED, at);
      }
      case RUNNING -> {
        s.durationSeconds = s.runFor.toSeconds();
        end(s, SessionStatus.COMPLETED, at);
      }
      default -> throw new IllegalStateException("Timer fired for a " + s.status + " session");
    }
  }

  private void provisioningEnded(Session s, Instant at) {
    if (s.failurePlan.isPresent()) {
      s.failureCode = s.failurePlan.get().failureCode();
      s.failure = s.failurePlan.get().failure();
      end(s, SessionStatus.FAILED, at);
      return;
    }
    s.readyAt = at;
    s.sessionKey = newSessionKey();
    Instant expires = s.createdAt.plus(config.sessionKeyTtl());
    // ASSUMPTION: a session that queued longer than the key lifetime gets a fresh lifetime from
    // READY instead of a key that is already dead when it is issued.
    s.expiresAt = expires.isAfter(at) ? expires : at.plus(config.sessionKeyTtl());
    transition(s, SessionStatus.READY);
    Instant windowEnd = at.plus(config.readyWindow());
    schedule(s, windowEnd.isBefore(s.expiresAt) ? windowEnd : s.expiresAt);
  }

  private void startProvisioning(Session s, Instant at) {
    s.queued = false;
    s.holdsSlot = true;
    slotsInUse++;
    s.provisioningStartedAt = at;
    schedule(s, at.plus(config.readyAfter().sample(random)));
  }

  private void end(Session s, SessionStatus terminal, Instant at) {
    transition(s, terminal);
    s.endedAt = at;
    if (s.holdsSlot) {
      s.holdsSlot = false;
      slotsInUse--;
      fillSlots(at);
    }
  }

  private void fillSlots(Instant at) {
    while (slotsInUse < config.concurrencyCap() && !queue.isEmpty()) {
      startProvisioning(queue.poll(), at);
    }
  }

  private void transition(Session s, SessionStatus next) {
    s.status = next;
    s.version++;
  }

  private void schedule(Session s, Instant at) {
    timers.add(new Timer(at, timerSeq++, s, s.version));
  }

  private Granted grant(Session s, Instant now, Instant sessionEnd) {
    Instant cap = now.plus(MAX_TOKEN_LIFETIME);
    // ASSUMPTION (runway-api.md §8 hint): the LiveKit room is named after the session id.
    return new Granted(s.id, s.id, now, sessionEnd.isBefore(cap) ? sessionEnd : cap);
  }

  private String newSessionKey() {
    byte[] bytes = new byte[SESSION_KEY_RANDOM_BYTES];
    keyRandom.nextBytes(bytes);
    return SESSION_KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private Instant nowUnlocked() {
    return config.clock().instant().plus(offset);
  }

  private <T> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static void requireFailure(String failureCode, String failure) {
    if (failureCode == null || failureCode.isBlank() || failure == null || failure.isBlank()) {
      throw new SimulatorException("failureCode and failure must not be blank");
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private record Timer(Instant at, long seq, Session session, long version) {}
}
