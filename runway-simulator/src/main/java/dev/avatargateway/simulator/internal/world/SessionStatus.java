package dev.avatargateway.simulator.internal.world;

/** The six statuses of runway-api.md §2.3. */
public enum SessionStatus {
  NOT_READY,
  READY,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  /** Whether nothing further can happen to a session in this status. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
