package dev.avatargateway.simulator;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Counters since start or the last reset.
 *
 * @param requests requests received on the Runway API routes, CORS preflights left out
 * @param responses responses sent, by route name ({@link FaultRule.Route} names, or {@code
 *     UNROUTED} for unknown paths and methods) and then by HTTP status; status 0 counts requests
 *     left unanswered on purpose (RESET and HANG faults)
 * @param clientRetries requests carrying {@code x-stainless-retry-count} greater than 0
 *     (official-sdk-behaviour.md §1.5)
 * @param sessionsCreated sessions created, including those whose answer a fault replaced
 * @param leaked sessions that reached READY and then failed for no participant
 * @param open sessions neither consumed, cancelled nor terminal right now
 * @param faultsInjected requests a fault rule hit
 * @param preflights {@code OPTIONS} requests on the consume path (CORS preflights, whatever the
 *     answer); counted neither in {@code requests} nor in {@code responses}
 */
public record SimulatorStats(
    long requests,
    Map<String, Map<Integer, Long>> responses,
    long clientRetries,
    long sessionsCreated,
    long leaked,
    long open,
    long faultsInjected,
    long preflights) {

  /** Copies the maps so the record is immutable. */
  public SimulatorStats {
    responses =
        responses.entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
  }

  /** How many responses with this status the route sent. */
  public long count(FaultRule.Route route, int status) {
    return responses.getOrDefault(route.name(), Map.of()).getOrDefault(status, 0L);
  }

  /** How many responses the route sent, any status. */
  public long count(FaultRule.Route route) {
    return responses.getOrDefault(route.name(), Map.of()).values().stream()
        .mapToLong(Long::longValue)
        .sum();
  }
}
