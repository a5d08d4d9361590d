package dev.avatargateway.spring;

import dev.avatargateway.gateway.core.GatewayCore;

/**
 * Changes the starter's {@link GatewayCore.Builder} after the properties are applied and before it
 * builds: add a {@code ConnectListener}, a clock, an instance name. Every bean of this type is
 * called, in {@code @Order}. To replace the core altogether, define a {@link GatewayCore} bean.
 */
@FunctionalInterface
public interface GatewayCoreCustomizer {
  /** Changes the builder. */
  void customize(GatewayCore.Builder builder);
}
