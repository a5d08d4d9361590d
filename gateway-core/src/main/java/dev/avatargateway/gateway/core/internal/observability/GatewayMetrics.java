package dev.avatargateway.gateway.core.internal.observability;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.internal.budgets.Budget;
import dev.avatargateway.runway.ConnectionUsage;
import dev.avatargateway.runway.RequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The gateway's metrics: what the connect flow, the rate limiter and the upstream client report, in
 * the host's {@link MeterRegistry} (the standalone server serves them to Prometheus). Thread-safe;
 * one instance per process. No method throws: a value outside the documented set is recorded as
 * {@code other}, so a bug can neither fail a request nor mint unbounded series.
 *
 * <p>Series, as exposed (durations in seconds):
 *
 * <table>
 *   <caption>Metrics and their labels</caption>
 *   <tr><th>Name</th><th>Type</th><th>Labels (possible values)</th></tr>
 *   <tr><td>{@code avatar_gateway_connects_in_flight}</td><td>gauge</td><td>none</td></tr>
 *   <tr><td>{@code avatar_gateway_connects_total}</td><td>counter</td>
 *       <td>{@code outcome} ({@code success}, {@code error}); {@code code} ({@code ok} or an
 *       {@link ErrorCode#code()})</td></tr>
 *   <tr><td>{@code avatar_gateway_connect_duration_seconds}</td><td>histogram, 0.1 s to 120 s</td>
 *       <td>{@code outcome}</td></tr>
 *   <tr><td>{@code avatar_gateway_session_time_to_ready_seconds}</td>
 *       <td>histogram, 0.1 s to 120 s</td><td>none</td></tr>
 *   <tr><td>{@code avatar_gateway_upstream_requests_total}</td><td>counter</td>
 *       <td>{@code operation} (the client's: {@code realtime_sessions.create}, {@code .retrieve},
 *       {@code .consume}, {@code .cancel}, {@code .connect_backend}, {@code avatars.retrieve},
 *       {@code avatars.list}); {@code status} (the HTTP status, {@code 0} for no response)</td></tr>
 *   <tr><td>{@code avatar_gateway_upstream_request_duration_seconds}</td>
 *       <td>histogram, 5 ms to 30 s</td><td>{@code operation}</td></tr>
 *   <tr><td>{@code avatar_gateway_rate_limit_rejections_total}</td><td>counter</td>
 *       <td>{@code limit} (the rejecting limit's tag: {@code ip}, {@code principal}, {@code
 *       concurrency}, {@code upstream} (the gate, or the waiting line, is full), {@code
 *       line_principal} (a principal holds all its places in the line))</td></tr>
 *   <tr><td>{@code avatar_gateway_admission_rejections_total}</td><td>counter</td>
 *       <td>{@code reason} ({@code connects_in_flight}, {@code heap}): connects refused as {@code
 *       overloaded} before any work</td></tr>
 *   <tr><td>{@code avatar_gateway_line_waiting}</td><td>gauge</td><td>none: starts waiting
 *       in the line in front of upstream creation now</td></tr>
 *   <tr><td>{@code avatar_gateway_line_wait_seconds}</td><td>histogram, 0.1 s to 120 s</td>
 *       <td>{@code outcome} ({@code served}: its turn came; {@code gave_up}: it expired, its
 *       client left or the gateway stopped)</td></tr>
 *   <tr><td>{@code avatar_gateway_budget_rejections_total}</td><td>counter</td>
 *       <td>{@code budget} (a budget's setting: {@code perPrincipal.sessionsPerDay}, {@code
 *       perPrincipal.minutesPerDay}, {@code perPrincipal.concurrentSessions}, {@code
 *       global.minutesPerDay}, {@code global.spendPerDay}): connects refused as {@code
 *       quota_exceeded}</td></tr>
 *   <tr><td>{@code avatar_gateway_budget_used}, {@code avatar_gateway_budget_limit}</td>
 *       <td>gauge</td><td>{@code budget} ({@code global.minutesPerDay} in minutes, {@code
 *       global.spendPerDay} in currency), registered when configured: today's (UTC) use and the
 *       limit</td></tr>
 *   <tr><td>{@code avatar_gateway_upstream_sessions_cancelled_total}</td><td>counter</td>
 *       <td>{@code reason} ({@code timeout}, {@code failed}, {@code consume_failed}, {@code
 *       client_gone}, {@code shutdown}, {@code error})</td></tr>
 *   <tr><td>{@code avatar_gateway_redis_failures_total}</td><td>counter</td>
 *       <td>{@code operation} ({@code bucket}, {@code lease}, {@code line}, {@code ping}): Redis
 *       commands of the shared limits that failed or timed out (with {@code redis.url})</td></tr>
 *   <tr><td>{@code avatar_gateway_redis_up}</td><td>gauge</td><td>none: 1 while the last Redis
 *       command succeeded, 0 during an outage (with {@code redis.url})</td></tr>
 * </table>
 *
 * <p>Free-text labels ({@code operation}, {@code limit}, {@code reason}) accept short lower-case
 * identifiers ({@code [a-z0-9_.-]}, at most 64 characters) and at most 32 distinct values each;
 * anything else is {@code other}. {@code outcome} and {@code code} accept only the values above.
 * Nothing is ever labelled with a principal, a session id, an avatar id or a request id.
 */
