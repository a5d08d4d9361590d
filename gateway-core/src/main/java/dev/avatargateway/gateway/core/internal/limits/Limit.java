package dev.avatargateway.gateway.core.internal.limits;

/** The limits that can turn a connect away, with a stable tag for metrics. */
public enum Limit {
  /** The client address's token bucket was empty. */
  CLIENT_ADDRESS("ip"),
  /** The client address's bucket of authentication failures was empty. */
  AUTH_FAILURES("auth_failures"),
  /** The principal's token bucket was empty. */
  PRINCIPAL("principal"),
  /** The principal (or anonymous address) already had its maximum of connects in flight. */
  CONCURRENCY("concurrency"),
  /** The gateway already had its maximum of upstream creations in flight. */
  UPSTREAM("upstream");

  private final String tag;

  Limit(String tag) {
    this.tag = tag;
  }

  /**
   * A short, stable, lower-case name for a metric tag: ip, auth_failures, principal, concurrency,
   * upstream.
   */
  public String tag() {
    return tag;
  }
}
