package dev.avatargateway.gateway.core;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * The Redis that several gateway instances share (YAML section {@code redis}): with {@link #url()}
 * set, the connect rate limits per principal and per client address and the failed-authentication
 * limit per client address are token buckets in Redis, and the per-principal concurrency caps, the
 * create gate and the waiting line are slot leases there ({@link #leaseDuration()}), so that N
 * instances together admit what one would; unset, they live in each instance's memory, as before.
 * Every absent value takes its default, so an absent section gives {@link #defaults()}. No {@code
 * toString()} shows the URL's password.
 *
 * @param url {@code redis://[user:password@]host[:port][/database]}, or {@code rediss://} for TLS;
 *     env {@code GATEWAY_REDIS_URL}; default none: every limit is per instance
 * @param keyPrefix put in front of every key the gateway writes, so that several gateways (or a
 *     test run) can share one Redis without sharing buckets; default {@code avatar-gateway:}; not
 *     blank, at most 100 characters
 * @param onFailure what a connect meets while Redis cannot be reached or does not answer in {@link
 *     #timeout()}: {@code refuse} (the default) answers 503 {@code limits_unavailable}, so that no
 *     instance admits beyond the shared limits; {@code local} checks per-instance buckets, slots,
 *     create gate and line instead (N instances then admit up to N times the limit) and warns once
 *     per outage
 * @param timeout how long one Redis command (and connecting) may take before it counts as a
 *     failure; default 500 ms, from 10 ms to 10 s
 * @param leaseDuration how long a slot (a concurrency slot, a create-gate slot, a place in the
 *     waiting line) held in Redis lasts unless its instance renews it, which it does every third of
 *     this: a crashed instance's slots free themselves within this time; default 15 s, from 3 s to
 *     5 min
 */
public record RedisConfig(
    String url, String keyPrefix, String onFailure, Duration timeout, Duration leaseDuration) {
  private static final String SECTION = "redis";

  /** See {@link #keyPrefix()}. */
  static final String DEFAULT_KEY_PREFIX = "avatar-gateway:";

  /** Keys are sent with every command; a longer prefix only costs Redis memory. */
  private static final int MAX_KEY_PREFIX_LENGTH = 100;

  /**
   * See {@link #timeout()}. A bucket takes one or two round trips of well under a millisecond on a
   * healthy network; 500 ms is far beyond that, yet short enough that a connect waiting on a sick
   * Redis still answers long before the connect deadline (several seconds).
   */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

  /** Shorter would count ordinary network jitter as an outage. */
  private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);

  /** Longer would hold connects for most of their deadline on a Redis that is not answering. */
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

  /**
   * See {@link #leaseDuration()}. A crashed instance's slots stay taken this long, so shorter frees
   * them sooner; but renewals run every third of it, and a lease must survive a Redis failover or a
   * long GC pause (seconds) without its holder losing it. 15 s keeps both: renewals every 5 s (one
   * script per slot set), and a dead instance's slots back within 15 s, well under a connect's
   * deadline.
   */
  static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

  /** Below this, renewals (every third) come closer than a Redis failover takes. */
  private static final Duration MIN_LEASE_DURATION = Duration.ofSeconds(3);

  /** Beyond this, a crashed instance would hold the organisation's create slots for too long. */
  private static final Duration MAX_LEASE_DURATION = Duration.ofMinutes(5);

  /** Fills absent values with their defaults. */
  public RedisConfig {
    url = url == null || url.isBlank() ? null : url.trim();
    keyPrefix = keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix;
    onFailure = onFailure == null ? OnFailure.REFUSE.configName() : onFailure;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    leaseDuration = leaseDuration == null ? DEFAULT_LEASE_DURATION : leaseDuration;
  }

  /** Every default: no Redis. */
  public static RedisConfig defaults() {
    return new RedisConfig(null, null, null, null, null);
  }

  /** Whether the limits are shared through Redis. */
  public boolean enabled() {
    return url != null;
  }

  /** {@link #onFailure()} as an enum. */
  public OnFailure failureMode() {
    return OnFailure.parse(onFailure);
  }

  /** The parsed URL, with {@link #timeout()} as its command time-out; null when not enabled. */
  public RedisURI redisUri() {
    if (url == null) {
      return null;
    }
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(timeout);
    return uri;
  }

  /** The password in the URL, to mask in logs; null when there is none. */
  public String password() {
    int at = userInfoEnd();
    if (at < 0) {
      return null;
    }
    String userInfo = url.substring(url.indexOf("://") + 3, at);
    int colon = userInfo.indexOf(':');
    // redis://secret@host: Lettuce reads a lone user-info part as the password.
    String password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
    return password.isEmpty() ? null : password;
  }

  /**
   * Where the URL's user-info part ends (its {@code @}), or -1 when it has none. Found by hand
   * rather than with {@link URI}, so that even a URL too broken to parse is masked.
   */
  private int userInfoEnd() {
    if (url == null || !url.contains("://")) {
      return -1;
    }
    int start = url.indexOf("://") + 3;
    int slash = url.indexOf('/', start);
    String authority = slash < 0 ? url.substring(start) : url.substring(start, slash);
    int at = authority.lastIndexOf('@');
    return at < 0 ? -1 : start + at;
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code redis.url}
   */
  public void validate() {
    if (url != null) {
      String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")) : "";
      if (!scheme.equals("redis") && !scheme.equals("rediss")) {
        throw new ConfigException(
            SECTION + ".url", "must start with redis:// or rediss://, was " + masked());
      }
      try {
        // java.net.URI is the stricter parser: Lettuce takes a missing host or port as defaults.
        if (new URI(url).getHost() == null) {
          throw new IllegalArgumentException("no host, or a port that is not a number");
        }
        RedisURI.create(url);
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new ConfigException(
            SECTION + ".url",
            "must be redis://[user:password@]host[:port][/database], was " + masked());
      }
    }
    if (keyPrefix.isBlank() || keyPrefix.length() > MAX_KEY_PREFIX_LENGTH) {
      throw new ConfigException(
          SECTION + ".keyPrefix",
          "must be 1 to 100 characters, not blank, was '" + keyPrefix + "'");
    }
    try {
      failureMode();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          SECTION + ".onFailure", "must be 'refuse' or 'local', was '" + onFailure + "'");
    }
    if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new ConfigException(
          SECTION + ".timeout", "must be from 10ms to 10s, was " + Durations.format(timeout));
    }
    if (leaseDuration.compareTo(MIN_LEASE_DURATION) < 0
        || leaseDuration.compareTo(MAX_LEASE_DURATION) > 0) {
      throw new ConfigException(
          SECTION + ".leaseDuration",
          "must be from 3s to 5m, was " + Durations.format(leaseDuration));
    }
  }

  /** The URL with its password replaced by {@code ***}: for messages and logs. */
  public String masked() {
    if (password() == null) {
      return url;
    }
    int at = userInfoEnd();
    int start = url.indexOf("://") + 3;
    String userInfo = url.substring(start, at);
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? "***" : userInfo.substring(0, colon + 1) + "***";
    return url.substring(0, start) + shown + url.substring(at);
  }

  /** Shows everything but the URL's password. */
  @Override
  public String toString() {
    return "RedisConfig[url="
        + masked()
        + ", keyPrefix="
        + keyPrefix
        + ", onFailure="
        + onFailure
        + ", timeout="
        + timeout
        + ", leaseDuration="
        + leaseDuration
        + "]";
  }

  /** What a connect meets while Redis cannot be reached. */
  public enum OnFailure {
    /** 503 {@code limits_unavailable}: no instance admits beyond the shared limits. */
    REFUSE,
    /** Per-instance buckets until Redis is back. */
    LOCAL;

    /** The spelling in configuration. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static OnFailure parse(String text) {
      for (OnFailure mode : values()) {
        if (mode.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return mode;
        }
      }
      throw new IllegalArgumentException(text);
    }
  }
}
