package dev.avatargateway.gateway.core.internal.ledger;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where an upstream session stands in the ledger. A row is written {@link #PENDING} before {@code
 * create} is sent and then moves forward only; the terminal states are final. The paid states are
 * those from {@link #CREATED} until a terminal one: a session costs money from its creation.
 */
public enum SessionState {
  /** The intent is recorded; {@code create} was sent or is about to be, and has not answered. */
  PENDING,
  /** The upstream created the session (its id is recorded); it is being prepared. */
  CREATED,
  /** The session is READY: it can be consumed with its one-time key. */
  READY,
  /** The gateway consumed the session and handed the WebRTC credentials to the browser. */
  CONSUMED,
  /** The gateway handed the session key to the browser, which consumes the session itself. */
  HANDED_OUT,
  /** The call is under way (the session was consumed and the upstream reports it running). */
  RUNNING,
  /**
   * The gateway decided to cancel the session and the upstream has not confirmed it yet; the keeper
   * retries the cancel until it does.
   */
  CANCELLING,
  /** The call ended normally upstream. Terminal. */
  COMPLETED,
  /** The session failed upstream (its failure code is recorded). Terminal. */
  FAILED,
  /** The upstream confirmed the cancel (or the session was already gone). Terminal. */
  CANCELLED,
  /** The upstream refused {@code create}: no session exists, nothing is paid. Terminal. */
  REJECTED,
  /**
   * {@code create}'s outcome was never recorded: the process died (or lost its lease) while {@code
   * create} was in flight, so whether a session exists, and its id, are unknown and there is
   * nothing to cancel. Such a session was never consumed, and Runway fails an unconsumed session by
   * itself once its READY window passes, so the cost is bounded. Terminal; if the id is recorded
   * late after all, the row moves to {@link #CANCELLING}.
   */
  LOST;

  private static final Set<SessionState> TERMINAL =
      EnumSet.of(COMPLETED, FAILED, CANCELLED, REJECTED, LOST);

  private static final Set<SessionState> HANDED_OVER = EnumSet.of(CONSUMED, HANDED_OUT, RUNNING);

  /** Whether the session's story is over: nothing runs upstream, nothing is to be done. */
  public boolean isTerminal() {
    return TERMINAL.contains(this);
  }

  /**
   * Whether the browser has the session ({@link #CONSUMED}, {@link #HANDED_OUT} or {@link
   * #RUNNING}): the gateway must not cancel it on recovery, only follow it until it ends.
   */
  public boolean isHandedOver() {
    return HANDED_OVER.contains(this);
  }

  /** The stored and documented spelling: the name in lower case, e.g. {@code handed_out}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The states that are not terminal. */
  public static Set<SessionState> nonTerminal() {
    return EnumSet.complementOf(EnumSet.copyOf(TERMINAL));
  }

  /**
   * The state stored as {@code code}.
   *
   * @throws IllegalArgumentException for any other text
   */
  public static SessionState fromCode(String code) {
    for (SessionState state : values()) {
      if (state.code().equals(code)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown session state '" + code + "'");
  }
}