public final class GatewayMetrics {
  /** Exposed as {@code avatar_gateway_connects_in_flight}. */
  public static final String CONNECTS_IN_FLIGHT = "avatar.gateway.connects.in.flight";

  /** Exposed as {@code avatar_gateway_upstream_connections_in_use}. */
  public static final String UPSTREAM_CONNECTIONS_IN_USE =
      "avatar.gateway.upstream.connections.in.use";

  /** Exposed as {@code avatar_gateway_upstream_connections_waiting}. */
  public static final String UPSTREAM_CONNECTIONS_WAITING =
      "avatar.gateway.upstream.connections.waiting";

  /** Exposed as {@code avatar_gateway_upstream_connections_max}. */
  public static final String UPSTREAM_CONNECTIONS_MAX = "avatar.gateway.upstream.connections.max";

  /** Exposed as {@code avatar_gateway_sessions_awaiting_ready}. */
  public static final String SESSIONS_AWAITING_READY = "avatar.gateway.sessions.awaiting.ready";

  /** Exposed as {@code avatar_gateway_readiness_reads_per_second}. */
  public static final String READINESS_READS_PER_SECOND =
      "avatar.gateway.readiness.reads.per.second";

  /** Exposed as {@code avatar_gateway_connects_total}. */
  public static final String CONNECTS = "avatar.gateway.connects";

  /** Exposed as {@code avatar_gateway_connect_duration_seconds}. */
  public static final String CONNECT_DURATION = "avatar.gateway.connect.duration";

  /** Exposed as {@code avatar_gateway_session_time_to_ready_seconds}. */
  public static final String TIME_TO_READY = "avatar.gateway.session.time.to.ready";

  /** Exposed as {@code avatar_gateway_upstream_requests_total}. */
  public static final String UPSTREAM_REQUESTS = "avatar.gateway.upstream.requests";

  /** Exposed as {@code avatar_gateway_upstream_request_duration_seconds}. */
  public static final String UPSTREAM_REQUEST_DURATION = "avatar.gateway.upstream.request.duration";

  /** Exposed as {@code avatar_gateway_rate_limit_rejections_total}. */
  public static final String RATE_LIMIT_REJECTIONS = "avatar.gateway.rate.limit.rejections";

  /** Exposed as {@code avatar_gateway_admission_rejections_total}. */
  public static final String ADMISSION_REJECTIONS = "avatar.gateway.admission.rejections";

  /** Exposed as {@code avatar_gateway_upstream_sessions_cancelled_total}. */
  public static final String UPSTREAM_SESSIONS_CANCELLED =
      "avatar.gateway.upstream.sessions.cancelled";

  /** Exposed as {@code avatar_gateway_line_waiting}. */
  public static final String LINE_WAITING = "avatar.gateway.line.waiting";

  /** Exposed as {@code avatar_gateway_line_wait_seconds}. */
  public static final String LINE_WAIT = "avatar.gateway.line.wait";

  /** The {@code outcome} of a wait in the line whose turn came. */
  public static final String LINE_SERVED = "served";

  /** The {@code outcome} of a wait in the line that ended without a turn. */
  public static final String LINE_GAVE_UP = "gave_up";

  /** Exposed as {@code avatar_gateway_budget_rejections_total}. */
  public static final String BUDGET_REJECTIONS = "avatar.gateway.budget.rejections";

  /** Exposed as {@code avatar_gateway_budget_used}. */
  public static final String BUDGET_USED = "avatar.gateway.budget.used";

  /** Exposed as {@code avatar_gateway_budget_limit}. */
  public static final String BUDGET_LIMIT = "avatar.gateway.budget.limit";

  /** Counter: failed Redis commands of the shared limits, by operation. */
  public static final String REDIS_FAILURES = "avatar.gateway.redis.failures";

