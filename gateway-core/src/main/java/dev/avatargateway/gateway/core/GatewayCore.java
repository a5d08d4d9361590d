package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.internal.admission.Admission;
import dev.avatargateway.gateway.core.internal.auth.Authenticators;
import dev.avatargateway.gateway.core.internal.avatars.AvatarCatalog;
import dev.avatargateway.gateway.core.internal.avatars.CustomAvatarVerifier;
import dev.avatargateway.gateway.core.internal.books.Books;
import dev.avatargateway.gateway.core.internal.budgets.Budget;
import dev.avatargateway.gateway.core.internal.budgets.BudgetCheck;
import dev.avatargateway.gateway.core.internal.budgets.BudgetLimits;
import dev.avatargateway.gateway.core.internal.budgets.BudgetReport;
import dev.avatargateway.gateway.core.internal.budgets.LinePlaces;
import dev.avatargateway.gateway.core.internal.connect.ConnectTrace;
import dev.avatargateway.gateway.core.internal.connect.ConnectUseCase;
import dev.avatargateway.gateway.core.internal.connect.InFlightConnects;
import dev.avatargateway.gateway.core.internal.connect.UpstreamProbe;
import dev.avatargateway.gateway.core.internal.idempotency.AnswerSeal;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotencyStore;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotentStarts;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import dev.avatargateway.gateway.core.internal.limits.AuthFailureLimiter;
import dev.avatargateway.gateway.core.internal.limits.ClientAddressResolver;
import dev.avatargateway.gateway.core.internal.limits.ConnectLimiter;
import dev.avatargateway.gateway.core.internal.limits.RedisBuckets;
import dev.avatargateway.gateway.core.internal.limits.RedisLeases;
import dev.avatargateway.gateway.core.internal.limits.UpstreamCreateGate;
import dev.avatargateway.gateway.core.internal.line.LedgerHistory;
import dev.avatargateway.gateway.core.internal.line.WaitEstimator;
import dev.avatargateway.gateway.core.internal.line.WaitingLine;
import dev.avatargateway.gateway.core.internal.observability.ConnectLog;
import dev.avatargateway.gateway.core.internal.observability.ConnectObservers;
import dev.avatargateway.gateway.core.internal.observability.GatewayMetrics;
import dev.avatargateway.gateway.core.internal.readiness.LedgerSeed;
import dev.avatargateway.gateway.core.internal.readiness.ReadinessModel;
import dev.avatargateway.gateway.core.internal.readiness.ReadinessPoller;
import dev.avatargateway.gateway.core.internal.sessions.AsyncStarts;
import dev.avatargateway.gateway.core.internal.sessions.SessionEnder;
import dev.avatargateway.gateway.core.internal.sessions.SessionService;
import dev.avatargateway.runway.RequestObserver;
import dev.avatargateway.runway.RunwayClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway without a transport: every adapter (the standalone server, the Spring Boot starter)
 * parses a request, calls this, and renders the answer. Thread-safe; one per process.
 *
 * <pre>{@code
 * GatewayCore core = GatewayCore.builder(runway).connect(connectConfig).build();
 * ConnectResult result = core.connect(request);   // or a GatewayException with the answer
 * }</pre>
 */
