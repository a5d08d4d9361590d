package dev.avatargateway.gateway.internal.observability;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What counts as a secret in a log line, in one place: the JSON encoder ({@link SecretValueMasker},
 * {@link SecretFieldMasker}) and the text layout ({@link MaskedMessageConverter}, {@link
 * MaskedThrowableConverter}) all mask with these rules, so no output format can leak what another
 * hides.
 *
 * <p>Values are masked wherever they appear inside any text (message, MDC value, structured
 * argument, exception message, stack trace):
 *
 * <ul>
 *   <li>Runway API keys, {@code key_} + letters, digits and underscores (runway-api.md §1: {@code
 *       key_} + 128 hex; the simulator's {@code key_simulator} too);
 *   <li>session keys, {@code stk_} + a JWT (official-sdk-behaviour.md §3);
 *   <li>any JWT ({@code eyJ...}{@code .}{@code ...}{@code .}{@code ...}): LiveKit tokens, the
 *       gateway's own bearer tokens;
 *   <li>{@code Bearer <anything>}, and the value after {@code authorization=} or {@code
 *       Authorization:} (whatever the scheme);
 *   <li>{@code name=value} and {@code "name":"value"} where the name contains {@code token}, {@code
 *       secret}, {@code password}, {@code apiKey}/{@code api_key} or {@code sessionKey}/{@code
 *       session_key} (case-insensitive), the way secrets appear in {@code toString()}s and embedded
 *       JSON;
 *   <li>every value registered with {@link #registerSecret(String)}, whatever its shape (the
 *       gateway's configured API keys and JWT secret, a Runway secret that does not start with
 *       {@code key_}).
 * </ul>
 *
 * <p>Field names whose value is masked whole, whatever it is ({@link #isSecretFieldName(String)}):
 * names that, lower-cased and without {@code -}, {@code _} and {@code .}, end with {@code
 * authorization}, {@code token}, {@code sessionkey}, {@code apikey}, {@code secret} or {@code
 * password} ({@code Authorization}, {@code x-api-key}, {@code livekitToken}, {@code
 * RUNWAYML_API_SECRET}, ...).
 *
 * <p>The rules err towards masking: a word such as {@code monkey_business} loses its tail. That is
 * the price of catching a key wherever it is glued in.
 */
public final class LogMasking {
  /** What replaces a secret. */
  public static final String MASK = "****";

  /**
   * Registered secrets shorter than this are ignored: masking every "ab" in every line would make
   * the logs unreadable, and a secret that short is not one (configuration validation rejects it).
   */
  static final int MIN_REGISTERED_SECRET_LENGTH = 8;

  private static final String[] SECRET_NAME_SUFFIXES = {
    "authorization", "token", "sessionkey", "apikey", "secret", "password"
  };

  /** The delimiters that end a value in {@code name=value} text. */
  private static final String VALUE = "[^\\s\"',;&}\\]]+";

  // One pass over the text; alternatives are tried left to right at each position, so the longer
  // shapes (stk_ + JWT, Bearer + anything) win over the JWT inside them.
  private static final Pattern SECRETS =
      Pattern.compile(
          String.join(
              "|",
              "key_[A-Za-z0-9_]+",
              "stk_[A-Za-z0-9._~+/=-]+",
              "eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*",
              "(?<bearer>(?i:bearer)\\s+)" + VALUE,
              "(?<auth>(?i:authorization)\"?\\s*[:=]\\s*\"?)(?:[A-Za-z]+\\s+)?" + VALUE,
              "(?<named>(?i:token|secret|password|api[_-]?key|session[_-]?key)"
                  + "(?:\\s*=\\s*|\"\\s*:\\s*\"))"
                  + VALUE));

  /**
   * What every match of {@link #SECRETS} starts with, lower-cased: a text that contains none of
   * them (ignoring case) cannot hold a secret of those shapes, and most log strings (ids, numbers,
   * status words) are checked by one pass over their characters instead of the regex being tried at
   * every position. Keep it in step with {@link #SECRETS}; {@code LogMaskingTest} checks every
   * shape.
   */
  private static final String[] SECRET_STARTS = {
    "key_",
    "stk_",
    "eyj",
    "bearer",
    "authorization",
    "token",
    "secret",
    "password",
    "api",
    "session"
  };

  /** The named groups of {@link #SECRETS} whose text is kept in front of the mask. */
  private static final List<String> KEPT_PREFIXES = List.of("bearer", "auth", "named");

  private static final CopyOnWriteArrayList<String> REGISTERED = new CopyOnWriteArrayList<>();

  private LogMasking() {}

  /**
   * Masks every secret in a text.
   *
   * @param text any text; null stays null
   * @return the text with each secret replaced by {@link #MASK} (a prefix such as {@code Bearer }
   *     or {@code token=} is kept, so the line still says what was there); the same instance when
   *     nothing was masked
   */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (String secret : REGISTERED) {
      if (result.contains(secret)) {
        result = result.replace(secret, MASK);
      }
    }
    if (!mayHoldPatternSecret(result)) {
      return result;
    }
    Matcher matcher = SECRETS.matcher(result);
    if (!matcher.find()) {
      return result;
    }
    StringBuilder masked = new StringBuilder(result.length());
    int last = 0;
    do {
      masked.append(result, last, matcher.start()).append(keptPrefix(matcher)).append(MASK);
      last = matcher.end();
    } while (matcher.find());
    return masked.append(result, last, result.length()).toString();
  }

  /** Whether the text contains, in any case, one of {@link #SECRET_STARTS}. */
  static boolean mayHoldPatternSecret(String text) {
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = Character.toLowerCase(text.charAt(i));
      for (String start : SECRET_STARTS) {
        if (start.charAt(0) == c && text.regionMatches(true, i, start, 0, start.length())) {
          return true;
        }
      }
    }
    return false;
  }

  private static String keptPrefix(Matcher matcher) {
    for (String group : KEPT_PREFIXES) {
      String prefix = matcher.group(group);
      if (prefix != null) {
        return prefix;
      }
    }
    return "";
  }

  /**
   * Whether a field (JSON property, MDC key, structured argument name) holds a secret, so that its
   * whole value must be masked.
   *
   * @param name a field name; null is not secret
   */
  public static boolean isSecretFieldName(String name) {
    if (name == null) {
      return false;
    }
    String normalized = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    normalized = normalized.replace(".", "");
    for (String suffix : SECRET_NAME_SUFFIXES) {
      if (normalized.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Masks this exact value from now on in every log line of this process, whatever its shape. The
   * application registers the secrets it is configured with (the Runway API secret, the gateway's
   * API keys, the JWT HMAC secret) at start-up, before anything can log them. Values shorter than
   * {@value #MIN_REGISTERED_SECRET_LENGTH} characters are ignored; registering a value twice is
   * harmless.
   *
   * @param secret the secret; must not be null
   */
  public static void registerSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length() >= MIN_REGISTERED_SECRET_LENGTH) {
      REGISTERED.addIfAbsent(secret);
    }
  }
}