  /** Gauge: whether Redis answered the last command (1) or not (0). */
  public static final String REDIS_UP = "avatar.gateway.redis.up";

  /** The {@code outcome} of a connect that answered credentials. */
  public static final String OUTCOME_SUCCESS = "success";

  /** The {@code outcome} of a connect that answered an error. */
  public static final String OUTCOME_ERROR = "error";

  /** The {@code code} of a successful connect. */
  public static final String CODE_OK = "ok";

  /**
   * Connect (and time-to-ready) buckets: a connect takes seconds (the upstream readies a session in
   * a few), the default deadline is 30 s and a queued session may wait up to 90 s; 120 s covers the
   * longest configured wait with room. Below 1 s resolves the simulator and failures that answer at
   * once.
   */
  private static final Duration[] CONNECT_BUCKETS =
      seconds(0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120);

  /**
   * Upstream call buckets: one HTTP request to the Runway API takes milliseconds to a few hundred
   * milliseconds; 30 s is beyond any per-call time-out.
   */
  private static final Duration[] UPSTREAM_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  private static final Set<String> OUTCOMES = Set.of(OUTCOME_SUCCESS, OUTCOME_ERROR);
  private static final Set<String> LINE_OUTCOMES = Set.of(LINE_SERVED, LINE_GAVE_UP);
  private static final Set<String> CODES =
      Stream.concat(Stream.of(CODE_OK), Arrays.stream(ErrorCode.values()).map(ErrorCode::code))
          .collect(Collectors.toUnmodifiableSet());

  /** The budgets' names: the only values of the {@code budget} tag (besides {@code other}). */
  private static final Set<String> BUDGETS =
      Arrays.stream(Budget.values()).map(Budget::setting).collect(Collectors.toUnmodifiableSet());

  /** HTTP statuses are three digits; anything else is not one. */
  private static final int MIN_HTTP_STATUS = 100;

  private static final int MAX_HTTP_STATUS = 599;

  private final MeterRegistry registry;
  private final Meter.MeterProvider<Counter> connects;
  private final Meter.MeterProvider<Timer> connectDuration;
  private final Timer timeToReady;
  private final Meter.MeterProvider<Counter> upstreamRequests;
  private final Meter.MeterProvider<Timer> upstreamDuration;
  private final Meter.MeterProvider<Counter> rateLimitRejections;
  private final Meter.MeterProvider<Counter> sessionsCancelled;
  private final Meter.MeterProvider<Counter> admissionRejections;
  private final Meter.MeterProvider<Timer> lineWait;
  private final Meter.MeterProvider<Counter> budgetRejections;
  private final Meter.MeterProvider<Counter> redisFailures;
  private final BoundedTagValues redisOperations = new BoundedTagValues();
  private final BoundedTagValues operations = new BoundedTagValues();
  private final BoundedTagValues limits = new BoundedTagValues();
  private final BoundedTagValues reasons = new BoundedTagValues();
  private final BoundedTagValues admissionReasons = new BoundedTagValues();