public final class GatewayCore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayCore.class);

  /**
   * After the grace period, how long stopped connects get to cancel their upstream sessions: one
   * cancel with one retry (the connect flow's own clean-up budget) and a margin.
   */
  static final Duration CLEAN_UP_AFTER_STOP = Duration.ofSeconds(6);

  /**
   * Retry-After when the usage cannot be read: as a connect's when the ledger cannot record (a
   * database failing over is usually back within seconds).
   */
  static final Duration USAGE_RETRY_AFTER = Duration.ofSeconds(5);

  private final ConnectUseCase connect;
  private final InFlightConnects inFlight;
  private final AvatarCatalog catalog;
  private final UpstreamProbe probe;
  private final boolean simulatedUpstream;
  private final Books books;
  private final Admission admission;
  private final ReadinessPoller readiness;
  private final AsyncStarts asyncStarts;
  private final Sessions sessions;
  private final BudgetReport budgetReport;
  private final IdempotentStarts idempotency;
  private final RedisBuckets redis; // null: every limit is per instance
  private final RedisLeases leases; // null: every limit is per instance
  private final WaitingLine line;

  private GatewayCore(
      Builder b,
      Books books,
      Admission admission,
      BudgetLimits budgetLimits,
      IdempotentStarts idempotency,
      RedisBuckets redis) {
    this.books = books;
    this.redis = redis;
    this.admission = admission;
    this.idempotency = idempotency;
    Clock clock = b.clock;
    GatewayMetrics metrics = b.metrics;
    this.budgetReport = new BudgetReport(books.ledger(), budgetLimits, clock);
    for (Budget budget : List.of(Budget.GLOBAL_MINUTES, Budget.GLOBAL_SPEND)) {
      if (budgetLimits.configured(budget)) {
        metrics.budgetUse(
            budget.setting(),
            () -> {
              long seconds = budgetReport.globalSecondsForGauge();
              return budget == Budget.GLOBAL_MINUTES
                  ? seconds / 60.0
                  : budgetLimits.spend(seconds).doubleValue();
            },
            budgetLimits.limit(budget).doubleValue());
      }
    }
    RunwayClient runway = b.observedRunway;
    this.catalog = AvatarCatalog.from(b.avatars);
    this.inFlight = new InFlightConnects();
    this.simulatedUpstream = b.simulatedUpstream;
    metrics.connectsInFlight(inFlight::size);
    metrics.ledgerPendingWrites(books::pendingWrites);
    metrics.upstreamConnections(runway::connectionUsage);
    ReadinessModel model = ReadinessModel.create(b.readiness);
    LedgerSeed.seed(model, books.ledger(), b.readiness, clock);
    // What this constructor starts (threads, pollers) is stopped again if a later part fails, so
    // that a core that never existed leaves nothing running (the builder closes what it opened).
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      this.readiness = ReadinessPoller.start(runway.realtimeSessions(), model, b.readiness, clock);
      started.push(readiness);
      metrics.sessionsAwaitingReady(readiness::waiting);
      metrics.readinessReadsPerSecond(readiness::effectiveReadsPerSecond);
      this.leases = redis == null ? null : RedisLeases.start(redis);
      if (leases != null) {
        started.push(leases);
      }
      if (redis != null) {
        metrics.redisUp(() -> !redis.down());
      }
      this.line =
          new WaitingLine(
              leases == null
                  ? UpstreamCreateGate.inMemory(
                      b.rateLimit, limit -> metrics.rateLimitRejected(limit.tag()))
                  : UpstreamCreateGate.shared(
                      b.rateLimit, leases, limit -> metrics.rateLimitRejected(limit.tag())),
              b.line,
              new WaitEstimator(
                  new LedgerHistory(books.ledger(), clock),
                  b.rateLimit.maxUpstreamCreatesInFlight(),
                  b.line.estimateRefresh(),
                  clock,
                  WaitEstimator.ownThread()),
              clock,
              metrics::rateLimitRejected,
              LinePlaces.of(
                  books.ledger(),
                  budgetLimits,
                  clock,
                  budget -> metrics.budgetRejected(budget.setting())));
      started.push(line::close);
      metrics.lineWaiting(line::length);
      List<ConnectListener> listeners = new ArrayList<>();
      listeners.add(ConnectObservers.metrics(metrics));
      listeners.add(ConnectObservers.log(new ConnectLog(clock)));
      listeners.addAll(b.listeners);
      Authenticator authenticator = b.callers(clock);
      // One of each for connects and the session endpoints: a failed authentication on any endpoint
      // takes from its address's one bucket.
      ClientAddressResolver addresses = new ClientAddressResolver(b.rateLimit.trustedProxies());
      AuthFailureLimiter authFailures =
          redis == null
              ? AuthFailureLimiter.inMemory(
                  b.rateLimit, System::nanoTime, limit -> metrics.rateLimitRejected(limit.tag()))
              : AuthFailureLimiter.shared(
                  b.rateLimit,
                  redis,
                  System::nanoTime,
                  limit -> metrics.rateLimitRejected(limit.tag()));
      ConnectLimiter connectLimiter =
          redis == null
              ? ConnectLimiter.inMemory(
                  b.rateLimit, System::nanoTime, limit -> metrics.rateLimitRejected(limit.tag()))
              : ConnectLimiter.shared(
                  b.rateLimit,
                  redis,
                  leases,
                  System::nanoTime,
                  limit -> metrics.rateLimitRejected(limit.tag()));
      SessionEnder ender = new SessionEnder(books.ledger(), runway.realtimeSessions(), clock);
      this.asyncStarts = new AsyncStarts(this::startFlow, b.sessions, ender::endQuietly);
      started.push(asyncStarts);
      listeners.add(asyncStarts);
      this.connect =
          new ConnectUseCase(
              new ConnectUseCase.Parts(
                  admission,
                  authenticator,
                  addresses,
                  catalog,
                  new CustomAvatarVerifier(
                      runway.avatars(), b.connect.customAvatarCacheTtl(), clock),
                  b.connect,
                  connectLimiter,
                  authFailures,
                  line,
                  runway.realtimeSessions(),
                  books.recorder(),
                  listeners,
                  inFlight,
                  readiness,
                  runway.usesDefaultBaseUrl() ? Optional.empty() : Optional.of(runway.baseUrl()),
                  clock,
                  idempotency,
                  b.answers));
      this.probe = new UpstreamProbe(runway.avatars(), clock);
      this.sessions =
          new SessionService(
              asyncStarts,
              books.ledger(),
              ender,
              authenticator,
              b.admins(),
              b.sessions,
              addresses,
              authFailures,
              new SessionService.UsageReads() {
                @Override
                public Usage of(String principal) {
                  return usage(principal);
                }

                @Override
                public Usage global() {
                  return globalUsage();
                }

                @Override
                public List<Usage> top(int limit) {
                  return usageByPrincipal(limit);
                }
              });
    } catch (RuntimeException e) {
      stopAll(started, e);
      throw e;
    }
  }

  /**
   * Stops what a failed constructor started, newest first; a failure to stop joins {@code cause}.
   */
  private static void stopAll(Deque<AutoCloseable> started, RuntimeException cause) {
    for (AutoCloseable part : started) {
      try {
        part.close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }

  /** The client with the core's clock, recording every attempt in the metrics and its connect. */
  private static RunwayClient observed(RunwayClient runway, Clock clock, GatewayMetrics metrics) {
    RequestObserver recordInMetrics = metrics.upstreamObserver();
    return runway.withOptions(
        options ->
            options
                .clock(clock)
                .observer(
                    attempt -> {
                      recordInMetrics.onAttempt(attempt);
                      ConnectTrace.countUpstreamRequest();
                    }));
  }

  /**
   * Starts building a core over this client (whose observer and clock the core replaces with its
   * own: it counts every upstream attempt).
   */
  public static Builder builder(RunwayClient runway) {
    return new Builder(runway);
  }

  /**
   * Runs one connect on the calling thread.
   *
   * @throws GatewayException for every failure, with the answer the client should get
   */
  public ConnectResult connect(ConnectRequest request) {
    return connect.connect(request);
  }

  /** An asynchronous start's flow, on the calling thread (its key stands for its 202). */
  private ConnectResult startFlow(ConnectRequest request) {
    return connect.start(request);
  }

  /**
   * Asynchronous starts with live progress, and the session endpoints (docs/sessions.md); the same
   * flow, authentication and limits as {@link #connect}.
   */
  public Sessions sessions() {
    return sessions;
  }

  /** The avatars this gateway allows, for pickers. */
  public List<AvatarOption> avatars() {
    return catalog.entries().stream()
        .map(entry -> new AvatarOption(entry.id(), entry.type(), entry.name()))
        .toList();
  }

  /**
   * Whether the gateway can serve: the ledger answers, and the upstream answers with our secret
   * (remembered for a few seconds).
   */
  public Readiness readiness() {
    if (!books.reachable()) {
      return new Readiness(
          false,
          "session ledger unreachable: connects are refused (ledger_unavailable) until it answers");
    }
    // With redis.onFailure: local the gateway still serves (per-instance limits), so it is ready.
    if (redis != null && redis.refusesWhenDown() && !redis.answers()) {
      return new Readiness(
          false, "Redis unreachable: connects are refused (limits_unavailable) until it is back");
    }
    return probe.check();
  }

  /**
   * A principal's use of paid sessions today (UTC), and what is left of each configured budget that
   * applies to it (its own and the gateway's), for {@code GET /api/avatar/usage}. Counted from the
   * ledger while budgets are configured (docs/budgets.md); a principal with no sessions today has
   * zeros.
   *
   * @param principalName the principal's name ({@link Principal#name()})
   * @throws GatewayException {@code ledger_unavailable} when the ledger cannot be read
   */
  public Usage usage(String principalName) {
    return readBudgets(() -> budgetReport.usage(principalName));
  }

  /**
   * The whole gateway's use today (UTC) and what is left of the global budgets, for admins.
   *
   * @throws GatewayException {@code ledger_unavailable} when the ledger cannot be read
   */
  public Usage globalUsage() {
    return readBudgets(budgetReport::global);
  }

  /**
   * The principals that used the most minutes today (UTC), most first, each with what is left of
   * the per-principal budgets, for admins. Only principals with sessions today appear.
   *
   * @param limit the most principals, 1 to 1,000
   * @throws IllegalArgumentException for a limit out of range
   * @throws GatewayException {@code ledger_unavailable} when the ledger cannot be read
   */
  public List<Usage> usageByPrincipal(int limit) {
    return readBudgets(() -> budgetReport.top(limit));
  }

  private static <T> T readBudgets(Supplier<T> read) {
    try {
      return read.get();
    } catch (LedgerException e) {
      LOG.warn("Could not read the budgets' use from the ledger", e);
      throw new GatewayException(
          ErrorCode.LEDGER_UNAVAILABLE,
          "Usage cannot be read right now; try again shortly.",
          USAGE_RETRY_AFTER,
          Map.of(),
          e);
    }
  }

  /** Whether the upstream is the simulator rather than Runway. */
  public boolean simulatedUpstream() {
    return simulatedUpstream;
  }

  /** The {@code WWW-Authenticate} value that goes with an authentication failure, if any. */
  public Optional<String> wwwAuthenticate(GatewayException failure) {
    return Authenticators.wwwAuthenticate(failure);
  }

  /** How many connects are running. */
  public int connectsInFlight() {
    return inFlight.size();
  }

  /**
   * Stops taking connects (new ones answer 503 {@code shutting_down}) and lets the running ones
   * finish within {@code grace}; those still running then are stopped, which cancels their upstream
   * sessions. Returns when none is running, or after a bounded clean-up time.
   */
  public void drain(Duration grace) {
    inFlight.refuseNew();
    try {
      if (!inFlight.awaitIdle(grace)) {
        LOG.warn(
            "Stopping {} connects still running after {}; their sessions are cancelled",
            inFlight.size(),
            grace);
        inFlight.stopAll(StopReason.SHUTDOWN);
        inFlight.awaitIdle(CLEAN_UP_AFTER_STOP);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inFlight.stopAll(StopReason.SHUTDOWN);
    }
  }

  /** This process's run id in the ledger. */
  String runId() {
    return books.runId();
  }

  /** The ledger itself, for tests that read its rows. */
  JdbcSessionLedger ledgerForTests() {
    return books.ledger();
  }

  /** Runs one round of the ledger's keeper on the calling thread (for tests and tools). */
  public void keepBooksNow() {
    books.runKeeperOnce();
  }

  /**
   * Drains with no grace, stops the ledger's keeper, retires this run and closes the ledger.
   * Idempotent.
   */
  @Override
  public void close() {
    drain(Duration.ZERO);
    asyncStarts.close();
    readiness.close();
    admission.close();
    idempotency.close();
    line.close();
    if (leases != null) {
      leases.close();
    }
    if (redis != null) {
      redis.close();
    }
    books.close();
  }

  /** Builds a {@link GatewayCore}; every part has a default. */
  public static final class Builder {
    private final RunwayClient runway;
    private ConnectConfig connect = ConnectConfig.defaults();
    private AvatarsConfig avatars = AvatarsConfig.defaults();
    private AuthConfig auth = AuthConfig.defaults();
    private RateLimitConfig rateLimit = RateLimitConfig.defaults();
    private AdmissionConfig admission = AdmissionConfig.defaults();
    private LineConfig line = LineConfig.defaults();
    private boolean simulatedUpstream;
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();
    private Clock clock = Clock.systemUTC();
    private ReadinessConfig readiness = ReadinessConfig.defaults();
    private SessionsConfig sessions = SessionsConfig.defaults();
    private LedgerConfig ledger = LedgerConfig.defaults();
    private BudgetsConfig budgets = BudgetsConfig.defaults();
    private Optional<String> instanceName = Optional.empty();
    private GatewayMetrics metrics;
    private RunwayClient observedRunway;
    private IdempotencyConfig idempotency = IdempotencyConfig.defaults();
    private Optional<String> idempotencySecret = Optional.empty();
    private RedisConfig redis = RedisConfig.defaults();
    private AnswerRenderer answers;
    private Authenticator authenticator; // null: the one auth.* describes
    private UnaryOperator<Authenticator> aroundConfigured; // null: the configured one as it is
    private UnaryOperator<Authenticator> aroundAdminKeys; // null: the admin keys alone
    private DataSource ledgerDataSource; // null: the core's own pool on ledger.url
    private final List<ConnectListener> listeners = new ArrayList<>();

    private Builder(RunwayClient runway) {
      this.runway = Objects.requireNonNull(runway, "runway");
    }

    /** Deadlines and the response mode; default {@link ConnectConfig#defaults()}. */
    public Builder connect(ConnectConfig connect) {
      this.connect = Objects.requireNonNull(connect, "connect");
      return this;
    }

    /** The allowed avatars; default {@link AvatarsConfig#defaults()}. */
    public Builder avatars(AvatarsConfig avatars) {
      this.avatars = Objects.requireNonNull(avatars, "avatars");
      return this;
    }

    /** Who may connect; default {@link AuthConfig#defaults()}. */
    public Builder auth(AuthConfig auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** Rate limits and caps; default {@link RateLimitConfig#defaults()}. */
    public Builder rateLimit(RateLimitConfig rateLimit) {
      this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
      return this;
    }

    /**
     * The waiting line in front of upstream creation; default {@link LineConfig#defaults()} (50
     * places, one per principal, 30 s at most).
     */
    public Builder line(LineConfig line) {
      this.line = Objects.requireNonNull(line, "line");
      return this;
    }

    /**
     * How much the gateway takes on before it refuses new connects as overloaded; default {@link
     * AdmissionConfig#defaults()} (a cap derived from the maximum heap).
     */
    public Builder admission(AdmissionConfig admission) {
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    /**
     * Whether the upstream is the simulator (no money at stake: authentication may default to
     * none); default false.
     */
    public Builder simulatedUpstream(boolean simulatedUpstream) {
      this.simulatedUpstream = simulatedUpstream;
      return this;
    }

    /** Where the gateway's meters go; default a private registry nobody reads. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** The time; default the system clock in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How READY is waited for: one poller for every waiting session, a budget of status reads, a
     * model of time to READY per avatar; default {@link ReadinessConfig#defaults()}.
     */
    public Builder readiness(ReadinessConfig readiness) {
      this.readiness = Objects.requireNonNull(readiness, "readiness");
      return this;
    }

    /**
     * Asynchronous starts: the reader grace, the heartbeat, the retention; default {@link
     * SessionsConfig#defaults()}.
     */
    public Builder sessions(SessionsConfig sessions) {
      this.sessions = Objects.requireNonNull(sessions, "sessions");
      return this;
    }

    /**
     * Where the books are kept; default {@link LedgerConfig#defaults()} (an H2 file under {@code
     * ./data}).
     */
    public Builder ledger(LedgerConfig ledger) {
      this.ledger = Objects.requireNonNull(ledger, "ledger");
      return this;
    }

    /**
     * The ledger on a DataSource the application owns (e.g. a Spring application's pool) instead of
     * the core's own pool: the core runs the ledger's Flyway migrations on it when it builds (in
     * {@code ledger.schema} when set, created if missing; history table {@code
     * ledger_schema_history}, apart from an application's own Flyway history) and never closes it:
     * {@link GatewayCore#close()} only stops using it. Of {@link #ledger(LedgerConfig)}, {@code
     * url}, {@code username}, {@code password}, {@code maxPoolSize} and {@code connectionTimeout}
     * are then ignored (neither used nor validated: the pool's own settings apply); every other
     * {@code ledger.*} setting applies. It must be PostgreSQL (several instances) or H2. Each
     * connection the ledger borrows is put back as it came (auto-commit, isolation, schema); with
     * {@code ledger.schema} set that costs two extra statements per borrow. Default: none, the
     * core's own HikariCP pool on {@code ledger.url}.
     */
    public Builder ledgerDataSource(DataSource dataSource) {
      this.ledgerDataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Budgets on paid sessions, kept in the ledger; default {@link BudgetsConfig#defaults()} (none:
     * connects then do no budget work).
     */
    public Builder budgets(BudgetsConfig budgets) {
      this.budgets = Objects.requireNonNull(budgets, "budgets");
      return this;
    }

    /**
     * This instance's stable name in the ledger: a restart under the same name takes over the
     * previous run's sessions at once, others only once its lease expires. Default {@code
     * ledger.instanceName}, else the host name.
     */
    public Builder instanceName(String instanceName) {
      this.instanceName = Optional.of(instanceName);
      return this;
    }

    /**
     * Idempotent starts ({@code Idempotency-Key}); default {@link IdempotencyConfig#defaults()}.
     * Active only with an {@link #answers(AnswerRenderer) answer renderer}.
     *
     * @param runwaySecret the Runway API secret, used only to derive the key that encrypts stored
     *     answers when the configuration sets none; empty with the simulator
     */
    public Builder idempotency(IdempotencyConfig idempotency, Optional<String> runwaySecret) {
      this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
      this.idempotencySecret = Objects.requireNonNull(runwaySecret, "runwaySecret");
      return this;
    }

    /**
     * The Redis that the rate limits are shared through; default {@link RedisConfig#defaults()}:
     * none, every limit per instance.
     */
    public Builder redis(RedisConfig redis) {
      this.redis = Objects.requireNonNull(redis, "redis");
      return this;
    }

    /**
     * How the transport renders answers: with it, requests with an {@code Idempotency-Key} get the
     * first answer replayed; without it (the default) the header is ignored.
     */
    public Builder answers(AnswerRenderer answers) {
      this.answers = Objects.requireNonNull(answers, "answers");
      return this;
    }

    /**
     * Who sends a request, for connects, asynchronous starts and the session endpoints, instead of
     * the authenticator {@code auth.*} describes; for example an application's own login. {@code
     * auth.admin.apiKeys} still decides who is an admin. With it, {@code auth.mode} must stay
     * {@code none} (its default) and {@code auth.apiKeys} and {@code auth.jwt} unset: they would
     * describe an authenticator nobody asks, so {@link #build()} refuses them rather than ignore
     * them. The real-Runway check of {@code auth.mode: none} does not apply: this authenticator
     * decides. Default: the one from {@code auth.*}. Replaces an earlier {@link
     * #authenticatorAround}.
     *
     * @param authenticator thread-safe; it refuses with a {@link GatewayException} of {@link
     *     ErrorCode#UNAUTHENTICATED} (answered 401, counted by the throttle of failed
     *     authentications like the built-in modes' refusals)
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      this.aroundConfigured = null;
      return this;
    }

    /**
     * As {@link #authenticator(Authenticator)}, but around the authenticator {@code auth.*}
     * describes (validated and built as without this): {@code wrap} gets it and returns the one to
     * use, e.g. one that takes an application's logged-in user when there is one and asks the
     * configured one otherwise. Default: the configured one as it is. Replaces an earlier {@link
     * #authenticator(Authenticator)}.
     *
     * @param wrap called once by {@link #build()}; it must not return null
     */
    public Builder authenticatorAround(UnaryOperator<Authenticator> wrap) {
      this.aroundConfigured = Objects.requireNonNull(wrap, "wrap");
      this.authenticator = null;
      return this;
    }

    /**
     * Who else is an admin, besides the holders of {@code auth.admin.apiKeys}; for example an
     * application's logged-in users with an admin role. {@code wrap} gets the admin keys'
     * authenticator (one that refuses everyone when no admin key is configured) and returns the one
     * that decides: a request it returns a principal for is an admin's (the admin endpoints, ending
     * anyone's session), one it refuses with a {@link GatewayException} is not (the admin endpoints
     * answer it 401 {@code unauthenticated}, as to a wrong admin key). An admin starts no session
     * as one: connects and starts ask the callers' authenticator only. Default: the admin keys
     * alone.
     *
     * @param wrap called once by {@link #build()}; it must not return null, and what it returns
     *     must be thread-safe
     */
    public Builder adminsAround(UnaryOperator<Authenticator> wrap) {
      this.aroundAdminKeys = Objects.requireNonNull(wrap, "wrap");
      return this;
    }

    /** The admins' authenticator: the admin keys' (maybe wrapped); empty when nobody can be one. */
    private Optional<Authenticator> admins() {
      Optional<Authenticator> keys = Authenticators.admin(auth);
      if (aroundAdminKeys == null) {
        return keys;
      }
      Authenticator nobody =
          headers -> {
            throw new GatewayException(
                ErrorCode.UNAUTHENTICATED, "Admin credentials are missing or not valid.");
          };
      return Optional.of(
          Objects.requireNonNull(
              aroundAdminKeys.apply(keys.orElse(nobody)), "adminsAround's wrap returned null"));
    }

    /** The callers' authenticator: the application's, or the configured one (maybe wrapped). */
    private Authenticator callers(Clock clock) {
      if (authenticator != null) {
        LOG.info(
            "Authentication: the application's authenticator ({})",
            authenticator.getClass().getName());
        return authenticator;
      }
      Authenticator configured = Authenticators.create(auth, simulatedUpstream, clock);
      return aroundConfigured == null
          ? configured
          : Objects.requireNonNull(
              aroundConfigured.apply(configured), "authenticatorAround's wrap returned null");
    }

    /**
     * The settings {@link #authenticator(Authenticator)} leaves in force: the admins'; the callers'
     * settings must be unset.
     */
    private void validateAuth() {
      if (authenticator == null) {
        auth.validate(simulatedUpstream);
        return;
      }
      if (auth.mode() != AuthConfig.Mode.NONE) {
        throw new ConfigException(
            "auth.mode",
            "is "
                + auth.mode().value()
                + " but the application gives its own authenticator, which decides who callers"
                + " are; leave auth.mode out (or use authenticatorAround to keep it)");
      }
      // mode none with keys or a JWT section is refused there; the real-Runway check is not for
      // an application's authenticator, so it is validated as with the simulator.
      auth.validate(true);
    }

    /** Adds a reader of the connect events. */
    public Builder listener(ConnectListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Checks every setting and builds.
     *
     * @throws ConfigException naming the offending setting
     */
    public GatewayCore build() {
      connect.validate();
      validateAuth();
      rateLimit.validate();
      line.validate();
      admission.validate();
      LedgerConfig ledgerSettings =
          ledgerDataSource == null ? ledger : withoutConnectionSettings(ledger);
      ledgerSettings.validate();
      readiness.validate();
      sessions.validate();
      budgets.validate();
      idempotency.validate();
      redis.validate();
      metrics = new GatewayMetrics(meterRegistry);
      observedRunway = observed(runway, clock, metrics);
      String name =
          instanceName
              .or(() -> Optional.ofNullable(ledgerSettings.instanceName()))
              .orElseGet(Builder::hostName);
      BudgetLimits budgetLimits = new BudgetLimits(budgets);
      // Without a budget there is no guard, and recording an intent stays one insert.
      BudgetCheck budgetCheck =
          budgets.limitsAnything()
              ? new BudgetCheck(budgetLimits, budget -> metrics.budgetRejected(budget.setting()))
              : null;
      Books books =
          Books.open(
              ledgerSettings,
              ledgerDataSource,
              name,
              observedRunway,
              connect.handOutTimeout(),
              budgetCheck,
              clock);
      // It listens to the JVM's collectors until closed.
      Admission admitting = null;
      IdempotentStarts starts = null;
      RedisBuckets buckets = null;
      try {
        buckets =
            redis.enabled()
                ? RedisBuckets.create(redis, System::nanoTime, metrics::redisFailed)
                : null;
        if (buckets != null) {
          // Connected before the first connect needs it (a cold JVM takes longer than
          // redis.timeout to open its first connection); a Redis that is down now is logged, and
          // the gateway starts all the same.
          buckets.answers();
        }
        admitting = Admission.start(admission, reason -> metrics.admissionRejected(reason.tag()));
        starts =
            answers == null
                ? IdempotentStarts.disabled()
                : IdempotentStarts.start(
                    new IdempotencyStore(books.database()),
                    AnswerSeal.from(idempotency, idempotencySecret),
                    idempotency,
                    books.runId(),
                    clock);
        GatewayCore core = new GatewayCore(this, books, admitting, budgetLimits, starts, buckets);
        books.start();
        return core;
      } catch (RuntimeException e) {
        if (starts != null) {
          starts.close();
        }
        if (buckets != null) {
          buckets.close();
        }
        if (admitting != null) {
          admitting.close();
        }
        books.close();
        throw e;
      }
    }

    /**
     * {@code ledger} without the settings an application's DataSource replaces, which take their
     * defaults (never used), so that they are not validated either; a note in the log when they
     * were set.
     */
    private static LedgerConfig withoutConnectionSettings(LedgerConfig ledger) {
      LedgerConfig defaults = LedgerConfig.defaults();
      if (!ledger.url().equals(defaults.url())
          || ledger.username() != null
          || ledger.password() != null
          || !ledger.maxPoolSize().equals(defaults.maxPoolSize())
          || !ledger.connectionTimeout().equals(defaults.connectionTimeout())) {
        LOG.info(
            "The session ledger is on the application's DataSource: ledger.url, ledger.username,"
                + " ledger.password, ledger.maxPoolSize and ledger.connectionTimeout are ignored");
      }
      return new LedgerConfig(
          null,
          null,
          null,
          ledger.schema(),
          null,
          null,
          ledger.instanceName(),
          ledger.heartbeatInterval(),
          ledger.leaseDuration(),
          ledger.recoveryInterval(),
          ledger.followInterval(),
          ledger.followJitter(),
          ledger.cancelRetryInitialBackoff(),
          ledger.cancelRetryMaxBackoff(),
          ledger.batchSize());
    }

    private static String hostName() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "localhost";
      }
    }
  }
}
