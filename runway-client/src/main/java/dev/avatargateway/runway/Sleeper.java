package dev.avatargateway.runway;

import java.time.Duration;

/**
 * How the client waits between retries and polls. Injected so that tests record the waits instead
 * of spending wall time.
 */
@FunctionalInterface
public interface Sleeper {
  /**
   * Waits for {@code duration}.
   *
   * @throws InterruptedException when the thread is interrupted; the client then stops waiting and
   *     throws {@link RunwayInterruptedException}
   */
  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps the calling thread ({@link Thread#sleep(Duration)}); interruptible. */
  static Sleeper system() {
    return Thread::sleep;
  }
}
