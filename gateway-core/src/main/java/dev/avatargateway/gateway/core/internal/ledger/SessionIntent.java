package dev.avatargateway.gateway.core.internal.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What the ledger records of a session before {@code create} is sent: enough to recognise it later
 * (whose it was, which avatar, which request) and to judge it on recovery.
 *
 * @param gatewayId the gateway's own id for the session, a UUID in canonical lower-case form; the
 *     row's key, known before the upstream id is
 * @param principal who asked for it (the principal's name); at most 1,024 characters
 * @param clientAddress the client address the connect came from, if known; at most 64 characters
 * @param avatarId the avatar as the browser asked for it (a preset id or a UUID); at most 128
 *     characters
 * @param avatarType {@code runway-preset} or {@code custom}, as the upstream names them; at most 32
 *     characters
 * @param requestId the connect request's id, to join the books with the logs, if known; at most 128
 *     characters
 * @param responseMode {@code credentials} or {@code session-key}: who consumes the session; at most
 *     32 characters
 * @param maxDurationSeconds the longest the call may last, in seconds, as sent upstream; null when
 *     the upstream default applies
 * @param acceptedAt when the gateway accepted the connect and recorded the intent
 */
public record SessionIntent(
    String gatewayId,
    String principal,
    String clientAddress,
    String avatarId,
    String avatarType,
    String requestId,
    String responseMode,
    Integer maxDurationSeconds,
    Instant acceptedAt) {

  // The column sizes of V1__session_ledger.sql: checked here so that a value too long fails with
  // its name instead of a database error.
  static final int MAX_PRINCIPAL = 1024;
  static final int MAX_CLIENT_ADDRESS = 64;
  static final int MAX_AVATAR_ID = 128;
  static final int MAX_AVATAR_TYPE = 32;
  static final int MAX_REQUEST_ID = 128;
  static final int MAX_RESPONSE_MODE = 32;

  /** Checks presence and lengths. */
  public SessionIntent {
    requireGatewayId(gatewayId);
    requireText("principal", principal, MAX_PRINCIPAL, true);
    requireText("clientAddress", clientAddress, MAX_CLIENT_ADDRESS, false);
    requireText("avatarId", avatarId, MAX_AVATAR_ID, true);
    requireText("avatarType", avatarType, MAX_AVATAR_TYPE, true);
    requireText("requestId", requestId, MAX_REQUEST_ID, false);
    requireText("responseMode", responseMode, MAX_RESPONSE_MODE, true);
    if (maxDurationSeconds != null && maxDurationSeconds < 1) {
      throw new IllegalArgumentException(
          "maxDurationSeconds must be positive, was " + maxDurationSeconds);
    }
    Objects.requireNonNull(acceptedAt, "acceptedAt");
  }

  static void requireGatewayId(String gatewayId) {
    Objects.requireNonNull(gatewayId, "gatewayId");
    boolean canonical;
    try {
      canonical = UUID.fromString(gatewayId).toString().equals(gatewayId);
    } catch (IllegalArgumentException e) {
      canonical = false;
    }
    if (!canonical) {
      throw new IllegalArgumentException(
          "gatewayId must be a UUID in canonical lower-case form, was '" + gatewayId + "'");
    }
  }

  private static void requireText(String name, String value, int maxLength, boolean required) {
    if (value == null) {
      if (required) {
        throw new NullPointerException(name);
      }
      return;
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          name + " must be at most " + maxLength + " characters, was " + value.length());
    }
  }
}
