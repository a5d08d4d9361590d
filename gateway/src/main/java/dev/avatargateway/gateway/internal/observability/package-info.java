/**
 * Metrics and logging (issue 3, sections 3.4 and 4). {@link
 * dev.avatargateway.gateway.core.internal.observability.GatewayMetrics} holds the Prometheus
 * registry the connect flow reports to and {@code /metrics} serves; {@link
 * dev.avatargateway.gateway.core.internal.observability.ConnectLog} writes the one summary line per
 * connect. {@code logback.xml} writes JSON lines through logstash-logback-encoder with every secret
 * masked by the rules of {@link dev.avatargateway.gateway.internal.observability.LogMasking}; the
 * other public classes here are the pieces {@code logback.xml} names.
 */
package dev.avatargateway.gateway.internal.observability;
