package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.util.Base64;

/**
 * Idempotent starts (YAML section {@code idempotency}): how long an {@code Idempotency-Key} and the
 * answer stored for it are kept, and the key that encrypts stored answers. Every absent value takes
 * its default, so an absent section gives {@link #defaults()}. See docs/idempotency.md for the
 * semantics. No {@code toString()} shows the encryption key.
 *
 * @param retention how long a key is remembered after its first request, and its answer replayed;
 *     default 24 h (Stripe's, and the IETF draft's example), from 1 min to 7 d. After it, the key
 *     is free again and a request with it starts a new session
 * @param pruneInterval how often keys past their retention are deleted; default 1 min, from 1 s to
 *     1 h. A key past its retention counts as absent whether it was deleted yet or not
 * @param encryptionKey base64 of the 32-byte AES-256 key that encrypts stored answers (they may
 *     hold WebRTC tokens or session keys); env {@code GATEWAY_IDEMPOTENCY_KEY}; default none:
 *     derived from the Runway API secret (HKDF-SHA256), or, with the embedded simulator and no
 *     secret, a random key for this process only (answers stored by an earlier process then cannot
 *     be opened, see docs/idempotency.md). Every instance sharing a ledger must use the same key.
 *     Never shown by {@code toString()}
 */
public record IdempotencyConfig(Duration retention, Duration pruneInterval, String encryptionKey) {
  private static final String SECTION = "idempotency";

  /** See {@link #retention()}. */
  static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

  /**
   * Shorter, and a client's ordinary retries (seconds to minutes apart) could outlive their key.
   */
  private static final Duration MIN_RETENTION = Duration.ofMinutes(1);

  /** Longer only keeps tokens of long-ended sessions, encrypted, for nothing. */
  private static final Duration MAX_RETENTION = Duration.ofDays(7);

  /** See {@link #pruneInterval()}. */
  static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(1);

  private static final Duration MIN_PRUNE_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_PRUNE_INTERVAL = Duration.ofHours(1);

  /** AES-256. */
  public static final int KEY_BYTES = 32;

  /** Fills absent values with their defaults. */
  public IdempotencyConfig {
    retention = retention == null ? DEFAULT_RETENTION : retention;
    pruneInterval = pruneInterval == null ? DEFAULT_PRUNE_INTERVAL : pruneInterval;
    encryptionKey = encryptionKey == null || encryptionKey.isBlank() ? null : encryptionKey.trim();
  }

  /** Every default. */
  public static IdempotencyConfig defaults() {
    return new IdempotencyConfig(null, null, null);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first invalid setting, e.g. {@code idempotency.retention}
   */
  public void validate() {
    if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
      throw new ConfigException(
          SECTION + ".retention", "must be from 1m to 7d, was " + Durations.format(retention));
    }
    if (pruneInterval.compareTo(MIN_PRUNE_INTERVAL) < 0
        || pruneInterval.compareTo(MAX_PRUNE_INTERVAL) > 0) {
      throw new ConfigException(
          SECTION + ".pruneInterval",
          "must be from 1s to 1h, was " + Durations.format(pruneInterval));
    }
    if (encryptionKey != null) {
      decodedKey();
    }
  }

  /**
   * The encryption key's bytes, when one is set.
   *
   * @throws ConfigException when it is not base64 of 32 bytes (the message never shows the value)
   */
  public byte[] decodedKey() {
    String setting = SECTION + ".encryptionKey (GATEWAY_IDEMPOTENCY_KEY)";
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encryptionKey);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          setting, "must be base64 of " + KEY_BYTES + " random bytes (openssl rand -base64 32)");
    }
    if (bytes.length != KEY_BYTES) {
      throw new ConfigException(
          setting,
          "must be base64 of "
              + KEY_BYTES
              + " bytes (openssl rand -base64 32), was "
              + bytes.length
              + " bytes");
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "IdempotencyConfig[retention="
        + retention
        + ", pruneInterval="
        + pruneInterval
        + ", encryptionKey="
        + (encryptionKey == null ? "null" : "***")
        + "]";
  }
}
