package dev.avatargateway.runway;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The simulator over real HTTP, with one simulated clock shared by the simulator and the client:
 * the client's sleeper records each wait and moves both clocks forward instead of sleeping, so
 * tests of polling, retries and deadlines run in milliseconds and assert exact waits.
 */
final class SimulatedRunway implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  final SimulatedClock clock = new SimulatedClock(T0);
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  final RunwaySimulator simulator;
  private volatile Consumer<Instant> onTimePassed = now -> {};

  SimulatedRunway() {
    this(config -> {});
  }

  SimulatedRunway(Consumer<SimulatorConfig.Builder> settings) {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder().clock(Clock.fixed(T0, ZoneOffset.UTC));
    settings.accept(config);
    simulator = RunwaySimulator.start(config.build());
  }

  SimulatorAdmin admin() {
    return simulator.admin();
  }

  /** A client with the simulator's default key, the shared clock and the recording sleeper. */
  RunwayClient client() {
    return RunwayClient.builder()
        .apiKey(SimulatorConfig.DEFAULT_API_KEY)
        .baseUrl(simulator.baseUrl())
        .clock(clock)
        .sleeper(this::sleep)
        .build();
  }

  void sleep(Duration duration) {
    sleeps.add(duration);
    advance(duration);
  }

  /** Moves simulated time forward on both sides. */
  void advance(Duration duration) {
    clock.advance(duration);
    simulator.admin().advanceClock(duration);
    onTimePassed.accept(clock.instant());
  }

  /** Runs {@code action} with the new time after every move of the clock. */
  void whenTimePasses(Consumer<Instant> action) {
    this.onTimePassed = action;
  }

  @Override
  public void close() {
    simulator.close();
  }

  /** A clock that moves only when told. */
  static final class SimulatedClock extends Clock {
    private final AtomicReference<Instant> now;

    SimulatedClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration duration) {
      now.updateAndGet(t -> t.plus(duration));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
