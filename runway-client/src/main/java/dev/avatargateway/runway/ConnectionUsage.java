package dev.avatargateway.runway;

/**
 * How a client family (a client and the copies made from it) uses its connections to Runway right
 * now: for gauges. A snapshot; read {@link RunwayClient#connectionUsage()} again for a new one.
 *
 * @param maxConnections the bound, {@link RunwayClient.Builder#maxConnections(int)}
 * @param inFlight requests holding a connection now (sent, or awaiting their response), 0 to {@code
 *     maxConnections}
 * @param waiting requests queued for a free connection now (an estimate while it changes)
 * @param waitsTimedOut requests that gave up waiting for a free connection and sent nothing, since
 *     the family was built (a counter: it only grows)
 */
public record ConnectionUsage(int maxConnections, int inFlight, int waiting, long waitsTimedOut) {}
