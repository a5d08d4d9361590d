package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.AdmissionConfig;
import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.AvatarsConfig;
import dev.avatargateway.gateway.core.BudgetsConfig;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.IdempotencyConfig;
import dev.avatargateway.gateway.core.LedgerConfig;
import dev.avatargateway.gateway.core.LineConfig;
import dev.avatargateway.gateway.core.RateLimitConfig;
import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.gateway.core.RedisConfig;
import dev.avatargateway.gateway.core.SessionsConfig;
import java.util.List;

/**
 * Every setting of the gateway, one section per feature; each section has its defaults and its
 * checks. Loaded by {@link ConfigLoader} from an optional YAML file and the environment. The
 * avatars are checked when gateway-core is built from them, at start-up.
 *
 * @param server the HTTP server
 * @param runway the upstream
 * @param connect the connect flow
 * @param avatars the allowed avatars and their session templates
 * @param auth who may connect
 * @param rateLimit how often and how many at once
 * @param admission how much the gateway takes on before it refuses new connects as overloaded
 * @param cors which web origins may call
 * @param ledger where the books of every upstream session are kept
 * @param readiness how READY is waited for: one poller, a read budget, a model per avatar
 * @param line the waiting line in front of upstream creation
 * @param sessions asynchronous starts and their event streams
 * @param budgets how many sessions, minutes and how much spend a principal and the whole gateway
 *     may use a day (docs/budgets.md)
 * @param idempotency idempotent starts: how long {@code Idempotency-Key}s are kept, and the key
 *     that encrypts their stored answers
 * @param redis the Redis that several instances share their rate limits through; none by default
 * @param demo the demo page at {@code /demo/}
 */
public record GatewayConfig(
    ServerConfig server,
    RunwayConfig runway,
    ConnectConfig connect,
    AvatarsConfig avatars,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    AdmissionConfig admission,
    CorsConfig cors,
    LedgerConfig ledger,
    ReadinessConfig readiness,
    LineConfig line,
    SessionsConfig sessions,
    BudgetsConfig budgets,
    IdempotencyConfig idempotency,
    RedisConfig redis,
    DemoConfig demo) {

  /** Fills in defaults for absent sections. */
  public GatewayConfig {
    server = server == null ? ServerConfig.defaults() : server;
    runway = runway == null ? RunwayConfig.defaults() : runway;
    connect = connect == null ? ConnectConfig.defaults() : connect;
    avatars = avatars == null ? AvatarsConfig.defaults() : avatars;
    auth = auth == null ? AuthConfig.defaults() : auth;
    rateLimit = rateLimit == null ? RateLimitConfig.defaults() : rateLimit;
    admission = admission == null ? AdmissionConfig.defaults() : admission;
    cors = cors == null ? CorsConfig.defaults() : cors;
    ledger = ledger == null ? LedgerConfig.defaults() : ledger;
    readiness = readiness == null ? ReadinessConfig.defaults() : readiness;
    line = line == null ? LineConfig.defaults() : line;
    sessions = sessions == null ? SessionsConfig.defaults() : sessions;
    budgets = budgets == null ? BudgetsConfig.defaults() : budgets;
    idempotency = idempotency == null ? IdempotencyConfig.defaults() : idempotency;
    redis = redis == null ? RedisConfig.defaults() : redis;
    demo = demo == null ? DemoConfig.defaults() : demo;
  }

  /** Every default. */
  public static GatewayConfig defaults() {
    return new GatewayConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  /**
   * Finds every problem: all of the server's own sections' problems, and the first of each of
   * gateway-core's sections (their checks stop there).
   *
   * @param secretSet whether {@code RUNWAYML_API_SECRET} is set
   * @return the problems in section order; empty when the gateway can start with this
   */
  public List<ConfigException> problems(boolean secretSet) {
    Problems problems = new Problems();
    validate(problems, secretSet);
    return problems.all();
  }

  /** Records every problem of every section (see {@link #problems(boolean)}). */
  void validate(Problems problems, boolean secretSet) {
    server.validate(problems);
    runway.validate(problems, secretSet);
    problems.check(connect::validate);
    problems.check(() -> auth.validate(runway.simulated(secretSet)));
    problems.check(rateLimit::validate);
    problems.check(admission::validate);
    cors.validate(problems);
    problems.check(ledger::validate);
    problems.check(readiness::validate);
    problems.check(line::validate);
    problems.check(sessions::validate);
    problems.check(budgets::validate);
    problems.check(idempotency::validate);
    problems.check(redis::validate);
  }
}
