/**
 * The server's metrics and logging. {@link
 * dev.avatargateway.gateway.internal.observability.PrometheusMetrics} is the Prometheus registry
 * that gateway-core's meters report to and {@code /metrics} serves; gateway-core writes the one
 * summary line per connect. {@code logback.xml} writes JSON lines through logstash-logback-encoder
 * with every secret masked by the rules of {@link
 * dev.avatargateway.gateway.internal.observability.LogMasking}; the other public classes here are
 * the pieces {@code logback.xml} names.
 */
package dev.avatargateway.gateway.internal.observability;
