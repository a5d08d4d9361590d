package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.GatewayCore;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the gateway when the application stops: new connects answer 503 {@code shutting_down}
 * while those in flight get the grace to finish; the rest are stopped, which cancels their upstream
 * sessions. Its phase is above the web server's graceful shutdown, so it runs first, while the
 * server still answers; the core itself is closed after, as a bean.
 */
public final class DrainOnStop implements SmartLifecycle {
  private final GatewayCore core;
  private final Duration grace;
  private volatile boolean running;

  /**
   * @param core the gateway
   * @param grace how long connects in flight may take to finish
   */
  public DrainOnStop(GatewayCore core, Duration grace) {
    this.core = core;
    this.grace = grace;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    core.drain(grace);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return DEFAULT_PHASE;
  }
}
