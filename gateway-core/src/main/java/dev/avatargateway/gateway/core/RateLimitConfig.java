package dev.avatargateway.gateway.core;

import dev.avatargateway.gateway.core.internal.limits.AddressRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The abuse protection of {@code POST /api/avatar/connect} (YAML section {@code rateLimit}). Every
 * absent value takes its default, so an absent section gives {@link #defaults()}. Each limit is
 * switched off by setting its size to 0.
 *
 * @param perPrincipal token bucket per authenticated principal (default 10 connects, refilled at 10
 *     per minute); not applied to anonymous callers, whom one bucket would lump together
 * @param perClientAddress token bucket per client address (default 20 connects, refilled at 20 per
 *     minute); IPv6 clients are grouped by {@link #ipv6PrefixLength()}
 * @param maxConcurrentConnectsPerPrincipal connects one principal may have in flight at once
 *     (default 1; 0 = no cap); anonymous callers are capped per client address instead
 * @param maxUpstreamCreatesInFlight upstream session creations this gateway has in flight at once
 *     (default 20; 0 = no cap)
 * @param trustedProxies addresses or CIDR blocks of reverse proxies whose {@code X-Forwarded-For}
 *     is believed (default empty: the header is ignored and the TCP peer is the client)
 * @param ipv6PrefixLength how many leading bits of an IPv6 client address form its rate-limit key
 *     (default 64, 32 to 128; 128 = each address on its own)
 * @param maxTrackedKeys how many keys each in-memory table holds at most: principals' buckets,
 *     client addresses' buckets, and keys with connects in flight (default 100,000)
 * @param authFailuresPerClientAddress token bucket per client address that only failed
 *     authentications (401) take from; once it is empty, that address's connects are refused before
 *     their credentials are checked (default 20 failures, refilled at 20 per minute, one every 3 s;
 *     0 switches it off); IPv6 clients are grouped by {@link #ipv6PrefixLength()}
 */
public record RateLimitConfig(
    TokenBucket perPrincipal,
    TokenBucket perClientAddress,
    Integer maxConcurrentConnectsPerPrincipal,
    Integer maxUpstreamCreatesInFlight,
    List<String> trustedProxies,
    Integer ipv6PrefixLength,
    Integer maxTrackedKeys,
    TokenBucket authFailuresPerClientAddress) {

  private static final String SECTION = "rateLimit";

  /**
   * A person rarely starts more than a few avatar calls a minute (a call lasts up to 5 minutes by
   * default, runway-api.md §6); 10 leaves room for reloads and retries, and stops a script.
   */
  private static final int DEFAULT_PRINCIPAL_CAPACITY = 10;

  /** Twice the principal's: several people may share one address (an office, a carrier NAT). */
  private static final int DEFAULT_ADDRESS_CAPACITY = 20;

  /**
   * One call set up at a time per person: a second concurrent connect is almost always a double
   * click or a React StrictMode double effect (client-contract.md §6.5), and each one is a paid
   * session.
   */
  private static final int DEFAULT_MAX_CONCURRENT_PER_PRINCIPAL = 1;

  /**
   * Runway's organisation concurrency is 1 to 20 depending on the tier (runway-api.md §6);
   * creations beyond it queue upstream ({@code queued: true}) rather than fail, so more than the
   * highest tier's 20 in flight only lengthens queues and deadlines. Lower it to the organisation's
   * tier.
   */
  private static final int DEFAULT_MAX_UPSTREAM_CREATES_IN_FLIGHT = 20;

  /** A /64 is one IPv6 subnet, usually one household or host: rotating within it is free. */
  private static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;

  /** A /32 is the smallest allocation a registry gives a provider: shorter would lump providers. */
  private static final int MIN_IPV6_PREFIX_LENGTH = 32;

  private static final int MAX_IPV6_PREFIX_LENGTH = 128;

  /**
   * A tracked bucket costs about 350 bytes (Bucket4j's local bucket about 270, measured on JDK 25;
   * the key and the map entry the rest): at most some 35 MB for each of the two bucket tables under
   * a flood of distinct keys. 100,000 distinct principals or addresses active within one refill
   * period is far beyond what one gateway serves, so real users are not evicted.
   */
  private static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

  /**
   * Failed authentications an address may pile up before its connects are refused unchecked, and
   * (as the default refill, the capacity per minute) one more every 3 s after that. A person who
   * mistypes a key, or an app retrying with an expired token, fails a few times; 20 leaves room for
   * several of them behind one address (an office NAT). Beyond that, one guess per 3 s (28,800 a
   * day instead of thousands a second) makes guessing a key useless and keeps a flood of bad
   * credentials from costing the gateway CPU (a JWT signature check each) and log volume.
   */
  private static final int DEFAULT_AUTH_FAILURE_CAPACITY = 20;

  /** Fills absent values with their defaults. */
  public RateLimitConfig {
    perPrincipal = TokenBucket.orDefault(perPrincipal, DEFAULT_PRINCIPAL_CAPACITY);
    perClientAddress = TokenBucket.orDefault(perClientAddress, DEFAULT_ADDRESS_CAPACITY);
    if (maxConcurrentConnectsPerPrincipal == null) {
      maxConcurrentConnectsPerPrincipal = DEFAULT_MAX_CONCURRENT_PER_PRINCIPAL;
    }
    if (maxUpstreamCreatesInFlight == null) {
      maxUpstreamCreatesInFlight = DEFAULT_MAX_UPSTREAM_CREATES_IN_FLIGHT;
    }
    // Not List.copyOf: a null element must reach validate() and its message, not an NPE here.
    trustedProxies =
        trustedProxies == null
            ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(trustedProxies));
    if (ipv6PrefixLength == null) {
      ipv6PrefixLength = DEFAULT_IPV6_PREFIX_LENGTH;
    }
    if (maxTrackedKeys == null) {
      maxTrackedKeys = DEFAULT_MAX_TRACKED_KEYS;
    }
    authFailuresPerClientAddress =
        TokenBucket.orDefault(authFailuresPerClientAddress, DEFAULT_AUTH_FAILURE_CAPACITY);
  }

  /** The settings without the bucket of authentication failures, which takes its default. */
  public RateLimitConfig(
      TokenBucket perPrincipal,
      TokenBucket perClientAddress,
      Integer maxConcurrentConnectsPerPrincipal,
      Integer maxUpstreamCreatesInFlight,
      List<String> trustedProxies,
      Integer ipv6PrefixLength,
      Integer maxTrackedKeys) {
    this(
        perPrincipal,
        perClientAddress,
        maxConcurrentConnectsPerPrincipal,
        maxUpstreamCreatesInFlight,
        trustedProxies,
        ipv6PrefixLength,
        maxTrackedKeys,
        null);
  }

  /** Every setting at its default. */
  public static RateLimitConfig defaults() {
    return new RateLimitConfig(null, null, null, null, null, null, null, null);
  }

  /** Every limit switched off (for benchmarks and tests of other features); no proxy trusted. */
  public static RateLimitConfig unlimited() {
    return new RateLimitConfig(
        TokenBucket.OFF, TokenBucket.OFF, 0, 0, null, null, null, TokenBucket.OFF);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code
   *     rateLimit.perPrincipal.capacity}
   */
  public void validate() {
    perPrincipal.validate(SECTION + ".perPrincipal");
    perClientAddress.validate(SECTION + ".perClientAddress");
    authFailuresPerClientAddress.validate(SECTION + ".authFailuresPerClientAddress");
    requireAtLeast(
        "maxConcurrentConnectsPerPrincipal", maxConcurrentConnectsPerPrincipal, 0, "(0 = no cap)");
    requireAtLeast("maxUpstreamCreatesInFlight", maxUpstreamCreatesInFlight, 0, "(0 = no cap)");
    for (int i = 0; i < trustedProxies.size(); i++) {
      try {
        AddressRange.parse(trustedProxies.get(i));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(SECTION + ".trustedProxies[" + i + "]", e.getMessage());
      }
    }
    if (ipv6PrefixLength < MIN_IPV6_PREFIX_LENGTH || ipv6PrefixLength > MAX_IPV6_PREFIX_LENGTH) {
      throw new ConfigException(
          SECTION + ".ipv6PrefixLength",
          "must be "
              + MIN_IPV6_PREFIX_LENGTH
              + " to "
              + MAX_IPV6_PREFIX_LENGTH
              + " (128 = one key per address), was "
              + ipv6PrefixLength);
    }
    requireAtLeast("maxTrackedKeys", maxTrackedKeys, 1, "");
  }

  private static void requireAtLeast(String name, int value, int min, String note) {
    if (value < min) {
      throw new ConfigException(
          SECTION + "." + name,
          "must be a whole number of at least "
              + min
              + (note.isEmpty() ? "" : " " + note)
              + ", was "
              + value);
    }
  }

  /**
   * A token bucket: {@code capacity} connects at once, refilled continuously ("greedy") at {@code
   * refillTokens} per {@code refillPeriod}, so that tokens return one by one rather than all at the
   * end of the period.
   *
   * @param capacity the most connects allowed in a burst; 0 switches this limit off
   * @param refillTokens tokens added per period (default: the capacity)
   * @param refillPeriod the period, such as {@code 1m}, {@code 30s} or {@code PT1M} (default 1
   *     minute; at most 365 days)
   */
  public record TokenBucket(Integer capacity, Integer refillTokens, Duration refillPeriod) {
    private static final Duration DEFAULT_REFILL_PERIOD = Duration.ofMinutes(1);

    /** The finest unit configuration durations are written in. */
    private static final Duration MIN_REFILL_PERIOD = Duration.ofMillis(1);

    /** Longer periods are better expressed by switching the limit off; it keeps nanos in range. */
    private static final Duration MAX_REFILL_PERIOD = Duration.ofDays(365);

    /** A bucket that limits nothing. (Declared after the constants its constructor reads.) */
    public static final TokenBucket OFF = new TokenBucket(0, 1, null);

    /**
     * Fills {@code refillTokens} (from the capacity) and {@code refillPeriod}; an absent capacity
     * is filled by {@link RateLimitConfig}, whose default depends on the bucket.
     */
    public TokenBucket {
      if (refillTokens == null) {
        refillTokens = capacity;
      }
      if (refillPeriod == null) {
        refillPeriod = DEFAULT_REFILL_PERIOD;
      }
    }

    /** Whether this bucket limits anything. */
    public boolean limits() {
      return capacity > 0;
    }

    static TokenBucket orDefault(TokenBucket given, int defaultCapacity) {
      if (given == null) {
        return new TokenBucket(defaultCapacity, null, null);
      }
      if (given.capacity() == null) {
        return new TokenBucket(defaultCapacity, given.refillTokens(), given.refillPeriod());
      }
      return given;
    }

    void validate(String path) {
      if (capacity == null || capacity < 0) {
        throw new ConfigException(
            path + ".capacity",
            "must be a whole number of at least 0 (0 switches the limit off), was " + capacity);
      }
      if (capacity == 0) {
        // Switched off: the refill settings mean nothing (and default to the capacity, 0).
        return;
      }
      if (refillTokens == null || refillTokens < 1) {
        throw new ConfigException(
            path + ".refillTokens", "must be a whole number of at least 1, was " + refillTokens);
      }
      if (refillPeriod.compareTo(MIN_REFILL_PERIOD) < 0
          || refillPeriod.compareTo(MAX_REFILL_PERIOD) > 0) {
        throw new ConfigException(
            path + ".refillPeriod",
            "must be a duration of 1ms to 365 days, such as 1m, was " + refillPeriod);
      }
      // Bucket4j refuses refill rates above one token per nanosecond.
      if (refillTokens > refillPeriod.toNanos()) {
        throw new ConfigException(
            path + ".refillTokens",
            "must be at most one token per nanosecond of refillPeriod, was "
                + refillTokens
                + " per "
                + refillPeriod);
      }
    }
  }
}
