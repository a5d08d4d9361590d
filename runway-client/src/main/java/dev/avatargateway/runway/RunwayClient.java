package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ApiClient;
import dev.avatargateway.runway.internal.ConnectionLimit;
import dev.avatargateway.runway.internal.ConnectionLimitingTransport;
import dev.avatargateway.runway.internal.JdkHttpTransport;
import dev.avatargateway.runway.internal.ObservingTransport;
import dev.avatargateway.runway.internal.Redactor;
import dev.avatargateway.runway.internal.RetryingTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A client for Runway's realtime-session and avatar API.
 *
 * <pre>{@code
 * RunwayClient runway = RunwayClient.builder().build(); // API key from RUNWAYML_API_SECRET
 * StartedSession session = runway.realtimeSessions().startSession(
 *     RealtimeSessionCreateParams.of(SessionAvatar.preset(AvatarPreset.CAT_CHARACTER)),
 *     Instant.now().plusSeconds(30));
 * }</pre>
 *
 * <p>Immutable and thread-safe: share one instance, from as many (virtual) threads as you like.
 * {@link #withOptions(Consumer)} and {@link #toBuilder()} make cheap copies with other settings
 * that share the same connection pool and the same {@linkplain Builder#maxConnections(int) bound on
 * connections}.
 */
public final class RunwayClient {
  /** Runway's production API (runway-api.md §1). */
  public static final URI DEFAULT_BASE_URL = URI.create("https://api.dev.runwayml.com");

  /** The environment variable the API key is read from, as the official SDKs do. */
  public static final String API_KEY_ENV = "RUNWAYML_API_SECRET";

  /** The environment variable the base URL is read from, as the official SDKs do. */
  public static final String BASE_URL_ENV = "RUNWAYML_BASE_URL";

  /** Default time to establish a TCP/TLS connection (the Python SDK's connect time-out). */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default time-out of one attempt (the official SDKs' 60 s). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Default number of retries after the first attempt (the official SDKs' 2). */
  public static final int DEFAULT_MAX_RETRIES = 2;

  /**
   * Default longest server-asked delay ({@code Retry-After}) that is waited for. Longer asks
   * surface as the error at once, so that a caller is never held for a minute behind a 429.
   */
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(30);

  /**
   * Default bound on requests in flight to Runway, and so on HTTP/1.1 connections. Runway sets no
   * requests-per-minute limit (runway-api.md, "Organisation limits"), so the bound serves the
   * caller's own sockets and threads: 64 keep-alive connections carry about 64 requests per round
   * trip, some 13,000 status reads a second at 5 ms and still 1,300 at 50 ms, while thousands of
   * callers waiting for their sessions at once hold 64 sockets instead of one each.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  private final Builder settings;
  private final RealtimeSessions realtimeSessions;
  private final Avatars avatars;
  private final AvatarConversations avatarConversations;
  private final AvatarUsageReports avatarUsage;

  private RunwayClient(Builder settings) {
    this.settings = settings;
    Redactor redactor = new Redactor(settings.apiKey);
    // The limit inside the retries: each attempt takes and gives back its own connection, and a
    // back-off holds none. The observer inside the limit: an attempt's duration is the exchange.
    RetryingTransport transport =
        new RetryingTransport(
            new ConnectionLimitingTransport(
                new ObservingTransport(
                    new JdkHttpTransport(settings.httpClient), settings.observer),
                settings.connectionLimit),
            settings.clock,
            settings.sleeper,
            settings.maxRetryAfter,
            () -> ThreadLocalRandom.current().nextDouble());
    ApiClient api =
        new ApiClient(
            settings.baseUrl,
            settings.timeout,
            settings.maxRetries,
            transport,
            redactor,
            settings.clock);
    this.realtimeSessions =
        new RealtimeSessions(api, settings.apiKey, settings.clock, settings.sleeper);
    this.avatars = new Avatars(api, settings.apiKey);
    this.avatarConversations = new AvatarConversations(api, settings.apiKey);
    this.avatarUsage = new AvatarUsageReports(api, settings.apiKey);
  }

  /** A builder with every default; the API key and base URL are read from the environment. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this client's settings, for a changed copy. */
  public Builder toBuilder() {
    return settings.copy();
  }

  /**
   * A copy with some settings changed, sharing this client's connection pool:
   *
   * <pre>{@code runway.withOptions(o -> o.maxRetries(0).timeout(Duration.ofSeconds(5)))}</pre>
   */
  public RunwayClient withOptions(Consumer<Builder> changes) {
    Builder copy = settings.copy();
    changes.accept(copy);
    return copy.build();
  }

  /** Realtime sessions: create, retrieve, cancel, consume, and the whole connect flow. */
  public RealtimeSessions realtimeSessions() {
    return realtimeSessions;
  }

  /** Custom avatars: retrieve and list. */
  public Avatars avatars() {
    return avatars;
  }

  /** Avatar conversations (one per realtime session): list, retrieve with transcript, delete. */
  public AvatarConversations avatarConversations() {
    return avatarConversations;
  }

  /** Avatar usage: sessions and seconds per UTC day over a date range. */
  public AvatarUsageReports avatarUsage() {
    return avatarUsage;
  }

  /** The API's base URL. */
  public URI baseUrl() {
    return settings.baseUrl;
  }

  /**
   * How this client and its copies use their connections right now: the bound, requests in flight,
   * requests queued for a connection, and waits that timed out. Cheap; for gauges.
   */
  public ConnectionUsage connectionUsage() {
    ConnectionLimit limit = settings.connectionLimit;
    return new ConnectionUsage(limit.max(), limit.inFlight(), limit.waiting(), limit.timedOut());
  }

  /** Whether this client talks to Runway's production API (not a simulator or staging). */
  public boolean usesDefaultBaseUrl() {
    return DEFAULT_BASE_URL.equals(settings.baseUrl);
  }

  @Override
  public String toString() {
    return "RunwayClient[baseUrl=" + settings.baseUrl + ", apiKey=***]";
  }

  /** Settings of a {@link RunwayClient}. Not thread-safe; the built client is. */
  public static final class Builder {
    /**
     * Runs the JDK client's completions where they arise, on its one selector thread or on the
     * caller's, instead of on its default cached pool, which grows a platform thread for about
     * every request in flight. A completion here only hands a small body, already read, to the
     * waiting caller: measured against the default pool and a virtual thread per task, inline cost
     * the least CPU per request, over plain HTTP and over TLS.
     */
    private static final Executor COMPLETE_ON_SELECTOR_THREAD = Runnable::run;

    private String apiKey;
    private URI baseUrl;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private ConnectionLimit connectionLimit;
    private HttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private RequestObserver observer = RequestObserver.none();
    private UnaryOperator<String> environment = System::getenv;

    private Builder() {}

    private Builder copy() {
      Builder copy = new Builder();
      copy.apiKey = apiKey;
      copy.baseUrl = baseUrl;
      copy.connectTimeout = connectTimeout;
      copy.timeout = timeout;
      copy.maxRetries = maxRetries;
      copy.maxRetryAfter = maxRetryAfter;
      copy.maxConnections = maxConnections;
      copy.connectionLimit = connectionLimit;
      copy.httpClient = httpClient;
      copy.clock = clock;
      copy.sleeper = sleeper;
      copy.observer = observer;
      copy.environment = environment;
      return copy;
    }

    /** The API secret. Default: the environment variable {@value #API_KEY_ENV}. */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * The API's base URL. Default: the environment variable {@value #BASE_URL_ENV}, else {@link
     * #DEFAULT_BASE_URL}.
     */
    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /** See {@link #baseUrl(URI)}. */
    public Builder baseUrl(String baseUrl) {
      return baseUrl(URI.create(baseUrl));
    }

    /**
     * Time to establish a connection. Default 5 s. Ignored when an {@link #httpClient(HttpClient)}
     * is given (set it on that client).
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /** Time-out of one attempt, from sending to the response headers. Default 60 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /** Retries after the first attempt (0 for none). Default 2. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * The longest server-asked delay ({@code retry-after-ms} / {@code Retry-After}) that is waited
     * for before a retry; a longer ask surfaces as the error at once. Default 30 s.
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      if (maxRetryAfter.isNegative()) {
        throw new IllegalArgumentException("maxRetryAfter must not be negative");
      }
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * At most this many requests are in flight to Runway at once, from this client and every copy
     * made from it; with HTTP/1.1 (one request per connection) that bounds the open connections
     * too. Over HTTP/2, which the JDK negotiates for {@code https} when the server offers it, the
     * requests share a connection and this bounds its concurrent streams. Default {@value
     * RunwayClient#DEFAULT_MAX_CONNECTIONS}; at least 1.
     *
     * <p>Every attempt, each retry included, takes a connection before it is sent and gives it back
     * when its response has been read or it failed; a back-off between retries holds none. When all
     * are in use, callers queue for one, first come first served, each for no longer than its
     * attempt's time-out ({@link #timeout(Duration)}, cut to the {@linkplain
     * RequestOptions#deadline(java.time.Instant) deadline}), which covers the wait and the exchange
     * together. A caller that gets none in time fails with {@link RunwayTimeoutException} ("waited
     * for a free connection") having sent nothing, so this is retried like a connection that was
     * never made, {@code create} included. An interrupt ends the wait at once ({@link
     * RunwayInterruptedException}). {@link RunwayClient#connectionUsage()} and {@link
     * RequestObserver.Attempt#connectionWait()} tell how the bound is used.
     *
     * <p>Copies made with {@link RunwayClient#withOptions(Consumer)} or {@link
     * RunwayClient#toBuilder()} share the bound unless they set another value here; then they get a
     * bound of their own (over the same JDK connection pool). The bound applies to a client given
     * with {@link #httpClient(HttpClient)} too.
     *
     * <p>The JDK keeps idle connections for 30 s; it closes those above the system property {@code
     * jdk.httpclient.connectionPoolSize} (default: no limit), a setting of the whole JVM that this
     * client leaves alone. Because a connection is back in the JDK's pool before its request
     * returns, the pool does not grow past this bound on its own.
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be >= 1");
      }
      if (maxConnections != this.maxConnections) {
        this.connectionLimit = null;
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * The JDK HTTP client to send with, for a custom proxy, TLS or executor; used as it is.
     * Default: one built for this client (and shared by its copies), with the connect time-out,
     * whose completions run on its selector thread instead of a pool of platform threads.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /** The clock for deadlines and HTTP dates. Default: the system clock (UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How to wait between retries and polls. Default: {@link Sleeper#system()}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Told about every HTTP attempt, retries included (for metrics). Default: nobody. */
    public Builder observer(RequestObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** Where defaults are read from instead of the process environment (for tests). */
    Builder environment(UnaryOperator<String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws RunwayException when no API key is set and {@value #API_KEY_ENV} is empty
     */
    public RunwayClient build() {
      Builder resolved = copy();
      if (resolved.apiKey == null) {
        String fromEnv = environment.apply(API_KEY_ENV);
        if (fromEnv == null || fromEnv.isBlank()) {
          throw new RunwayException(
              "No Runway API key: set the environment variable "
                  + API_KEY_ENV
                  + " or call RunwayClient.builder().apiKey(...)");
        }
        resolved.apiKey = fromEnv.trim();
      }
      if (resolved.baseUrl == null) {
        String fromEnv = environment.apply(BASE_URL_ENV);
        resolved.baseUrl =
            fromEnv == null || fromEnv.isBlank() ? DEFAULT_BASE_URL : URI.create(fromEnv.trim());
      }
      resolved.baseUrl = withoutTrailingSlash(resolved.baseUrl);
      if (resolved.httpClient == null) {
        resolved.httpClient =
            HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .executor(COMPLETE_ON_SELECTOR_THREAD)
                .build();
        // Copies made from the built client share this pool instead of opening their own.
        this.httpClient = resolved.httpClient;
      }
      if (resolved.connectionLimit == null) {
        resolved.connectionLimit = new ConnectionLimit(resolved.maxConnections);
        // Copies share the bound too: one limit over the one pool.
        this.connectionLimit = resolved.connectionLimit;
      }
      return new RunwayClient(resolved);
    }

    private static URI withoutTrailingSlash(URI uri) {
      if (!uri.isAbsolute()
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL: " + uri);
      }
      String text = uri.toString();
      return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return value;
    }
  }
}
