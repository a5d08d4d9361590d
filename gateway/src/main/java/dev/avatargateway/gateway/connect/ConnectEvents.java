package dev.avatargateway.gateway.connect;

import java.time.Duration;

/** What the flow reports for metrics as it happens. Implementations must be quick. */
public interface ConnectEvents {
  /** A session became READY this long after create. */
  void timeToReady(Duration duration);

  /** The gateway cancelled an upstream session; {@code reason} is one of a few fixed words. */
  void upstreamSessionCancelled(String reason);
}
