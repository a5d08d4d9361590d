package dev.avatargateway.spring;

import dev.avatargateway.gateway.core.AdmissionConfig;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.AvatarsConfig;
import dev.avatargateway.gateway.core.BudgetsConfig;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.IdempotencyConfig;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.OriginPolicy;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.gateway.core.RedisConfig;
import dev.avatargateway.gateway.core.SessionsConfig;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The gateway's settings ({@code avatar-gateway.*}), bound straight onto gateway-core's
 * configuration records: {@code avatar-gateway.connect.deadline=45s} is the gateway's {@code
 * connect.deadline} (docs/configuration.md describes each), names in Spring's kebab case. Every
 * absent section takes the record's defaults; every value is checked once, at start-up, by the
 * records' own {@code validate()}, which names the offending setting.
 *
 * <p>Durations take the gateway's YAML forms: {@code 1500ms}, {@code 30s}, {@code 1.5s}, {@code
 * 5m}, {@code 1h}, or ISO-8601 {@code PT30S}. The annotation gives IDEs their completion (the
 * generated metadata); the starter binds this itself, not as a bean (its {@code GatewaySettings}
 * says why), so read the settings in effect from {@code GatewayCore} rather than injecting this.
 *
 * @param connect the connect flow ({@link ConnectConfig})
 * @param avatars the allowed avatars ({@link AvatarsConfig})
 * @param auth who may connect when Spring Security did not authenticate the request ({@link
 *     AuthConfig}); {@code auth.admin.api-keys} decides who is an admin
 * @param rateLimit rate limits and caps ({@link RateLimitConfig})
 * @param admission the overload guard ({@link AdmissionConfig})
 * @param line the waiting line ({@link LineConfig})
 * @param readiness how READY is awaited ({@link ReadinessConfig})
 * @param sessions asynchronous starts ({@link SessionsConfig})
 * @param ledger the session ledger ({@link LedgerConfig}); with an application {@code DataSource}
 *     only its non-connection settings apply
 * @param budgets budgets on paid sessions ({@link BudgetsConfig})
 * @param idempotency idempotent starts ({@link IdempotencyConfig})
 * @param redis the Redis the limits are shared through ({@link RedisConfig})
 * @param web the endpoints' own settings ({@link Web})
 */
