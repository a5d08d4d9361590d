/**
 * Abuse protection for {@code POST /api/avatar/connect}: token buckets per client address and per
 * principal, a cap on a principal's connects in flight, a global cap on upstream creations in
 * flight, and the client address behind trusted proxies. State is in memory and bounded; with
 * {@code redis.url} set, the token buckets live in Redis ({@code RedisBuckets}) and the concurrency
 * slots and the create gate are leases there ({@code RedisLeases}), shared by every instance.
 */
package dev.avatargateway.gateway.core.internal.limits;
