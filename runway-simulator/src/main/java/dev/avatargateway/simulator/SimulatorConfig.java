package dev.avatargateway.simulator;

import dev.avatargateway.simulator.internal.Durations;
import dev.avatargateway.simulator.internal.Origins;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Everything a {@link RunwaySimulator} is started with. Build one with {@link #builder()}; every
 * setting has a default, documented on its builder method. {@link #toString()} never prints API
 * keys or the token secret.
 *
 * @param port TCP port on 127.0.0.1; 0 picks a free one
 * @param apiKeys the API keys accepted as {@code Authorization: Bearer <key>}
 * @param readyAfter provisioning time from {@code NOT_READY} (not queued) to {@code READY}
 * @param readyWindow how long a {@code READY} session waits to be consumed before it goes {@code
 *     FAILED} with {@code TALKING_AVATAR.NO_PARTICIPANT}
 * @param sessionKeyTtl lifetime of a session key: {@code expiresAt = createdAt + sessionKeyTtl}
 * @param concurrencyCap how many sessions may hold a capacity slot at once
 * @param maxSessionDuration server-side cap on how long a {@code RUNNING} session lasts
 * @param creditsExhausted when true, create answers 402
 * @param secondConsumeStatus the HTTP status of a second consume of the same session
 * @param livekitUrl the {@code url} returned by consume and connect_backend
 * @param tokenSecret HMAC secret (>= 32 bytes of UTF-8) that signs the LiveKit JWTs
 * @param faults fault rules installed at start (and again after {@code reset()})
 * @param clock the base clock of simulated time
 * @param maxHang upper bound on how long a {@link FaultRule.Kind#HANG} fault holds a request
 * @param seed seed of the random generator behind delay samples and fault probabilities
 * @param conversationsForUnstartedSessions whether a session that never became {@code RUNNING}
 *     (cancelled, or failed before consume) has a conversation record
 * @param conversationRecordDelay how far conversation records lag behind their sessions in
 *     simulated time: a record appears this long after its session started and shows each later
 *     change this long after it happened
 * @param consumeCorsOrigins the browser origins {@code POST /v1/realtime_sessions/{id}/consume}
 *     answers with CORS headers: {@code ["*"]} for any, exact origins ({@code
 *     http://localhost:5173}) to admit only those, or empty for no CORS at all (a Runway that
 *     refuses browsers); see README.md "CORS"
 */
public record SimulatorConfig(
    int port,
    Set<String> apiKeys,
    DelayDistribution readyAfter,
    Duration readyWindow,
    Duration sessionKeyTtl,
    int concurrencyCap,
    Duration maxSessionDuration,
    boolean creditsExhausted,
    int secondConsumeStatus,
    String livekitUrl,
    String tokenSecret,
    List<FaultRule> faults,
    Clock clock,
    Duration maxHang,
    long seed,
    boolean conversationsForUnstartedSessions,
    Duration conversationRecordDelay,
    List<String> consumeCorsOrigins) {

  /** The API key accepted when none is configured. */
  public static final String DEFAULT_API_KEY = "key_simulator";

  /** The {@link #consumeCorsOrigins()} entry that admits every browser origin. */
  public static final String ANY_ORIGIN = Origins.ANY;

  /** {@link #concurrencyCap()} value meaning "no cap". */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  // HS256 needs a key at least as long as its 256-bit output (RFC 7518 §3.2).
  private static final int MIN_TOKEN_SECRET_BYTES = 32;
  private static final int MAX_PORT = 65_535;
  private static final int MIN_ERROR_STATUS = 400;
  private static final int MAX_ERROR_STATUS = 599;

  /** Validates and defensively copies the components. */
  public SimulatorConfig {
    if (port < 0 || port > MAX_PORT) {
      throw new SimulatorException("port must be 0..65535, was " + port);
    }
    Objects.requireNonNull(apiKeys, "apiKeys");
    if (apiKeys.isEmpty() || apiKeys.stream().anyMatch(k -> k == null || k.isBlank())) {
      throw new SimulatorException("apiKeys must hold at least one non-blank key");
    }
    apiKeys = Set.copyOf(apiKeys);
    Objects.requireNonNull(readyAfter, "readyAfter");
    Durations.requireNonNegative(readyWindow, "readyWindow");
    Durations.requireNonNegative(sessionKeyTtl, "sessionKeyTtl");
    Durations.requireNonNegative(maxSessionDuration, "maxSessionDuration");
    Durations.requireNonNegative(maxHang, "maxHang");
    Durations.requireNonNegative(conversationRecordDelay, "conversationRecordDelay");
    if (concurrencyCap < 1) {
      throw new SimulatorException("concurrencyCap must be >= 1, was " + concurrencyCap);
    }
    if (secondConsumeStatus < MIN_ERROR_STATUS || secondConsumeStatus > MAX_ERROR_STATUS) {
      throw new SimulatorException(
          "secondConsumeStatus must be 400..599, was " + secondConsumeStatus);
    }
    if (livekitUrl == null || livekitUrl.isBlank()) {
      throw new SimulatorException("livekitUrl must not be blank");
    }
    if (tokenSecret == null
        || tokenSecret.getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_SECRET_BYTES) {
      throw new SimulatorException("tokenSecret must be at least 32 bytes of UTF-8");
    }
    faults = List.copyOf(faults);
    Objects.requireNonNull(clock, "clock");
    consumeCorsOrigins = Origins.normalizeAll(consumeCorsOrigins);
  }

  /** A configuration with every default. */
  public static SimulatorConfig defaults() {
    return builder().build();
  }

  /** A builder holding every default (and a fresh random token secret and seed). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.port = port;
    b.apiKeys = new LinkedHashSet<>(apiKeys);
    b.readyAfter = readyAfter;
    b.readyWindow = readyWindow;
    b.sessionKeyTtl = sessionKeyTtl;
    b.concurrencyCap = concurrencyCap;
    b.maxSessionDuration = maxSessionDuration;
    b.creditsExhausted = creditsExhausted;
    b.secondConsumeStatus = secondConsumeStatus;
    b.livekitUrl = livekitUrl;
    b.tokenSecret = tokenSecret;
    b.faults = faults;
    b.clock = clock;
    b.maxHang = maxHang;
    b.seed = seed;
    b.conversationsForUnstartedSessions = conversationsForUnstartedSessions;
    b.conversationRecordDelay = conversationRecordDelay;
    b.consumeCorsOrigins = consumeCorsOrigins;
    return b;
  }

  @Override
  public String toString() {
    return "SimulatorConfig[port="
        + port
        + ", apiKeys=<"
        + apiKeys.size()
        + " redacted>, readyAfter="
        + readyAfter
        + ", readyWindow="
        + readyWindow
        + ", sessionKeyTtl="
        + sessionKeyTtl
        + ", concurrencyCap="
        + (concurrencyCap == UNLIMITED ? "unlimited" : concurrencyCap)
        + ", maxSessionDuration="
        + maxSessionDuration
        + ", creditsExhausted="
        + creditsExhausted
        + ", secondConsumeStatus="
        + secondConsumeStatus
        + ", livekitUrl="
        + livekitUrl
        + ", tokenSecret=<redacted>, faults="
        + faults
        + ", clock="
        + clock
        + ", maxHang="
        + maxHang
        + ", seed="
        + seed
        + ", conversationsForUnstartedSessions="
        + conversationsForUnstartedSessions
        + ", conversationRecordDelay="
        + conversationRecordDelay
        + ", consumeCorsOrigins="
        + consumeCorsOrigins
        + "]";
  }

  /** Builds {@link SimulatorConfig}s. Each setter documents its default and unit. */
  public static final class Builder {
    // official-sdk-behaviour.md §3: NOT_READY -> READY in about 1.5 s (third-party observation).
    private static final Duration DEFAULT_READY_AFTER = Duration.ofMillis(1_500);
    // official-sdk-behaviour.md §3: unjoined sessions fail after about 20-30 s (third-party).
    private static final Duration DEFAULT_READY_WINDOW = Duration.ofSeconds(25);
    // official-sdk-behaviour.md §3: expiresAt is about createdAt + 5 min (third-party).
    private static final Duration DEFAULT_SESSION_KEY_TTL = Duration.ofMinutes(5);
    // client-contract.md §6.3: sessions are killed at about 300 s whatever maxDuration says.
    private static final Duration DEFAULT_MAX_SESSION_DURATION = Duration.ofMinutes(5); // 300 s
    // ASSUMPTION (official-sdk-behaviour.md §3 leaves 409 vs 410 open): 409 Conflict.
    private static final int DEFAULT_SECOND_CONSUME_STATUS = 409;
    // ".invalid" is reserved (RFC 2606), so nothing can ever connect to it by accident.
    private static final String DEFAULT_LIVEKIT_URL = "wss://livekit.simulator.invalid";
    // Long enough for any client time-out under test, short enough not to pin threads forever.
    private static final Duration DEFAULT_MAX_HANG = Duration.ofMinutes(5);

    private int port;
    private Set<String> apiKeys = new LinkedHashSet<>(Set.of(DEFAULT_API_KEY));
    private DelayDistribution readyAfter = DelayDistribution.fixed(DEFAULT_READY_AFTER);
    private Duration readyWindow = DEFAULT_READY_WINDOW;
    private Duration sessionKeyTtl = DEFAULT_SESSION_KEY_TTL;
    private int concurrencyCap = UNLIMITED;
    private Duration maxSessionDuration = DEFAULT_MAX_SESSION_DURATION;
    private boolean creditsExhausted;
    private int secondConsumeStatus = DEFAULT_SECOND_CONSUME_STATUS;
    private String livekitUrl = DEFAULT_LIVEKIT_URL;
    private String tokenSecret = randomSecret();
    private List<FaultRule> faults = List.of();
    private Clock clock = Clock.systemUTC();
    private Duration maxHang = DEFAULT_MAX_HANG;
    private long seed = new SecureRandom().nextLong();
    // ASSUMPTION (runway-api-additions.md, Conversations: unknown upstream): no record for a
    // session that never ran, the safe reading; a client must not expect one.
    private boolean conversationsForUnstartedSessions;
    // ASSUMPTION (same source: unknown; one integration saw an empty result right after a cancel):
    // records are current at once by default; a delay makes the lag testable.
    private Duration conversationRecordDelay = Duration.ZERO;
    // ASSUMPTION (client-contract.md "Open questions" 5: undocumented): Runway lets a page of any
    // origin call consume, since core streamTo calls it straight from the browser (§1.5).
    private List<String> consumeCorsOrigins = List.of(ANY_ORIGIN);

    private Builder() {}

    /** TCP port on 127.0.0.1; default 0 (a free port, read it back from the simulator). */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    /** Replaces the accepted API keys; default {@value SimulatorConfig#DEFAULT_API_KEY} only. */
    public Builder apiKeys(Set<String> values) {
      this.apiKeys = new LinkedHashSet<>(values);
      return this;
    }

    /** Adds one accepted API key to the current set (which starts as the default key). */
    public Builder apiKey(String value) {
      this.apiKeys.add(value);
      return this;
    }

    /** Provisioning time (simulated) from NOT_READY to READY; default fixed 1500 ms. */
    public Builder readyAfter(DelayDistribution value) {
      this.readyAfter = value;
      return this;
    }

    /** How long READY waits to be consumed before FAILED NO_PARTICIPANT; default 25 s. */
    public Builder readyWindow(Duration value) {
      this.readyWindow = value;
      return this;
    }

    /** Session key lifetime counted from creation ({@code expiresAt}); default 5 min. */
    public Builder sessionKeyTtl(Duration value) {
      this.sessionKeyTtl = value;
      return this;
    }

    /** Sessions holding a capacity slot at once (>= 1); default {@link #UNLIMITED}. */
    public Builder concurrencyCap(int value) {
      this.concurrencyCap = value;
      return this;
    }

    /** RUNNING ends COMPLETED after min(maxDuration, this); default 300 s. */
    public Builder maxSessionDuration(Duration value) {
      this.maxSessionDuration = value;
      return this;
    }

    /** When true, create answers 402; default false. */
    public Builder creditsExhausted(boolean value) {
      this.creditsExhausted = value;
      return this;
    }

    /** Status of a second consume (400..599); default 409 (ASSUMPTION, 410 is plausible). */
    public Builder secondConsumeStatus(int value) {
      this.secondConsumeStatus = value;
      return this;
    }

    /** {@code url} in consume answers; default {@code wss://livekit.simulator.invalid}. */
    public Builder livekitUrl(String value) {
      this.livekitUrl = value;
      return this;
    }

    /** HS256 secret (>= 32 bytes UTF-8) for LiveKit JWTs; default 32 random bytes as hex. */
    public Builder tokenSecret(String value) {
      this.tokenSecret = value;
      return this;
    }

    /** Fault rules installed at start and after every reset; default none. */
    public Builder faults(List<FaultRule> values) {
      this.faults = List.copyOf(values);
      return this;
    }

    /** Appends one fault rule to those installed at start. */
    public Builder fault(FaultRule value) {
      this.faults = Stream.concat(faults.stream(), Stream.of(value)).toList();
      return this;
    }

    /** Base clock of simulated time; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /** Longest a HANG fault holds a request before dropping it; default 5 min. */
    public Builder maxHang(Duration value) {
      this.maxHang = value;
      return this;
    }

    /** Seed for delay samples and fault draws; default random (printed by toString). */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Whether a session that never became RUNNING (cancelled before consume, failed in
     * provisioning, or failed for no participant) has a conversation record; default false (no
     * record). When true, such a session's record exists from creation: {@code in_progress} with
     * {@code startedAt} null until it ends, then {@code failed} or {@code ended} with {@code
     * startedAt}, {@code endedAt} and {@code duration} null.
     */
    public Builder conversationsForUnstartedSessions(boolean value) {
      this.conversationsForUnstartedSessions = value;
      return this;
    }

    /**
     * How far conversation records lag behind their sessions, in simulated time; default 0. A
     * record is absent (404, not listed, not in usage) until this long after its session started
     * (or was created, with {@link #conversationsForUnstartedSessions}), and shows the session as
     * it was this long ago: its final status and duration appear this long after the session ended.
     */
    public Builder conversationRecordDelay(Duration value) {
      this.conversationRecordDelay = value;
      return this;
    }

    /**
     * Which browser origins may call consume ({@code POST /v1/realtime_sessions/{id}/consume})
     * cross-origin; default {@code ["*"]} (ASSUMPTION: any origin, client-contract.md "Open
     * questions" 5). {@code ["*"]} answers {@code Access-Control-Allow-Origin: *}; a list of exact
     * origins ({@code scheme://host[:port]}, e.g. {@code http://localhost:5173}) echoes a listed
     * {@code Origin} and sends no CORS headers to others; an empty list turns CORS off, as a Runway
     * that refuses browsers would. Routes that need the API key never answer with CORS headers.
     */
    public Builder consumeCorsOrigins(List<String> values) {
      // Not List.copyOf: a null entry must reach validation and fail with a named error.
      this.consumeCorsOrigins = new ArrayList<>(values);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws SimulatorException when a value is out of range
     */
    public SimulatorConfig build() {
      return new SimulatorConfig(
          port,
          apiKeys,
          readyAfter,
          readyWindow,
          sessionKeyTtl,
          concurrencyCap,
          maxSessionDuration,
          creditsExhausted,
          secondConsumeStatus,
          livekitUrl,
          tokenSecret,
          faults,
          clock,
          maxHang,
          seed,
          conversationsForUnstartedSessions,
          conversationRecordDelay,
          consumeCorsOrigins);
    }

    private static String randomSecret() {
      byte[] bytes = new byte[MIN_TOKEN_SECRET_BYTES];
      new SecureRandom().nextBytes(bytes);
      return HexFormat.of().formatHex(bytes);
    }
  }
}
