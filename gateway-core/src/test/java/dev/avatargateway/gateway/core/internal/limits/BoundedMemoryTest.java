package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tables stay within {@code maxTrackedKeys} whatever the number of distinct keys. */
class BoundedMemoryTest {
  private static final int MILLION = 1_000_000;
  private static final Principal ANONYMOUS = new Principal(Principal.ANONYMOUS, "none");

  @Test
  void aMillionDistinctKeysNeverGrowTheMapBeyondItsCapacity() {
    EvictingMap<Integer, Integer> map = new EvictingMap<>(100_000);
    int largest = 0;
    for (int key = 0; key < MILLION; key++) {
      map.computeIfAbsent(key, k -> k);
      largest = Math.max(largest, map.size());
    }

    assertThat(largest).isEqualTo(100_000);
    assertThat(map.size()).isEqualTo(100_000);
  }

  @Test
  void theLeastRecentlyUsedKeyIsEvicted() {
    EvictingMap<String, String> map = new EvictingMap<>(3);
    map.computeIfAbsent("a", k -> "A");
    map.computeIfAbsent("b", k -> "B");
    map.computeIfAbsent("c", k -> "C");
    map.computeIfAbsent("a", k -> "new A"); // a is now the most recently used

    map.computeIfAbsent("d", k -> "D"); // evicts b

    assertThat(map.size()).isEqualTo(3);
    assertThat(map.computeIfAbsent("a", k -> "newer A")).isEqualTo("A");
    assertThat(map.computeIfAbsent("c", k -> "new C")).isEqualTo("C");
    assertThat(map.computeIfAbsent("b", k -> "new B")).isEqualTo("new B");
  }

  @Test
  void stripesShareTheCapacityExactly() {
    for (int capacity : new int[] {1, 7, 1023, 1024, 5_000, 65_536, 100_000, 100_003}) {
      int stripes = Stripes.count(capacity);
      int total = 0;
      for (int i = 0; i < stripes; i++) {
        assertThat(Stripes.share(i, stripes, capacity)).isPositive();
        total += Stripes.share(i, stripes, capacity);
      }

      assertThat(Integer.bitCount(stripes)).isEqualTo(1);
      assertThat(total).isEqualTo(capacity);
    }
  }

  @Test
  void aMillionClientAddressesThroughTheLimiterStayWithinTheCap() {
    int cap = 10_000;
    LocalBucketStore addresses = addressStore(cap);
    ConnectLimiter limiter = new ConnectLimiter(addresses, null, null, 64, limit -> {});
    String hot = "192.0.2.1";
    limiter.admit(ANONYMOUS, hot).close(); // its only token

    for (int i = 0; i < MILLION; i++) {
      limiter.admit(ANONYMOUS, ipv4(0x0A00_0000 + i)).close();
      if (i % 1_000 == 0) {
        // A key that keeps asking stays the most recently used: never evicted, never reset.
        assertThatThrownBy(() -> limiter.admit(ANONYMOUS, hot))
            .isInstanceOf(GatewayException.class);
        assertThat(addresses.size()).isLessThanOrEqualTo(cap);
      }
    }

    assertThat(addresses.size()).isEqualTo(cap);
  }

  @Test
  void anEvictedKeyStartsAgainWithAFullBucket() {
    // The documented trade-off of the bound: forgetting a quiet key resets its limit.
    int cap = 1_000;
    ConnectLimiter limiter = new ConnectLimiter(addressStore(cap), null, null, 64, limit -> {});
    String quiet = "192.0.2.1";
    limiter.admit(ANONYMOUS, quiet).close();
    assertThatThrownBy(() -> limiter.admit(ANONYMOUS, quiet)).isInstanceOf(GatewayException.class);

    for (int i = 0; i < cap; i++) {
      limiter.admit(ANONYMOUS, ipv4(0x0A00_0000 + i)).close();
    }

    assertThatCode(() -> limiter.admit(ANONYMOUS, quiet)).doesNotThrowAnyException();
  }

  @Test
  void concurrencyCountersLiveOnlyWhileInUseAndAreNeverEvicted() {
    InFlightCounters counters = new InFlightCounters(1, 4);
    ConnectLimiter limiter = new ConnectLimiter(null, null, counters, 64, limit -> {});
    Permit held = limiter.admit(new Principal("alice", "jwt"), "192.0.2.1");

    for (int i = 0; i < 100_000; i++) {
      limiter.admit(new Principal("user" + i, "jwt"), "192.0.2.1").close();
    }

    assertThat(counters.trackedKeys()).isEqualTo(1);
    assertThatThrownBy(() -> limiter.admit(new Principal("alice", "jwt"), "192.0.2.2"))
        .isInstanceOf(GatewayException.class);
    held.close();
    assertThat(counters.trackedKeys()).isZero();
  }

  private static LocalBucketStore addressStore(int cap) {
    Bandwidth oneAnHour =
        Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofHours(1)).build();
    TimeMeter frozen =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return 0;
          }

          @Override
          public boolean isWallClockBased() {
            return false;
          }
        };
    return new LocalBucketStore(oneAnHour, frozen, cap);
  }

  private static String ipv4(int address) {
    return (address >>> 24)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }
}
