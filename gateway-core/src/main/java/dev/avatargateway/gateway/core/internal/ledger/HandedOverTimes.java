package dev.avatargateway.gateway.core.internal.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long one recent handed-over session took, for the waiting line's estimates.
 *
 * @param slotHeld from its intent ({@code accepted_at}) to its hand-over ({@code handed_over_at}):
 *     about as long as its connect held a creation slot
 * @param callLength its recorded duration ({@code duration_seconds}), once it ended; empty before
 */
public record HandedOverTimes(Duration slotHeld, Optional<Duration> callLength) {
  /** Rejects nulls. */
  public HandedOverTimes {
    Objects.requireNonNull(slotHeld, "slotHeld");
    Objects.requireNonNull(callLength, "callLength");
  }
}
