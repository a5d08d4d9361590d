package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.IdempotencyConfig;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.RenderedAnswer;
import dev.avatargateway.gateway.core.RequestHeaders;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent starts, for every operation that starts a paid session ({@code POST
 * /api/avatar/connect}, {@code POST /api/avatar/sessions}): a request with an {@code
 * Idempotency-Key} is {@linkplain #begin begun} after authentication (the principal scopes the key)
 * and the body's read (its fingerprint), before the limits. Then exactly one of:
 *
 * <ul>
 *   <li>the key is new (or free again): the request runs and its {@link Start} is {@linkplain
 *       Start#complete completed} with its answer, or {@linkplain Start#release released};
 *   <li>the same request already answered: {@link IdempotentReplay} with that answer, nothing runs;
 *   <li>the same request is still running: 409 {@code idempotency_key_in_use}, with {@code
 *       Retry-After};
 *   <li>another request (another body, operation or response mode) holds the key: 422 {@code
 *       idempotency_key_reused};
 *   <li>the answer was stored but cannot be opened (the encryption key changed): 409 {@code
 *       idempotency_answer_unavailable}, and nothing runs, for the first request did start a
 *       session.
 * </ul>
 *
 * Neither the key, the tokens in answers nor the sealed records are ever logged. Thread-safe.
 */
public final class IdempotentStarts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IdempotentStarts.class);

  /**
   * Retry-After for a key in use: a connect takes one to three seconds to READY, so a retry after
   * about that long usually finds its answer stored.
   */
  static final Duration IN_USE_RETRY_AFTER = Duration.ofSeconds(2);

  /** Retry-After when the database cannot claim the key: as the ledger's own. */
  static final Duration LEDGER_RETRY_AFTER = Duration.ofSeconds(5);

  /** Rows one prune statement deletes: bounds one transaction; a backlog takes several. */
  static final int PRUNE_BATCH = 500;

  /**
   * Errors answered after the start began that are not stored, so that a retry with the key runs
   * anew: each one's connect sent no create, was refused by create, or cancelled the session it
   * made (see docs/idempotency.md).
   *
   * <ul>
   *   <li>499 {@code client_gone}: nobody received it;
   *   <li>every 503 ({@code shutting_down}, {@code ledger_unavailable}, {@code upstream_busy},
   *       {@code upstream_credits_exhausted}, ...): "try again", often with {@code Retry-After};
   *       stored, the retry it invites would get the same 503 for a whole retention;
   *   <li>500 {@code internal_error}: the gateway's own fault.
   * </ul>
   */
  private static final Set<Integer> NOT_STORED_STATUSES = Set.of(499, 500, 503);

  /** The operations that start sessions; a key used for one cannot be used for the other. */
  public enum Operation {
    /** {@code POST /api/avatar/connect}. */
    CONNECT("connect"),
    /** {@code POST /api/avatar/sessions}. */
    SESSIONS("sessions");

    private final String code;

    Operation(String code) {
      this.code = code;
    }

    /** As stored. */
    public String code() {
      return code;
    }
  }

  /** One request's hold on its key; every method is a no-op for a request without a key. */
  public interface Start {
    /** Whether the request sent a key (and holds it). */
    boolean keyed();

    /**
     * Stores the answer (rendered only when keyed) and ends the claim. Never throws: a failure to
     * store is logged, and the claim then ends with its lease.
     */
    void complete(Supplier<RenderedAnswer> answer);

    /** Gives the key up, so that a retry runs anew. Never throws. */
    void release();
  }

  /** The start of a request that sent no key. */
  public static final Start NONE =
      new Start() {
        @Override
        public boolean keyed() {
          return false;
        }

        @Override
        public void complete(Supplier<RenderedAnswer> answer) {}

        @Override
        public void release() {}
      };

  private final IdempotencyStore store;
  private final AnswerSeal seal;
  private final IdempotencyConfig config;
  private final String runId;
  private final Clock clock;
  private final ScheduledExecutorService pruner;

  private IdempotentStarts(
      IdempotencyStore store,
      AnswerSeal seal,
      IdempotencyConfig config,
      String runId,
      Clock clock,
      ScheduledExecutorService pruner) {
    this.store = store;
    this.seal = seal;
    this.config = config;
    this.runId = runId;
    this.clock = clock;
    this.pruner = pruner;
  }

  /**
   * Idempotent starts on {@code store}, pruning keys past their retention every {@link
   * IdempotencyConfig#pruneInterval()} until closed.
   *
   * @param runId this process's run in the ledger: its claims die with its lease
   */
  public static IdempotentStarts start(
      IdempotencyStore store,
      AnswerSeal seal,
      IdempotencyConfig config,
      String runId,
      Clock clock) {
    ScheduledExecutorService pruner =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("avatar-gateway-idempotency-pruner").daemon().factory());
    IdempotentStarts starts = new IdempotentStarts(store, seal, config, runId, clock, pruner);
    long every = config.pruneInterval().toMillis();
    pruner.scheduleWithFixedDelay(starts::pruneNow, every, every, TimeUnit.MILLISECONDS);
    return starts;
  }

  /** Without a store: every request runs as if it sent no key (cores built without a renderer). */
  public static IdempotentStarts disabled() {
    return new IdempotentStarts(
        null, null, IdempotencyConfig.defaults(), "", Clock.systemUTC(), null);
  }

  /**
   * Begins a request: see the class comment.
   *
   * @param mode the answer's shape, part of the fingerprint: a key used for one shape is refused
   *     for the other, never replayed
   * @param principal the authenticated principal's name: the key's scope
   * @param choice the body's avatar choice, for the fingerprint
   * @param lease how long the claim holds at most: the operation's longest run and its clean-up
   * @throws IdempotentReplay with the stored answer of the same earlier request
   * @throws GatewayException 400 {@code invalid_idempotency_key}, 409 {@code
   *     idempotency_key_in_use} or {@code idempotency_answer_unavailable}, 422 {@code
   *     idempotency_key_reused}, 503 {@code ledger_unavailable}
   */
  public Start begin(
      Operation operation,
      ResponseMode mode,
      String principal,
      RequestHeaders headers,
      AvatarChoice choice,
      Duration lease) {
    if (store == null) {
      return NONE;
    }
    Optional<String> header = IdempotencyKeyHeader.read(headers);
    if (header.isEmpty()) {
      return NONE;
    }
    String key = header.get();
    String scope = Fingerprint.scope(principal, key);
    String fingerprint = Fingerprint.of(operation, mode, choice);
    Instant now = clock.instant();
    IdempotencyStore.Claim claim;
    try {
      claim =
          store.claim(
              new IdempotencyStore.ClaimRequest(
                  scope,
                  principal,
                  operation.code(),
                  fingerprint,
                  runId,
                  now,
                  now.plus(lease),
                  now.plus(config.retention())));
    } catch (LedgerException e) {
      LOG.error("Could not claim an idempotency key; the request is refused", e);
      throw new GatewayException(
          ErrorCode.LEDGER_UNAVAILABLE,
          "Avatar sessions are unavailable right now; try again shortly.",
          LEDGER_RETRY_AFTER,
          Map.of(),
          e);
    }
    return switch (claim) {
      case IdempotencyStore.Claimed claimed -> new Held(scope, principal, key, claimed.claimId());
      case IdempotencyStore.Running running -> {
        requireSameRequest(running.operation(), running.fingerprint(), operation, fingerprint);
        throw new GatewayException(
            ErrorCode.IDEMPOTENCY_KEY_IN_USE,
            "A request with this Idempotency-Key is still being carried out; try again shortly.",
            IN_USE_RETRY_AFTER,
            Map.of(),
            null);
      }
      case IdempotencyStore.Done done -> {
        requireSameRequest(done.operation(), done.fingerprint(), operation, fingerprint);
        Optional<RenderedAnswer> answer = seal.open(principal, key, done.sealed());
        if (answer.isEmpty()) {
          LOG.warn(
              "A stored idempotent answer of principal {} cannot be decrypted (was"
                  + " idempotency.encryptionKey or the Runway secret changed?); nothing is"
                  + " started again",
              principal);
          throw new GatewayException(
              ErrorCode.IDEMPOTENCY_ANSWER_UNAVAILABLE,
              "A request with this Idempotency-Key was already carried out, but its answer can no"
                  + " longer be shown; send a new Idempotency-Key to start another session.");
        }
        throw new IdempotentReplay(answer.get());
      }
    };
  }

  private static void requireSameRequest(
      String storedOperation, String storedFingerprint, Operation operation, String fingerprint) {
    if (!operation.code().equals(storedOperation) || !fingerprint.equals(storedFingerprint)) {
      throw new GatewayException(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "This Idempotency-Key was already used for a different request; send a new key for a"
              + " new request.");
    }
  }

  /**
   * Whether a failure answered after the start began is stored for replay (see {@link
   * #NOT_STORED_STATUSES}). Failures before the start's side effects (validation, authentication,
   * limits, overload, budgets) are never stored: the caller releases the key for them.
   */
  public static boolean storable(GatewayException failure) {
    return !NOT_STORED_STATUSES.contains(failure.code().status());
  }

  /** Deletes keys past their retention, batch after batch. Never throws. */
  void pruneNow() {
    try {
      Instant now = clock.instant();
      int deleted;
      int total = 0;
      do {
        deleted = store.prune(now, PRUNE_BATCH);
        total += deleted;
      } while (deleted == PRUNE_BATCH);
      if (total > 0) {
        LOG.debug("Pruned {} idempotency key(s) past their retention", total);
      }
    } catch (RuntimeException e) {
      LOG.warn("Could not prune idempotency keys; trying again later", e);
    }
  }

  /** Stops pruning. Idempotent. */
  @Override
  public void close() {
    if (pruner != null) {
      // Not shutdownNow: an interrupt in a database call may break its connection.
      pruner.shutdown();
      try {
        pruner.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Held implements Start {
    private final String scope;
    private final String principal;
    private final String key;
    private final String claimId;

    Held(String scope, String principal, String key, String claimId) {
      this.scope = scope;
      this.principal = principal;
      this.key = key;
      this.claimId = claimId;
    }

    @Override
    public boolean keyed() {
      return true;
    }

    @Override
    public void complete(Supplier<RenderedAnswer> answer) {
      try {
        String sealed = seal.seal(principal, key, answer.get());
        if (!store.complete(scope, claimId, sealed, clock.instant())) {
          LOG.warn(
              "An idempotent request of principal {} outlived its claim; its answer is not stored",
              principal);
        }
      } catch (RuntimeException e) {
        LOG.error(
            "Could not store the answer of an idempotent request of principal {}; the key is"
                + " held until its lease ends",
            principal,
            e);
      }
    }

    @Override
    public void release() {
      try {
        store.release(scope, claimId);
      } catch (RuntimeException e) {
        LOG.warn(
            "Could not release an idempotency key of principal {}; it is held until its lease"
                + " ends",
            principal,
            e);
      }
    }

    @Override
    public String toString() {
      return "Start[claim=" + claimId + "]";
    }
  }
}
