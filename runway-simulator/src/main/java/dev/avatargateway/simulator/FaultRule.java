package dev.avatargateway.simulator;

import dev.avatargateway.simulator.internal.fault.FaultSpecParser;
import java.time.Duration;
import java.util.Objects;

/**
 * One injected failure. Rules are checked in the order they were added, before normal handling; the
 * first that applies wins. A rule applies to a request when its {@link #route()} matches, its
 * {@link #times()} budget is not used up, and a draw falls under its {@link #probability()}.
 *
 * <p>The status mix (408, 409, 429, 5xx, {@code Retry-After} in seconds, milliseconds or as a date,
 * {@code x-should-retry}, hangs and resets) is what official-sdk-behaviour.md §1.5 asks a fault
 * mode to offer, because those are exactly the signals the official SDK's retry logic reads (§1.4).
 *
 * @param route which API route the rule applies to ({@link Route#ANY} for all of them; never the
 *     {@code /_simulator} admin routes)
 * @param kind what happens instead of (or, with {@code afterCommit}, after) normal handling
 * @param status the HTTP status answered for {@link Kind#STATUS}, 400..599; 0 for other kinds
 * @param probability chance in [0, 1] that a matching request is hit; default 1
 * @param times how many more requests the rule may hit; {@link #UNLIMITED} (the default) for no
 *     limit
 * @param retryAfter the server-directed delay header sent with a {@link Kind#STATUS} answer;
 *     default {@link RetryAfter#none()}
 * @param shouldRetry value of the {@code x-should-retry} header, or {@code null} (the default) to
 *     leave it out
 * @param afterCommit when true, the request is first handled normally and the fault replaces a
 *     successful (2xx) answer: a "5xx after commit" on CREATE really creates the session, so a
 *     client retry makes a duplicate (official-sdk-behaviour.md §1.3, "No idempotency header")
 */
