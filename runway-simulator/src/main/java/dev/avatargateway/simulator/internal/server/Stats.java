package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.SimulatorStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** Lock-free request and response counters. */
final class Stats {
  /** Stats key for requests that matched no route. */
  static final String UNROUTED = "UNROUTED";

  /** Status recorded for requests deliberately left unanswered (RESET, HANG). */
  static final int NO_RESPONSE = 0;

  private final LongAdder requests = new LongAdder();
  private final LongAdder clientRetries = new LongAdder();
  private final LongAdder faultsInjected = new LongAdder();
  private final LongAdder preflights = new LongAdder();
  private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, LongAdder>> responses =
      new ConcurrentHashMap<>();

  void request(boolean clientRetry) {
    requests.increment();
    if (clientRetry) {
      clientRetries.increment();
    }
  }

  void response(String route, int status) {
    responses
        .computeIfAbsent(route, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, k -> new LongAdder())
        .increment();
  }

  void preflight() {
    preflights.increment();
  }

  void faultInjected() {
    faultsInjected.increment();
  }

  SimulatorStats snapshot(long sessionsCreated, long leaked, long open) {
    Map<String, Map<Integer, Long>> copy =
        responses.entrySet().stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    e ->
                        e.getValue().entrySet().stream()
                            .collect(
                                Collectors.toMap(Map.Entry::getKey, s -> s.getValue().sum()))));
    return new SimulatorStats(
        requests.sum(),
        copy,
        clientRetries.sum(),
        sessionsCreated,
        leaked,
        open,
        faultsInjected.sum(),
        preflights.sum());
  }

  void reset() {
    requests.reset();
    clientRetries.reset();
    faultsInjected.reset();
    preflights.reset();
    responses.clear();
  }
}
