package dev.avatargateway.gateway.core;

/**
 * Whether the gateway can take traffic, for a readiness probe.
 *
 * @param ready whether to take traffic
 * @param detail a short, safe explanation (never a secret or upstream text)
 */
public record Readiness(boolean ready, String detail) {}
