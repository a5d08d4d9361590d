package dev.avatargateway.gateway.core.internal.ledger;

import java.time.Instant;

/**
 * One run of a gateway process as the ledger has it. A run holds a lease, renewed by heartbeats;
 * when it lapses, other runs take over the sessions the run owned.
 *
 * @param runId the run's id, new at every start of the process
 * @param instanceName the instance's name, the same across its restarts
 * @param startedAt when the run registered
 * @param heartbeatAt when it last renewed its lease
 * @param leaseExpiresAt until when it counts as alive
 * @param retiredAt when it stopped cleanly or was superseded by a newer run of the same instance;
 *     null while it runs
 */
public record RunRow(
    String runId,
    String instanceName,
    Instant startedAt,
    Instant heartbeatAt,
    Instant leaseExpiresAt,
    Instant retiredAt) {

  /** Whether the run counts as alive at {@code now}: registered, not retired, lease not expired. */
  public boolean isLive(Instant now) {
    return retiredAt == null && leaseExpiresAt.isAfter(now);
  }
}
