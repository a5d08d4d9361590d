/**
 * Abuse protection for {@code POST /api/avatar/connect}: token buckets per client address and per
 * principal, a cap on a principal's connects in flight, a global cap on upstream creations in
 * flight, and the client address behind trusted proxies. State is in memory and bounded; the
 * package-private {@code BucketStore} and {@code ConcurrencySlots} are the seams for a shared
 * store.
 */
package dev.avatargateway.gateway.core.internal.limits;
