package dev.avatargateway.gateway;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.AvatarsConfig;
import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.RateLimitConfig;

/**
 * Every setting of the gateway, one section per feature; each section has its defaults and its
 * checks. Loaded by {@link ConfigLoader} from an optional YAML file and the environment.
 *
 * @param server the HTTP server
 * @param runway the upstream
 * @param connect the connect flow
 * @param avatars the allowed avatars and their session templates
 * @param auth who may connect
 * @param rateLimit how often and how many at once
 * @param cors which web origins may call
 */
public record GatewayConfig(
    ServerConfig server,
    RunwayConfig runway,
    ConnectConfig connect,
    AvatarsConfig avatars,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    CorsConfig cors) {

  /** Fills in defaults for absent sections. */
  public GatewayConfig {
    server = server == null ? ServerConfig.defaults() : server;
    runway = runway == null ? RunwayConfig.defaults() : runway;
    connect = connect == null ? ConnectConfig.defaults() : connect;
    avatars = avatars == null ? AvatarsConfig.defaults() : avatars;
    auth = auth == null ? AuthConfig.defaults() : auth;
    rateLimit = rateLimit == null ? RateLimitConfig.defaults() : rateLimit;
    cors = cors == null ? CorsConfig.defaults() : cors;
  }

  /** Every default. */
  public static GatewayConfig defaults() {
    return new GatewayConfig(null, null, null, null, null, null, null);
  }

  /**
   * Checks every section.
   *
   * @param simulatedUpstream whether the gateway runs against the embedded simulator (no secret)
   * @throws ConfigException naming the first offending setting
   */
  public void validate(boolean simulatedUpstream) {
    server.validate();
    runway.validate();
    connect.validate();
    auth.validate(simulatedUpstream);
    rateLimit.validate();
    cors.validate();
  }
}
