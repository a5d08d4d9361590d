package dev.avatargateway.gateway.core.internal.limits;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A slot held until closed: an admitted connect ({@link ConnectLimiter#admit}) or an upstream
 * creation in flight ({@link UpstreamCreateGate#acquire}). Use it in try-with-resources. Closing is
 * idempotent, thread-safe and never throws.
 */
public final class Permit implements AutoCloseable {
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Runnable release;

  /**
   * @param release gives the slot back; run once, by the first close
   */
  Permit(Runnable release) {
    this.release = release;
  }

  /** A permit that holds nothing (its limit is switched off). */
  static Permit unlimited() {
    return new Permit(() -> {});
  }

  /** Gives the slot back; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
