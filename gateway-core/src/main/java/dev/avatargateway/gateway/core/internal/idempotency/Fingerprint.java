package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What makes two requests with one key "the same request": the operation, the answer's shape and
 * the avatar choice as the body expressed it, after parsing. So whitespace, the order of JSON
 * members and members the gateway ignores do not count (the draft, §2.2, leaves the fingerprint to
 * the server; Stripe compares the parameters, not the bytes), while another avatar, the same avatar
 * named in the other field, or another response mode (the paths of the two shapes, or a changed
 * {@code connect.responseMode}) does: a replay must never hand out the other shape. Hex SHA-256 of
 * a length-prefixed encoding, so no two choices share one.
 */
public final class Fingerprint {
  /** Changes when the encoding below does, so that old rows never match new requests by chance. */
  private static final String VERSION = "v1";

  private Fingerprint() {}

  /**
   * The fingerprint of {@code choice} for {@code operation}, answered in {@code mode}. The {@code
   * credentials} mode adds nothing to the encoding the gateway used before the mode was part of it,
   * so keys stored then in the default mode still replay; the {@code session-key} mode adds a field
   * (a key stored before in that mode is, after the upgrade, 422 {@code idempotency_key_reused} for
   * the rest of its retention: the safe way to be wrong).
   */
  public static String of(
      IdempotentStarts.Operation operation, ResponseMode mode, AvatarChoice choice) {
    StringBuilder canonical = new StringBuilder(VERSION);
    field(canonical, operation.code());
    field(canonical, choice.avatarId());
    field(canonical, choice.customAvatarId());
    if (mode != ResponseMode.CREDENTIALS) {
      field(canonical, mode.configName());
    }
    return sha256Hex(canonical.toString());
  }

  private static void field(StringBuilder out, Optional<String> value) {
    if (value.isEmpty()) {
      out.append("|-");
    } else {
      field(out, value.get());
    }
  }

  private static void field(StringBuilder out, String value) {
    out.append('|').append(value.length()).append(':').append(value);
  }

  /** Hex SHA-256 of the UTF-8 of {@code text}. */
  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The row's id for (principal, key): neither can run into the other. */
  static String scope(String principal, String key) {
    StringBuilder out = new StringBuilder(VERSION);
    field(out, principal);
    field(out, key);
    return sha256Hex(out.toString());
  }
}
