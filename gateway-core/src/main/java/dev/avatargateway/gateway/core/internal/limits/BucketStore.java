package dev.avatargateway.gateway.core.internal.limits;

import io.github.bucket4j.Bucket;
import java.util.function.Function;

/**
 * Where the token buckets live, one per key: {@link LocalBucketStore} in this JVM's memory, or
 * {@link RedisBuckets#store} in a Redis that several instances share. Every use of a bucket goes
 * through {@link #use}, so that a shared store can answer a failure of its own (refuse, or fall
 * back to a local bucket) around the whole operation.
 */
interface BucketStore {
  /**
   * Applies {@code operation} to the bucket for {@code key}, created full when the key is new (or
   * was evicted, or expired).
   *
   * @throws dev.avatargateway.gateway.core.GatewayException {@link
   *     dev.avatargateway.gateway.core.ErrorCode#LIMITS_UNAVAILABLE} when a shared store cannot be
   *     used and must not fall back
   */
  <T> T use(String key, Function<Bucket, T> operation);
}
