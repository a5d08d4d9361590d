package dev.avatargateway.simulator.internal.fault;

import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.FaultRule.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/** The installed fault rules and their remaining budgets. */
public final class FaultEngine {
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Active> rules = new ArrayList<>();
  private SplittableRandom random;

  public FaultEngine(List<FaultRule> initial, long seed) {
    reset(initial, seed);
  }

  /**
   * Picks the first rule that applies to a request on {@code route} and charges its budget.
   *
   * @param afterCommit which family to pick from: rules that replace the normal answer (false) or
   *     rules applied after a successful normal answer (true)
   */
  public Optional<FaultRule> pick(Route route, boolean afterCommit) {
    lock.lock();
    try {
      for (Active a : rules) {
        FaultRule r = a.rule;
        if (r.afterCommit() != afterCommit || !r.appliesTo(route) || a.remaining == 0) {
          continue;
        }
        // No draw at probability 1, so deterministic rules leave the random sequence alone.
        if (r.probability() < 1 && random.nextDouble() >= r.probability()) {
          continue;
        }
        if (a.remaining != FaultRule.UNLIMITED) {
          a.remaining--;
        }
        return Optional.of(r);
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  public void add(FaultRule rule) {
    lock.lock();
    try {
      rules.add(new Active(rule));
    } finally {
      lock.unlock();
    }
  }

  public void clear() {
    lock.lock();
    try {
      rules.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Back to the rules and random sequence the simulator started with. */
  public void reset(List<FaultRule> initial, long seed) {
    lock.lock();
    try {
      rules.clear();
      initial.forEach(r -> rules.add(new Active(r)));
      // A different stream from the world's delay samples, derived from the same seed.
      random = new SplittableRandom(~seed);
    } finally {
      lock.unlock();
    }
  }

  private static final class Active {
    private final FaultRule rule;
    private int remaining;

    private Active(FaultRule rule) {
      this.rule = rule;
      this.remaining = rule.times();
    }
  }
}