@ConfigurationProperties("avatar-gateway")
public record AvatarGatewayProperties(
    @NestedConfigurationProperty ConnectConfig connect,
    @NestedConfigurationProperty AvatarsConfig avatars,
    @NestedConfigurationProperty AuthConfig auth,
    @NestedConfigurationProperty RateLimitConfig rateLimit,
    @NestedConfigurationProperty AdmissionConfig admission,
    @NestedConfigurationProperty LineConfig line,
    @NestedConfigurationProperty ReadinessConfig readiness,
    @NestedConfigurationProperty SessionsConfig sessions,
    @NestedConfigurationProperty LedgerConfig ledger,
    @NestedConfigurationProperty BudgetsConfig budgets,
    @NestedConfigurationProperty IdempotencyConfig idempotency,
    @NestedConfigurationProperty RedisConfig redis,
    Web web) {

  /** Fills every absent section with its defaults. */
  public AvatarGatewayProperties {
    connect = connect == null ? ConnectConfig.defaults() : connect;
    avatars = avatars == null ? AvatarsConfig.defaults() : avatars;
    auth = auth == null ? AuthConfig.defaults() : auth;
    rateLimit = rateLimit == null ? RateLimitConfig.defaults() : rateLimit;
    admission = admission == null ? AdmissionConfig.defaults() : admission;
    line = line == null ? LineConfig.defaults() : line;
    readiness = readiness == null ? ReadinessConfig.defaults() : readiness;
    sessions = sessions == null ? SessionsConfig.defaults() : sessions;
    ledger = ledger == null ? LedgerConfig.defaults() : ledger;
    budgets = budgets == null ? BudgetsConfig.defaults() : budgets;
    idempotency = idempotency == null ? IdempotencyConfig.defaults() : idempotency;
    redis = redis == null ? RedisConfig.defaults() : redis;
    web = web == null ? new Web(null, null, null, null, null) : web;
  }

  /**
   * The endpoints' own settings ({@code avatar-gateway.web.*}), as the gateway's {@code server.*}.
   *
   * @param enabled whether the starter maps its endpoints; default true (false keeps only the
   *     beans, for an application with its own controllers)
   * @param maxBodyBytes the largest connect body accepted; larger is 413 {@code body_too_large};
   *     default 16 KiB, as the gateway's: a connect body is a few dozen bytes
   * @param shutdownGrace how long a stopping application lets connects in flight finish before
   *     their sessions are cancelled; default 10 s, as the gateway's {@code server.shutdownGrace}
   * @param originCheck whether the starter refuses state-changing requests from other sites' pages
   *     on its paths (403 {@code origin_not_allowed}) and answers their CORS; default true. False
   *     leaves both to the application (Spring Security's CORS and CSRF), for one that does them
   *     itself; request ids stay
   * @param cors the origins whose pages may call the starter's paths ({@link Cors})
   */
  public record Web(
      Boolean enabled,
      Integer maxBodyBytes,
      Duration shutdownGrace,
      Boolean originCheck,
      Cors cors) {
    static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** Fills in defaults. */
    public Web {
      enabled = enabled == null || enabled;
      maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
      shutdownGrace = shutdownGrace == null ? DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
      originCheck = originCheck == null || originCheck;
      cors = cors == null ? new Cors(null, null, null) : cors;
    }

    /** Checks every value. */
    public void validate() {
      if (maxBodyBytes < 1) {
        throw new ConfigException("avatar-gateway.web.max-body-bytes", "must be positive");
      }
      if (shutdownGrace.isNegative()) {
        throw new ConfigException("avatar-gateway.web.shutdown-grace", "must not be negative");
      }
      cors.validate();
      if (!originCheck && !cors.allowedOrigins().isEmpty()) {
        // Listed origins would silently get nothing: the application's own CORS decides.
        throw new ConfigException(
            Cors.ALLOWED_ORIGINS,
            "has no effect with avatar-gateway.web.origin-check=false; configure the"
                + " application's CORS instead, or leave the check on");
      }
    }
  }

  /**
   * Which other sites' pages may call the starter's paths ({@code avatar-gateway.web.cors.*}), as
   * the gateway's {@code cors.*}. Their answers then carry CORS headers, their preflights are
   * answered, and their state-changing requests are carried out; every other origin's are refused.
   *
   * @param allowedOrigins exact origins ({@code https://app.example.com}, as the browser sends it:
   *     no path, no {@code *}); default none: only the application's own pages may call
   * @param maxAge how long browsers may cache a preflight answer; default 10 min, as the gateway's
   * @param allowCredentials whether a listed origin's script may read answers to requests sent with
   *     the user's cookies ({@code Access-Control-Allow-Credentials: true}, for {@code fetch(...,
   *     {credentials: "include"})}); default false
   */
  public record Cors(List<String> allowedOrigins, Duration maxAge, Boolean allowCredentials) {
    static final String ALLOWED_ORIGINS = "avatar-gateway.web.cors.allowed-origins";

    /** Fills in defaults. */
    public Cors {
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
      maxAge = maxAge == null ? OriginPolicy.DEFAULT_PREFLIGHT_MAX_AGE : maxAge;
      allowCredentials = allowCredentials != null && allowCredentials;
    }

    /** Checks every value: exact origins, a max age that is not negative. */
    public void validate() {
      for (String origin : allowedOrigins) {
        if (!OriginPolicy.isExactOrigin(origin)) {
          throw new ConfigException(
              ALLOWED_ORIGINS,
              "must be exact origins like https://app.example.com (no path, no '*'), was '"
                  + origin
                  + "'");
        }
      }
      if (maxAge.isNegative()) {
        throw new ConfigException("avatar-gateway.web.cors.max-age", "must not be negative");
      }
    }
  }
}
