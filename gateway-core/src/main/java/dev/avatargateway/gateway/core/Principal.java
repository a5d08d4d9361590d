package dev.avatargateway.gateway.core;

import java.util.Objects;

/**
 * Who is asking: the key for per-principal rate limits, concurrency caps and the session ledger.
 *
 * @param name the principal's name: the configured name of an API key, a JWT's {@code sub}, or
 *     {@link #ANONYMOUS} when authentication is off
 * @param scheme how it was established: {@code none}, {@code api-key} or {@code jwt}
 */
public record Principal(String name, String scheme) {
  /** The name of every caller when authentication is {@code none}. */
  public static final String ANONYMOUS = "anonymous";

  /** Rejects nulls and blank names. */
  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scheme, "scheme");
    if (name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
  }

  /** Whether no authentication established this principal. */
  public boolean isAnonymous() {
    return "none".equals(scheme);
  }
}
