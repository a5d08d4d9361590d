package dev.avatargateway.gateway.core.internal.readiness;

import dev.avatargateway.gateway.core.ReadinessConfig;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.LedgerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a new model what the books remember: each avatar's latest times to READY, so that a
 * restarted gateway plans its reads from its first session on instead of starting cold.
 */
public final class LedgerSeed {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerSeed.class);

  /**
   * Avatars seeded at most (the most recently used): as many as the model tracks, so the ledger is
   * not asked for rows the model would forget at once.
   */
  static final int MAX_AVATARS = ReadinessModel.MAX_AVATARS;

  private LedgerSeed() {}

  /**
   * Seeds {@code model} with the latest {@code readiness.window} times to READY of each avatar
   * accepted within {@code readiness.seedLookback}. Best effort: a ledger that cannot answer leaves
   * the model cold (a WARN line), since every session is still read, only less cleverly.
   *
   * @return how many samples were seeded
   */
  public static int seed(
      ReadinessModel model, JdbcSessionLedger ledger, ReadinessConfig config, Clock clock) {
    if (config.seedLookback().isZero()) {
      return 0;
    }
    Instant since = clock.instant().minus(config.seedLookback());
    int limit = Math.min(JdbcSessionLedger.MAX_READY_TIMES, MAX_AVATARS * config.window());
    Map<String, List<Duration>> times;
    try {
      times = ledger.recentTimesToReady(since, config.window(), limit);
    } catch (LedgerException e) {
      LOG.warn("Could not read past times to READY from the ledger; readiness starts cold", e);
      return 0;
    }
    model.seed(times);
    int samples = times.values().stream().mapToInt(List::size).sum();
    LOG.info(
        "Readiness model seeded with {} times to READY of {} avatars from the ledger",
        samples,
        times.size());
    return samples;
  }
}
