package dev.avatargateway.gateway.core.internal.line;

import dev.avatargateway.gateway.core.internal.ledger.HandedOverTimes;
import dev.avatargateway.gateway.core.internal.ledger.JdbcSessionLedger;
import dev.avatargateway.gateway.core.internal.ledger.SessionState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** The {@link WaitEstimator}'s history, read from the session ledger. */
public final class LedgerHistory implements Supplier<WaitEstimator.History> {
  /**
   * How far back sessions count: a day covers the quiet hours and the busy ones, and sessions of
   * another day's templates (another {@code maxDuration}) fall out.
   */
  static final Duration WINDOW = Duration.ofDays(1);

  /**
   * How many of the latest sessions the means are taken over: enough that one odd call barely moves
   * the estimate, few enough that a change of habits shows within the hour on a busy gateway.
   */
  static final int SAMPLE = 200;

  private final JdbcSessionLedger ledger;
  private final Clock clock;

  /**
   * @param ledger the books
   * @param clock where the window ends
   */
  public LedgerHistory(JdbcSessionLedger ledger, Clock clock) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public WaitEstimator.History get() {
    List<HandedOverTimes> recent = ledger.recentHandOvers(clock.instant().minus(WINDOW), SAMPLE);
    Map<SessionState, Long> states = ledger.countByState();
    long live =
        states.get(SessionState.CONSUMED)
            + states.get(SessionState.HANDED_OUT)
            + states.get(SessionState.RUNNING);
    return new WaitEstimator.History(
        mean(recent.stream().map(HandedOverTimes::slotHeld).toList()),
        mean(recent.stream().flatMap(t -> t.callLength().stream()).toList()),
        (int) Math.min(Integer.MAX_VALUE, live));
  }

  private static Optional<Duration> mean(List<Duration> values) {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    Duration sum = values.stream().reduce(Duration.ZERO, Duration::plus);
    return Optional.of(sum.dividedBy(values.size()));
  }
}
