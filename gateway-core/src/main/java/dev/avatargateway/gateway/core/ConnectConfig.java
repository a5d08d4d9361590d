package dev.avatargateway.gateway.core;

import java.time.Duration;
import java.util.Locale;

/**
 * The connect flow.
 *
 * @param deadline how long a connect may wait for READY; default 30 s (the official clients' and
 *     the seed guide's budget, runway-api.md §2.7)
 * @param queuedDeadline the longer budget once Runway says the session is queued for capacity;
 *     default 90 s (Runway's own examples poll 90 s when queued, client-contract.md §6.2)
 * @param responseMode {@code credentials} (default: the gateway consumes and answers {sessionId,
 *     serverUrl, token, roomName}) or {@code session-key} (answers {sessionId, sessionKey} and the
 *     browser consumes); env {@code GATEWAY_RESPONSE_MODE}. The mode of requests that do not ask
 *     for one ({@link ConnectRequest#responseMode()}: the transport's paths of a fixed shape do)
 * @param customAvatarCacheTtl how long a custom avatar's upstream status is trusted; default 60 s
 * @param handOutTimeout for a session-key answer (this mode, or a request that asked for it), how
 *     long a browser has to use the key it was handed: a session not RUNNING by then is cancelled;
 *     default 30 s (the browser consumes at once; Runway itself fails an unused READY session only
 *     after its READY window, so waiting longer would pay for nothing)
 */
public record ConnectConfig(
    Duration deadline,
    Duration queuedDeadline,
    String responseMode,
    Duration customAvatarCacheTtl,
    Duration handOutTimeout) {

  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  static final Duration DEFAULT_QUEUED_DEADLINE = Duration.ofSeconds(90);
  static final Duration DEFAULT_AVATAR_CACHE_TTL = Duration.ofSeconds(60);
  static final Duration DEFAULT_HAND_OUT_TIMEOUT = Duration.ofSeconds(30);

  /** Fills in defaults. */
  public ConnectConfig {
    deadline = deadline == null ? DEFAULT_DEADLINE : deadline;
    queuedDeadline = queuedDeadline == null ? DEFAULT_QUEUED_DEADLINE : queuedDeadline;
    responseMode = responseMode == null ? ResponseMode.CREDENTIALS.configName() : responseMode;
    customAvatarCacheTtl =
        customAvatarCacheTtl == null ? DEFAULT_AVATAR_CACHE_TTL : customAvatarCacheTtl;
    handOutTimeout = handOutTimeout == null ? DEFAULT_HAND_OUT_TIMEOUT : handOutTimeout;
  }

  /** Every default. */
  public static ConnectConfig defaults() {
    return new ConnectConfig(null, null, null, null, null);
  }

  /** The response mode as an enum. */
  public ResponseMode mode() {
    return ResponseMode.parse(responseMode);
  }

  /** Checks every value. */
  public void validate() {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new ConfigException("connect.deadline", "must be positive");
    }
    if (queuedDeadline.compareTo(deadline) < 0) {
      throw new ConfigException(
          "connect.queuedDeadline", "must not be shorter than connect.deadline (" + deadline + ")");
    }
    if (handOutTimeout.isNegative() || handOutTimeout.isZero()) {
      throw new ConfigException("connect.handOutTimeout", "must be positive");
    }
    if (customAvatarCacheTtl.isNegative()) {
      throw new ConfigException("connect.customAvatarCacheTtl", "must not be negative");
    }
    try {
      mode();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "connect.responseMode (GATEWAY_RESPONSE_MODE)",
          "must be 'credentials' or 'session-key', was '" + responseMode + "'");
    }
  }

  /** What a successful connect answers (client-contract.md §1.3: never both shapes at once). */
  public enum ResponseMode {
    /** {sessionId, serverUrl, token, roomName}: the gateway consumed the session. */
    CREDENTIALS,
    /** {sessionId, sessionKey[, baseUrl]}: the browser consumes. */
    SESSION_KEY;

    /** The spelling in configuration. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static ResponseMode parse(String text) {
      for (ResponseMode mode : values()) {
        if (mode.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return mode;
        }
      }
      throw new IllegalArgumentException(text);
    }
  }
}