  /**
   * Registers the gateway's meters in {@code registry}; JVM and process meters are the host's
   * business (the standalone server binds them, a Spring application has its own).
   */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    connects =
        Counter.builder(CONNECTS)
            .description("Finished connects by outcome and code")
            .withRegistry(registry);
    connectDuration =
        Timer.builder(CONNECT_DURATION)
            .description("Time from request to answer of finished connects")
            .serviceLevelObjectives(CONNECT_BUCKETS)
            .withRegistry(registry);
    timeToReady =
        Timer.builder(TIME_TO_READY)
            .description("Time from creating an upstream session to it being READY")
            .serviceLevelObjectives(CONNECT_BUCKETS)
            .register(registry);
    upstreamRequests =
        Counter.builder(UPSTREAM_REQUESTS)
            .description("HTTP attempts to the Runway API (retries included) by status")
            .withRegistry(registry);
    upstreamDuration =
        Timer.builder(UPSTREAM_REQUEST_DURATION)
            .description("Duration of HTTP attempts to the Runway API")
            .serviceLevelObjectives(UPSTREAM_BUCKETS)
            .withRegistry(registry);
    rateLimitRejections =
        Counter.builder(RATE_LIMIT_REJECTIONS)
            .description("Requests refused by a rate limit or concurrency cap")
            .withRegistry(registry);
    sessionsCancelled =
        Counter.builder(UPSTREAM_SESSIONS_CANCELLED)
            .description("Upstream sessions the gateway cancelled so nothing paid is left running")
            .withRegistry(registry);
    admissionRejections =
        Counter.builder(ADMISSION_REJECTIONS)
            .description("Connects refused as overloaded before any work, by reason")
            .withRegistry(registry);
    // The line waits up to line.maxWait (30 s by default, 10 min at most): the connect buckets
    // cover the usual settings; longer waits land in the +Inf bucket.
    lineWait =
        Timer.builder(LINE_WAIT)
            .description("Time starts waited in the line in front of upstream creation")
            .serviceLevelObjectives(CONNECT_BUCKETS)
            .withRegistry(registry);
    redisFailures =
        Counter.builder(REDIS_FAILURES)
            .description("Failed Redis commands of the shared limits, by operation")
            .withRegistry(registry);
    budgetRejections =
        Counter.builder(BUDGET_REJECTIONS)
            .description("Connects refused because a budget was used up, by budget")
            .withRegistry(registry);
  }

  /**
   * Exposes the length of the waiting line as a gauge.
   *
   * @param length read at every scrape; must be cheap and thread-safe
   */
  public void lineWaiting(IntSupplier length) {
    Gauge.builder(LINE_WAITING, length, IntSupplier::getAsInt)
        .description("Starts waiting in the line in front of upstream creation")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Records one wait in the line, when it ends.
   *
   * @param outcome {@value #LINE_SERVED} or {@value #LINE_GAVE_UP}
   * @param waited from joining the line to leaving it
   */
  public void lineWait(String outcome, Duration waited) {
    String tag =
        outcome != null && LINE_OUTCOMES.contains(outcome) ? outcome : BoundedTagValues.OTHER;
    lineWait.withTag("outcome", tag).record(waited);
  }

  /**
   * Exposes the upstream connection bound as gauges: requests in flight to Runway, requests waiting
   * for a free connection, and the bound.
   *
   * @param usage read at every scrape; must be cheap and thread-safe
   */
  public void upstreamConnections(Supplier<ConnectionUsage> usage) {
    Gauge.builder(UPSTREAM_CONNECTIONS_IN_USE, usage, u -> u.get().inFlight())
        .description("Requests in flight to Runway (HTTP/1.1: connections in use)")
        .strongReference(true)
        .register(registry);
    Gauge.builder(UPSTREAM_CONNECTIONS_WAITING, usage, u -> u.get().waiting())
        .description("Requests waiting for a free connection to Runway")
        .strongReference(true)
        .register(registry);
    Gauge.builder(UPSTREAM_CONNECTIONS_MAX, usage, u -> u.get().maxConnections())
        .description("The most requests in flight to Runway at once")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Exposes the number of sessions the readiness poller is waiting on as a gauge.
   *
   * @param waiting read at every scrape; must be cheap and thread-safe
   */
  public void sessionsAwaitingReady(IntSupplier waiting) {
    Gauge.builder(SESSIONS_AWAITING_READY, waiting, IntSupplier::getAsInt)
        .description("Sessions whose READY the gateway's one poller is waiting for")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Exposes the read budget in force (status reads a second for all waiting sessions) as a gauge:
   * {@code readiness.readsPerSecond}, or less for a while after Runway answered a read with 429.
   *
   * @param rate read at every scrape; must be cheap and thread-safe
   */
  public void readinessReadsPerSecond(DoubleSupplier rate) {
    Gauge.builder(READINESS_READS_PER_SECOND, rate, DoubleSupplier::getAsDouble)
        .description("Status reads a second the readiness poller may start now, for all sessions")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Exposes the number of connects running now as a gauge.
   *
   * @param running read at every scrape; must be cheap and thread-safe
   */
  public void connectsInFlight(IntSupplier running) {
    Gauge.builder(CONNECTS_IN_FLIGHT, running, IntSupplier::getAsInt)
        .description("Connects being handled now")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Records a finished connect.
   *
   * @param outcome {@value #OUTCOME_SUCCESS} or {@value #OUTCOME_ERROR}
   * @param code {@value #CODE_OK} or the answered {@link ErrorCode#code()}
   * @param total from receiving the request to answering it
   */
  public void connectFinished(String outcome, String code, Duration total) {
    // Set.of(...).contains(null) throws: check null first.
    String outcomeTag =
        outcome != null && OUTCOMES.contains(outcome) ? outcome : BoundedTagValues.OTHER;
    String codeTag = code != null && CODES.contains(code) ? code : BoundedTagValues.OTHER;
    connects.withTags("outcome", outcomeTag, "code", codeTag).increment();
    connectDuration.withTag("outcome", outcomeTag).record(total);
  }

  /**
   * Records how long an upstream session took to become READY.
   *
   * @param duration from its creation (the create call's answer) to READY
   */
  public void timeToReady(Duration duration) {
    timeToReady.record(duration);
  }

  /**
   * Records one HTTP attempt to the Runway API (each retry is an attempt).
   *
   * @param operation the client's operation name, e.g. {@code realtime_sessions.create}
   * @param status the HTTP status, or 0 when no response arrived
   * @param duration from sending to the response (or the failure)
   */
  public void upstreamCall(String operation, int status, Duration duration) {
    String operationTag = operations.of(operation);
    String statusTag =
        status >= MIN_HTTP_STATUS && status <= MAX_HTTP_STATUS ? Integer.toString(status) : "0";
    upstreamRequests.withTags("operation", operationTag, "status", statusTag).increment();
    upstreamDuration.withTag("operation", operationTag).record(duration);
  }

  /**
   * An observer for {@code RunwayClient.Builder.observer(...)} that records every attempt with
   * {@link #upstreamCall(String, int, Duration)}.
   */
  public RequestObserver upstreamObserver() {
    return attempt -> upstreamCall(attempt.operation(), attempt.status(), attempt.duration());
  }

  /**
   * Counts a failed Redis command of the shared limits.
   *
   * @param operation {@code bucket}, {@code lease}, {@code line} or {@code ping}
   */
  public void redisFailed(String operation) {
    redisFailures.withTag("operation", redisOperations.of(operation)).increment();
  }

  /**
   * Exposes whether Redis answers as a gauge (1 or 0).
   *
   * @param up read at every scrape; must be cheap (no Redis call) and thread-safe
   */
  public void redisUp(java.util.function.BooleanSupplier up) {
    Gauge.builder(REDIS_UP, up, u -> u.getAsBoolean() ? 1 : 0)
        .description("Whether Redis answered the last command of the shared limits")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Counts a request refused by a limit.
   *
   * @param limit which limit: the tag of the rate limiter's {@code Limit} ({@code ip}, {@code
   *     auth_failures}, {@code principal}, {@code concurrency}, {@code upstream}) or of the waiting
   *     line ({@code upstream}, {@code line_principal})
   */
  public void rateLimitRejected(String limit) {
    rateLimitRejections.withTag("limit", limits.of(limit)).increment();
  }

  /**
   * Counts an upstream session the gateway cancelled.
   *
   * @param reason why: {@code timeout}, {@code failed}, {@code consume_failed}, {@code
   *     client_gone}, {@code shutdown} or {@code error}
   */
  public void upstreamSessionCancelled(String reason) {
    sessionsCancelled.withTag("reason", reasons.of(reason)).increment();
  }

  /**
   * Counts a connect refused by admission control.
   *
   * @param reason {@code connects_in_flight} or {@code heap}
   */
  public void admissionRejected(String reason) {
    admissionRejections.withTag("reason", admissionReasons.of(reason)).increment();
  }

  /**
   * Counts a connect refused by a budget.
   *
   * @param budget the budget's setting below {@code budgets.}, e.g. {@code
   *     perPrincipal.minutesPerDay}; never a principal
   */
  public void budgetRejected(String budget) {
    budgetRejections.withTag("budget", budgetTag(budget)).increment();
  }

  /**
   * Exposes a gateway-wide budget's use today and its limit as gauges.
   *
   * @param budget the budget's setting below {@code budgets.}, e.g. {@code global.minutesPerDay}
   * @param used read at every scrape; must be thread-safe and should be cached
   * @param limit the configured limit
   */
  public void budgetUse(String budget, DoubleSupplier used, double limit) {
    String tag = budgetTag(budget);
    Gauge.builder(BUDGET_USED, used, DoubleSupplier::getAsDouble)
        .description("Today's (UTC) use of a gateway-wide budget, in its unit")
        .tag("budget", tag)
        .strongReference(true)
        .register(registry);
    Gauge.builder(BUDGET_LIMIT, () -> limit)
        .description("A gateway-wide budget's daily limit, in its unit")
        .tag("budget", tag)
        .register(registry);
  }

  private static String budgetTag(String budget) {
    return budget != null && BUDGETS.contains(budget) ? budget : BoundedTagValues.OTHER;
  }

  /** The registry the meters live in. */
  public MeterRegistry registry() {
    return registry;
  }

  private static Duration[] seconds(double... values) {
    return Arrays.stream(values)
        .mapToObj(value -> Duration.ofNanos(Math.round(value * 1e9)))
        .toArray(Duration[]::new);
  }
}
