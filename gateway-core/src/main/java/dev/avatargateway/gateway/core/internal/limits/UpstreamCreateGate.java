package dev.avatargateway.gateway.core.internal.limits;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.RateLimitConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A global cap on upstream session creations in flight, protecting the organisation's concurrency
 * (runway-api.md §6). It never waits: {@link #acquire()} refuses at once when the cap is reached;
 * the connect flow takes its slots through the waiting line ({@code internal.line}), which uses
 * {@link #tryAcquire()} and decides itself who waits. Thread-safe.
 */
public final class UpstreamCreateGate {
  /**
   * A slot frees when some creation ends, usually within seconds; a rejection costs nothing, so a
   * retry after one second is prompt without hammering.
   */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final int maxInFlight; // 0: no cap, still counted for metrics
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Consumer<Limit> onRejection;

  UpstreamCreateGate(int maxInFlight, Consumer<Limit> onRejection) {
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight must be at least 0, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
  }

  /**
   * A gate for this JVM (one gateway instance), with {@link
   * RateLimitConfig#maxUpstreamCreatesInFlight()} slots (0 = no cap).
   *
   * @param onRejection told {@link Limit#UPSTREAM} for each rejection (for metrics); must be fast
   *     and must not throw
   * @throws dev.avatargateway.gateway.core.ConfigException when a setting is invalid
   */
  public static UpstreamCreateGate inMemory(RateLimitConfig config, Consumer<Limit> onRejection) {
    config.validate();
    return new UpstreamCreateGate(config.maxUpstreamCreatesInFlight(), onRejection);
  }

  /**
   * Takes a slot for one creation; close the permit when the creation is no longer in flight.
   *
   * @throws GatewayException {@link ErrorCode#UPSTREAM_BUSY}, retry after 1 s, when every slot is
   *     taken
   */
  public Permit acquire() {
    return tryAcquire()
        .orElseThrow(
            () -> {
              onRejection.accept(Limit.UPSTREAM);
              return new GatewayException(
                  ErrorCode.UPSTREAM_BUSY,
                  "The service is busy starting other sessions. Please try again in a moment.",
                  RETRY_AFTER,
                  Map.of(),
                  null);
            });
  }

  /**
   * Takes a slot if one is free, without counting a rejection when none is: for the waiting line,
   * which decides itself whether a start waits or is refused.
   *
   * @return the slot, or empty when every slot is taken
   */
  public Optional<Permit> tryAcquire() {
    while (true) {
      int current = inFlight.get();
      if (maxInFlight > 0 && current >= maxInFlight) {
        return Optional.empty();
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return Optional.of(new Permit(inFlight::decrementAndGet));
      }
    }
  }

  /** Creations in flight now (a gauge). */
  public int inFlight() {
    return inFlight.get();
  }
}
