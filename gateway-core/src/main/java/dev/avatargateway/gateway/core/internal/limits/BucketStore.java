package dev.avatargateway.gateway.core.internal.limits;

import io.github.bucket4j.Bucket;

/**
 * Where the token buckets live, one per key. The seam where a later, shared (Redis) store plugs in:
 * Bucket4j's distributed proxy managers hand out {@link Bucket}s too. {@link LocalBucketStore} is
 * the in-memory one.
 */
interface BucketStore {
  /** The bucket for {@code key}, created full when the key is new (or was evicted). */
  Bucket bucket(String key);
}
