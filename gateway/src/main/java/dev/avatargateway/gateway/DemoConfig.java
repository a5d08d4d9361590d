package dev.avatargateway.gateway;

/**
 * The demo page: a small web app served by the gateway at {@code /demo/} that starts a call through
 * the official React SDK, for trying the gateway out (its {@code GET /demo/config.json} tells it
 * the paths and the authentication mode).
 *
 * @param enabled whether {@code /demo/} (and the redirect of {@code /} to it) is served; default
 *     derived: on with the embedded simulator (nothing is paid for, and it is the quickest way to
 *     see the gateway work), off with a Runway secret (a public page that starts paid sessions must
 *     be asked for); env {@code GATEWAY_DEMO} ({@code true} or {@code false})
 */
public record DemoConfig(Boolean enabled) {
  /** Every default. */
  public static DemoConfig defaults() {
    return new DemoConfig(null);
  }

  /**
   * Whether the demo is served.
   *
   * @param simulated whether the gateway runs against the embedded simulator
   */
  public boolean enabled(boolean simulated) {
    return enabled == null ? simulated : enabled;
  }
}
