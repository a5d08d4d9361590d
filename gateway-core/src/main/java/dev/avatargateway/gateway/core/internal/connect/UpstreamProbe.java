package dev.avatargateway.gateway.core.internal.connect;

import dev.avatargateway.gateway.core.Readiness;
import dev.avatargateway.runway.AuthenticationException;
import dev.avatargateway.runway.Avatars;
import dev.avatargateway.runway.PermissionDeniedException;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the upstream answers with our secret, for {@code /readyz}: one cheap authenticated call
 * ({@code GET /v1/avatars?limit=1}), remembered for a while so that frequent probes from a load
 * balancer do not become upstream traffic.
 */
public final class UpstreamProbe {
  /** How long a probe's answer is reused: load balancers probe every few seconds. */
  static final Duration REMEMBER = Duration.ofSeconds(15);

  /** The probe's own budget: a readiness check must answer quickly. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final Avatars avatars;
  private final Clock clock;
  private volatile Checked last;

  public UpstreamProbe(Avatars avatars, Clock clock) {
    this.avatars = avatars;
    this.clock = clock;
  }

  public Readiness check() {
    Instant now = clock.instant();
    Checked checked = last;
    if (checked == null || !now.isBefore(checked.at().plus(REMEMBER))) {
      checked = new Checked(now, probe());
      last = checked;
    }
    return checked.readiness();
  }

  private Readiness probe() {
    try {
      avatars.listPage(
          1, Optional.empty(), RequestOptions.none().withTimeout(PROBE_TIMEOUT).withMaxRetries(0));
      return new Readiness(true, "upstream reachable");
    } catch (AuthenticationException | PermissionDeniedException e) {
      return new Readiness(false, "upstream refuses the configured Runway secret");
    } catch (RunwayException e) {
      return new Readiness(false, "upstream unreachable or failing");
    }
  }

  private record Checked(Instant at, Readiness readiness) {}
}