public record FaultRule(
    Route route,
    Kind kind,
    int status,
    double probability,
    int times,
    RetryAfter retryAfter,
    Boolean shouldRetry,
    boolean afterCommit) {

  /** {@link #times()} value meaning "no limit". */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  private static final int MIN_FAULT_STATUS = 400;
  private static final int MAX_FAULT_STATUS = 599;

  /** The API routes a rule can target. */
  public enum Route {
    /** {@code POST /v1/realtime_sessions}. */
    CREATE,
    /** {@code GET /v1/realtime_sessions/{id}}. */
    RETRIEVE,
    /** {@code DELETE /v1/realtime_sessions/{id}}. */
    CANCEL,
    /** {@code POST /v1/realtime_sessions/{id}/consume}. */
    CONSUME,
    /** {@code POST /v1/realtime_sessions/{id}/connect_backend}. */
    CONNECT_BACKEND,
    /** {@code GET /v1/avatars/{id}}. */
    AVATAR_RETRIEVE,
    /** {@code GET /v1/avatars}. */
    AVATAR_LIST,
    /** {@code GET /v1/avatar_conversations}. */
    CONVERSATION_LIST,
    /** {@code GET /v1/avatar_conversations/{id}}. */
    CONVERSATION_RETRIEVE,
    /** {@code DELETE /v1/avatar_conversations/{id}}. */
    CONVERSATION_DELETE,
    /** {@code GET /v1/avatar_usage}. */
    USAGE,
    /** Every route above. */
    ANY
  }

  /** What a fault does. */
  public enum Kind {
    /** Answer {@link FaultRule#status()} with a JSON {@code {"error": ...}} body. */
    STATUS,
    /** Close the connection without sending any response. */
    RESET,
    /**
     * Never answer: hold the exchange open until the client gives up, the simulator closes, or the
     * configured {@link SimulatorConfig#maxHang()} passes (then the connection is closed
     * unanswered).
     */
    HANG
  }

  /** The delay header a {@link Kind#STATUS} fault sends, as the official SDK reads it (§1.4). */
  public sealed interface RetryAfter {
    /** No delay header. */
    static RetryAfter none() {
      return None.INSTANCE;
    }

    /** {@code Retry-After: <seconds>}. */
    static RetryAfter seconds(long seconds) {
      return new Seconds(seconds);
    }

    /** {@code retry-after-ms: <millis>} (wins over {@code Retry-After} in the official SDK). */
    static RetryAfter millis(long millis) {
      return new Millis(millis);
    }

    /** {@code Retry-After: <RFC 1123 date>} set to the simulator's "now" plus {@code delay}. */
    static RetryAfter httpDate(Duration delay) {
      return new HttpDate(delay);
    }

    /** See {@link RetryAfter#none()}. */
    enum None implements RetryAfter {
      /** The only instance. */
      INSTANCE
    }

    /**
     * See {@link RetryAfter#seconds(long)}.
     *
     * @param seconds whole seconds, >= 0
     */
    record Seconds(long seconds) implements RetryAfter {
      public Seconds {
        if (seconds < 0) {
          throw new SimulatorException("Retry-After seconds must be >= 0");
        }
      }
    }

    /**
     * See {@link RetryAfter#millis(long)}.
     *
     * @param millis milliseconds, >= 0
     */
    record Millis(long millis) implements RetryAfter {
      public Millis {
        if (millis < 0) {
          throw new SimulatorException("retry-after-ms must be >= 0");
        }
      }
    }

    /**
     * See {@link RetryAfter#httpDate(Duration)}.
     *
     * @param delay how far after "now" the date lies; may be negative to send a date in the past
     */
    record HttpDate(Duration delay) implements RetryAfter {
      public HttpDate {
        Objects.requireNonNull(delay, "delay");
      }
    }
  }

  /** Validates the components; see the class description for their meaning. */
  public FaultRule {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (kind == Kind.STATUS && (status < MIN_FAULT_STATUS || status > MAX_FAULT_STATUS)) {
      throw new SimulatorException("Fault status must be 400..599, was " + status);
    }
    if (kind != Kind.STATUS) {
      status = 0;
    }
    if (!(probability >= 0 && probability <= 1)) {
      throw new SimulatorException("Fault probability must be in [0, 1], was " + probability);
    }
    if (times < 1) {
      throw new SimulatorException("Fault times must be >= 1 (or UNLIMITED), was " + times);
    }
  }

  /** Whether the rule targets the given concrete route. */
  public boolean appliesTo(Route requestRoute) {
    return route == Route.ANY || route == requestRoute;
  }

  /**
   * Parses the compact syntax of the CLI's {@code --fault}: {@code
   * <route>:<status|reset|hang>[:<option>,<option>...]}. Routes: {@code create}, {@code retrieve},
   * {@code cancel}, {@code consume}, {@code connect-backend}, {@code avatar-retrieve}, {@code
   * avatar-list}, {@code conversation-list}, {@code conversation-retrieve}, {@code
   * conversation-delete}, {@code usage}, {@code any}. Options: a bare number or {@code p=<0..1>}
   * (probability), {@code times=<n>}, {@code retry-after=<seconds>}, {@code
   * retry-after-ms=<millis>}, {@code retry-after-date=<duration>}, {@code should-retry=true|false},
   * {@code after-commit}. Examples: {@code create:500:0.1}, {@code
   * retrieve:429:times=2,retry-after=1}, {@code any:reset:p=0.05}, {@code
   * create:502:after-commit,times=1}.
   *
   * @throws SimulatorException when the text does not follow the syntax
   */
  public static FaultRule parse(String spec) {
    return FaultSpecParser.parse(spec);
  }

  /** A builder with the defaults: route ANY, status 500, probability 1, unlimited times. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this rule's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.route = route;
    b.kind = kind;
    b.status = kind == Kind.STATUS ? status : b.status;
    b.probability = probability;
    b.times = times;
    b.retryAfter = retryAfter;
    b.shouldRetry = shouldRetry;
    b.afterCommit = afterCommit;
    return b;
  }

  /** Builds {@link FaultRule}s; every setting has the default named in the record description. */
  public static final class Builder {
    private static final int DEFAULT_STATUS = 500;

    private Route route = Route.ANY;
    private Kind kind = Kind.STATUS;
    private int status = DEFAULT_STATUS;
    private double probability = 1;
    private int times = UNLIMITED;
    private RetryAfter retryAfter = RetryAfter.none();
    private Boolean shouldRetry;
    private boolean afterCommit;

    private Builder() {}

    /** Which route to hit; default {@link Route#ANY}. */
    public Builder route(Route value) {
      this.route = value;
      return this;
    }

    /** Sets the kind without touching the status. */
    public Builder kind(Kind value) {
      this.kind = value;
      return this;
    }

    /** Answer this HTTP status (400..599); also sets the kind to {@link Kind#STATUS}. */
    public Builder status(int value) {
      this.kind = Kind.STATUS;
      this.status = value;
      return this;
    }

    /** Drop the connection without a response (kind {@link Kind#RESET}). */
    public Builder reset() {
      this.kind = Kind.RESET;
      return this;
    }

    /** Never answer (kind {@link Kind#HANG}). */
    public Builder hang() {
      this.kind = Kind.HANG;
      return this;
    }

    /** Chance in [0, 1] that a matching request is hit; default 1. */
    public Builder probability(double value) {
      this.probability = value;
      return this;
    }

    /** Hit at most this many requests (>= 1); default {@link #UNLIMITED}. */
    public Builder times(int value) {
      this.times = value;
      return this;
    }

    /** Delay header for STATUS answers; default none. */
    public Builder retryAfter(RetryAfter value) {
      this.retryAfter = value;
      return this;
    }

    /** {@code x-should-retry} header value, or null (default) for no header. */
    public Builder shouldRetry(Boolean value) {
      this.shouldRetry = value;
      return this;
    }

    /** Handle the request normally first, then replace a 2xx answer; default false. */
    public Builder afterCommit(boolean value) {
      this.afterCommit = value;
      return this;
    }

    /**
     * Builds the rule.
     *
     * @throws SimulatorException when a value is out of range
     */
    public FaultRule build() {
      return new FaultRule(
          route, kind, status, probability, times, retryAfter, shouldRetry, afterCommit);
    }
  }
}
