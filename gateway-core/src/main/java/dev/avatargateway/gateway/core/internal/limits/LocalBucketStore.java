package dev.avatargateway.gateway.core.internal.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.util.function.Function;

/**
 * Token buckets in this JVM's memory, at most {@code maxKeys} of them. The trade-off of the bound:
 * an evicted key's bucket is forgotten, so that key starts again with a full bucket. Eviction takes
 * the least recently used keys, so a key that keeps asking stays tracked; forgetting a quiet key
 * loses little, as its bucket has been refilling meanwhile.
 */
final class LocalBucketStore implements BucketStore {
  private final Bandwidth limit;
  private final TimeMeter time;
  private final EvictingMap<String, Bucket> buckets;

  LocalBucketStore(Bandwidth limit, TimeMeter time, int maxKeys) {
    this.limit = limit;
    this.time = time;
    this.buckets = new EvictingMap<>(maxKeys);
  }

  @Override
  public <T> T use(String key, Function<Bucket, T> operation) {
    return operation.apply(bucket(key));
  }

  /** The bucket for {@code key}, created full when the key is new (or was evicted). */
  Bucket bucket(String key) {
    return buckets.computeIfAbsent(
        key,
        unused ->
            // Lock-free (the default): consuming happens outside the map's stripe lock.
            Bucket.builder().addLimit(limit).withCustomTimePrecision(time).build());
  }

  /** Keys tracked now. */
  int size() {
    return buckets.size();
  }
}
