package dev.avatargateway.spring.internal.health;

import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.Readiness;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Actuator's {@code avatarGateway} component: up while {@link GatewayCore#readiness()} is (the
 * ledger answers, Redis when it is required, and the upstream with our secret, remembered for a few
 * seconds), down with its reason otherwise; the reason never holds a secret.
 */
public final class AvatarGatewayHealthIndicator implements HealthIndicator {
  private final GatewayCore core;

  /**
   * @param core the gateway
   */
  public AvatarGatewayHealthIndicator(GatewayCore core) {
    this.core = core;
  }

  @Override
  public Health health() {
    Readiness readiness = core.readiness();
    Health.Builder health = readiness.ready() ? Health.up() : Health.down();
    return health
        .withDetail("detail", readiness.detail())
        .withDetail("upstream", core.simulatedUpstream() ? "simulator" : "runway")
        .build();
  }
}
