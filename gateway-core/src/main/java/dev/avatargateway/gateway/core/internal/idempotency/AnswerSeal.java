package dev.avatargateway.gateway.core.internal.idempotency;

import dev.avatargateway.gateway.core.IdempotencyConfig;
import dev.avatargateway.gateway.core.RenderedAnswer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts stored answers at rest: they may hold a LiveKit token or a session key, which would let
 * whoever reads the database join or start a paid session. AES-256-GCM (JDK {@code javax.crypto}),
 * a fresh random 96-bit nonce per record (NIST SP 800-38D's recommended length; random nonces are
 * safe far beyond the number of answers one key seals), and the principal and the idempotency key
 * as associated data: a record opens only for a request of the same principal bearing the same key,
 * so one row's answer cannot be moved to another row. A record is base64 of {@code version (1 byte)
 * || nonce (12) || ciphertext || tag (16)}. Thread-safe.
 */
public final class AnswerSeal {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerSeal.class);

  /** The record format; a new format gets a new number, old ones then fail to open, safely. */
  static final byte VERSION = 1;

  /**
   * HKDF's info when the key is derived from the Runway API secret (RFC 5869 §3.2: binds the
   * derived key to this one purpose, so it is never the secret itself, nor any other key derived
   * from it).
   */
  static final String HKDF_INFO = "avatar-gateway idempotency answers AES-256-GCM v1";

  private static final String HMAC = "HmacSHA256";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** Each answer's cap: a connect's answer is well under 2 KiB, an error's a few hundred bytes. */
  static final int MAX_PLAINTEXT_BYTES = 16 * 1024;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private AnswerSeal(byte[] key) {
    if (key.length != IdempotencyConfig.KEY_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** A seal with this 32-byte key. */
  static AnswerSeal withKey(byte[] key) {
    return new AnswerSeal(key);
  }

  /** A seal with a key derived from {@code secret} (HKDF-SHA256, no salt, {@link #HKDF_INFO}). */
  static AnswerSeal derivedFrom(String secret) {
    return new AnswerSeal(
        hkdfSha256(
            secret.getBytes(StandardCharsets.UTF_8),
            new byte[0],
            HKDF_INFO.getBytes(StandardCharsets.UTF_8),
            IdempotencyConfig.KEY_BYTES));
  }

  /** A seal with a random key: what it seals opens in this process only. */
  static AnswerSeal ephemeral() {
    byte[] key = new byte[IdempotencyConfig.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new AnswerSeal(key);
  }

  /**
   * The seal the configuration asks for: its key, else one derived from the Runway secret, else
   * (the simulator, with no secret) a random one.
   */
  public static AnswerSeal from(IdempotencyConfig config, Optional<String> runwaySecret) {
    if (config.encryptionKey() != null) {
      return withKey(config.decodedKey());
    }
    Optional<String> secret = runwaySecret.filter(s -> !s.isBlank());
    if (secret.isPresent()) {
      return derivedFrom(secret.get());
    }
    LOG.info(
        "Idempotent answers are encrypted with a random key of this process (no"
            + " idempotency.encryptionKey and no Runway secret): answers stored before a restart"
            + " or by another instance are not replayed (idempotency_answer_unavailable)");
    return ephemeral();
  }

  /** The encrypted record of {@code answer}, bound to this principal and key. */
  String seal(String principal, String idempotencyKey, RenderedAnswer answer) {
    byte[] plaintext = encode(answer);
    if (plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException(
          "an answer of " + plaintext.length + " bytes is too large to store");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(principal, idempotencyKey));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] record = new byte[1 + NONCE_BYTES + sealed.length];
      record[0] = VERSION;
      System.arraycopy(nonce, 0, record, 1, NONCE_BYTES);
      System.arraycopy(sealed, 0, record, 1 + NONCE_BYTES, sealed.length);
      return Base64.getEncoder().encodeToString(record);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is in every JDK", e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The answer in {@code record}, or empty when it cannot be opened: another key (rotated), another
   * principal or idempotency key, a changed byte, an unknown format. Never says which, and never
   * throws for it: the caller answers the same safe way in every case.
   */
  Optional<RenderedAnswer> open(String principal, String idempotencyKey, String record) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(record);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length < 1 + NONCE_BYTES + TAG_BITS / 8 || bytes[0] != VERSION) {
      return Optional.empty();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 1, NONCE_BYTES));
      cipher.updateAAD(associatedData(principal, idempotencyKey));
      byte[] plaintext = cipher.doFinal(bytes, 1 + NONCE_BYTES, bytes.length - 1 - NONCE_BYTES);
      return Optional.of(decode(plaintext));
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Length-prefixed, so that ("ab", "c") and ("a", "bc") differ. */
  private static byte[] associatedData(String principal, String idempotencyKey) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      writeString(data, "avatar-gateway idempotency v1");
      writeString(data, principal);
      writeString(data, idempotencyKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] encode(RenderedAnswer answer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      data.writeInt(answer.status());
      writeString(data, answer.json());
      data.writeInt(answer.headers().size());
      for (Map.Entry<String, String> header : answer.headers().entrySet()) {
        writeString(data, header.getKey());
        writeString(data, header.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static RenderedAnswer decode(byte[] plaintext) throws IOException {
    try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(plaintext))) {
      int status = data.readInt();
      String json = readString(data);
      int count = data.readInt();
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        headers.put(readString(data), readString(data));
      }
      if (data.read() != -1) {
        throw new IOException("trailing bytes");
      }
      return new RenderedAnswer(status, json, headers);
    }
  }

  private static void writeString(DataOutputStream data, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    data.writeInt(bytes.length);
    data.write(bytes);
  }

  private static String readString(DataInputStream data) throws IOException {
    int length = data.readInt();
    if (length < 0 || length > MAX_PLAINTEXT_BYTES) {
      throw new IOException("bad length");
    }
    return new String(data.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** HKDF with HMAC-SHA256 (RFC 5869 §2): extract, then expand to {@code length} bytes. */
  static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      // RFC 5869 §2.2: no salt means a string of HashLen zeros.
      mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, HMAC));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, HMAC));
      byte[] okm = new byte[length];
      byte[] block = new byte[0];
      int done = 0;
      for (int i = 1; done < length; i++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) i);
        block = mac.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, okm, done, n);
        done += n;
      }
      return okm;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is in every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "AnswerSeal[AES-256-GCM]";
  }
}
