package dev.avatargateway.gateway.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.avatargateway.gateway.core.internal.auth.Digests;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who may call the gateway (YAML section {@code auth}; issue 3 §3.3, the seed guide's "Require user
 * auth before creating sessions", client-contract.md §6 item 12 and §7 "Optional auth hook"). Build
 * an {@link Authenticator} from it with {@link Authenticators#create(AuthConfig, boolean)}. No
 * {@code toString()} of this record or its parts shows a key or a secret.
 *
 * @param mode {@code none}, {@code api-key} or {@code jwt}; default {@code none}
 * @param allowUnauthenticatedWithRealRunway lets {@code mode: none} run against the real Runway API
 *     (a {@code RUNWAYML_API_SECRET} is set), where every caller could spend the organisation's
 *     credits; default false, so that combination stops start-up
 * @param apiKeys with {@code mode: api-key}: the accepted keys, each mapped to a principal name;
 *     default none
 * @param jwt with {@code mode: jwt}: how tokens are verified; default all defaults (which do not
 *     validate: issuer, audience and a key are required)
 * @param admin who may use the admin endpoints ({@code /api/admin/...}) and end anyone's session,
 *     whatever {@code mode} is; default nobody
 */
public record AuthConfig(
    Mode mode,
    Boolean allowUnauthenticatedWithRealRunway,
    List<ApiKey> apiKeys,
    Jwt jwt,
    Admin admin) {

  /**
   * The shortest raw API key accepted, in characters. 16 random characters from the 62 letters and
   * digits are about 95 bits: beyond online guessing at any request rate.
   */
  static final int MIN_API_KEY_LENGTH = 16;

  private static final Pattern PRINCIPAL_NAME = Pattern.compile("[A-Za-z0-9._@:-]{1,64}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7e]+");

  /** Fills in defaults; keeps null list entries so that {@link #validate} can name them. */
  public AuthConfig {
    mode = mode == null ? Mode.NONE : mode;
    allowUnauthenticatedWithRealRunway =
        allowUnauthenticatedWithRealRunway != null && allowUnauthenticatedWithRealRunway;
    apiKeys = apiKeys == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(apiKeys));
    jwt = jwt == null ? Jwt.defaults() : jwt;
    admin = admin == null ? Admin.defaults() : admin;
  }

  /** Without admin credentials. */
  public AuthConfig(
      Mode mode, Boolean allowUnauthenticatedWithRealRunway, List<ApiKey> apiKeys, Jwt jwt) {
    this(mode, allowUnauthenticatedWithRealRunway, apiKeys, jwt, null);
  }

  /** Every default: {@code mode: none}, which validates only with the simulated upstream. */
  public static AuthConfig defaults() {
    return new AuthConfig(null, null, null, null, null);
  }

  /**
   * Checks the settings against each other and against the upstream in use.
   *
   * @param simulatedUpstream whether the gateway talks to the in-process simulator (no {@code
   *     RUNWAYML_API_SECRET}); with the real Runway API, {@code mode: none} needs {@code
   *     allowUnauthenticatedWithRealRunway: true}
   * @throws ConfigException naming the first wrong setting and what is allowed
   */
  public void validate(boolean simulatedUpstream) {
    if (mode == Mode.NONE && !simulatedUpstream && !allowUnauthenticatedWithRealRunway) {
      throw new ConfigException(
          "auth.mode",
          "is none while a real Runway secret is set, so anyone who can reach the gateway could"
              + " spend your Runway credits; set auth.mode to api-key or jwt, or set"
              + " auth.allowUnauthenticatedWithRealRunway: true to accept that");
    }
    if (mode != Mode.API_KEY && !apiKeys.isEmpty()) {
      throw new ConfigException(
          "auth.apiKeys",
          "lists keys but auth.mode is " + mode.value() + "; keys are only used with api-key");
    }
    if (mode != Mode.JWT && jwt.isConfigured()) {
      throw new ConfigException(
          "auth.jwt",
          "is configured but auth.mode is " + mode.value() + "; it is only used with jwt");
    }
    switch (mode) {
      case NONE -> {}
      case API_KEY -> validateApiKeys();
      case JWT -> jwt.validate();
    }
    admin.validate(apiKeys);
  }

  private void validateApiKeys() {
    if (apiKeys.isEmpty()) {
      throw new ConfigException(
          "auth.apiKeys", "must list at least one key ({name, key} or {name, sha256})");
    }
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> digests = new HashMap<>();
    for (int i = 0; i < apiKeys.size(); i++) {
      String path = "auth.apiKeys[" + i + "]";
      ApiKey entry = apiKeys.get(i);
      if (entry == null) {
        throw new ConfigException(path, "is empty; give a name and a key or sha256");
      }
      entry.validate(path);
      Integer earlier = names.putIfAbsent(entry.name(), i);
      if (earlier != null) {
        throw new ConfigException(
            path + ".name",
            "'"
                + entry.name()
                + "' is also the name of auth.apiKeys["
                + earlier
                + "]; names"
                + " must be unique");
      }
      earlier = digests.putIfAbsent(HexFormat.of().formatHex(entry.digest()), i);
      if (earlier != null) {
        throw new ConfigException(
            path,
            "has the same key as auth.apiKeys[" + earlier + "]; every principal needs its own key");
      }
    }
  }

  /**
   * Admin credentials (YAML {@code auth.admin}), apart from the callers' own: an admin key works on
   * the admin endpoints and to end anyone's session, never to start one. Keys are given and
   * compared exactly like {@code auth.apiKeys} (the key or its SHA-256).
   *
   * @param apiKeys the admin keys, each with a name for the logs; default none (no admin access)
   */
  public record Admin(List<ApiKey> apiKeys) {
    /** Fills in defaults; keeps null entries so that validation can name them. */
    public Admin {
      apiKeys =
          apiKeys == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(apiKeys));
    }

    /** No admin keys. */
    public static Admin defaults() {
      return new Admin(null);
    }

    /** Each entry as for {@code auth.apiKeys}, and none the same key as a caller's. */
    void validate(List<ApiKey> callerKeys) {
      Map<String, Integer> names = new HashMap<>();
      Map<String, Integer> digests = new HashMap<>();
      for (int i = 0; i < apiKeys.size(); i++) {
        String path = "auth.admin.apiKeys[" + i + "]";
        ApiKey entry = apiKeys.get(i);
        if (entry == null) {
          throw new ConfigException(path, "is empty; give a name and a key or sha256");
        }
        entry.validate(path);
        if (names.putIfAbsent(entry.name(), i) != null) {
          throw new ConfigException(path + ".name", "is used twice; every admin needs a name");
        }
        String digest = HexFormat.of().formatHex(entry.digest());
        if (digests.putIfAbsent(digest, i) != null) {
          throw new ConfigException(path, "has the same key as an earlier admin key");
        }
      }
      for (ApiKey caller : callerKeys) {
        if (caller != null
            && (caller.key() != null || caller.sha256() != null)
            && digests.containsKey(HexFormat.of().formatHex(caller.digest()))) {
          // One key in both lists would make every holder of a caller's key an admin.
          throw new ConfigException("auth.admin.apiKeys", "must not repeat a key of auth.apiKeys");
        }
      }
    }

    /** Shows the names only. */
    @Override
    public String toString() {
      return "Admin[apiKeys=" + apiKeys + "]";
    }
  }

  /** How callers prove who they are. */
  public enum Mode {
    /** No credentials: every caller is {@link Principal#ANONYMOUS}. */
    NONE("none"),
    /** A shared secret per principal, as {@code Authorization: Bearer} or {@code X-Api-Key}. */
    API_KEY("api-key"),
    /**
     * A signed JSON Web Token as {@code Authorization: Bearer}; the principal is its {@code sub}.
     */
    JWT("jwt");

    private final String value;

    Mode(String value) {
      this.value = value;
    }

    /** The YAML spelling: {@code none}, {@code api-key} or {@code jwt}. */
    @JsonValue
    public String value() {
      return value;
    }

    /**
     * Reads the YAML spelling (case-insensitive).
     *
     * @throws ConfigException for any other value
     */
    @JsonCreator
    public static Mode of(String value) {
      for (Mode mode : values()) {
        if (mode.value.equalsIgnoreCase(value == null ? "" : value.trim())) {
          return mode;
        }
      }
      throw new ConfigException("auth.mode", "must be none, api-key or jwt, was '" + value + "'");
    }
  }

  /**
   * One accepted API key: give either the key itself or its SHA-256, so that the config file need
   * not hold the raw key ({@code echo -n "$KEY" | sha256sum}).
   *
   * @param name the principal name of whoever presents the key (rate limits, concurrency caps and
   *     logs use it): 1 to 64 of {@code A-Z a-z 0-9 . _ @ : -}
   * @param key the key: at least 16 visible ASCII characters, no spaces
   * @param sha256 the lowercase or uppercase hex SHA-256 of the key's UTF-8 bytes (64 digits)
   */
  public record ApiKey(String name, String key, String sha256) {

    void validate(String path) {
      if (name == null || !PRINCIPAL_NAME.matcher(name).matches()) {
        throw new ConfigException(
            path + ".name", "must be 1 to 64 characters of A-Z a-z 0-9 . _ @ : -");
      }
      if (key != null && sha256 != null) {
        throw new ConfigException(path, "set either key or sha256, not both");
      }
      if (key == null && sha256 == null) {
        throw new ConfigException(path, "set key (the raw key) or sha256 (its SHA-256 in hex)");
      }
      if (key != null) {
        // The key's value never appears in a message, not even its length.
        if (key.length() < MIN_API_KEY_LENGTH) {
          throw new ConfigException(
              path + ".key", "must be at least " + MIN_API_KEY_LENGTH + " characters long");
        }
        if (!VISIBLE_ASCII.matcher(key).matches()) {
          throw new ConfigException(
              path + ".key", "must consist of visible ASCII characters only (no spaces)");
        }
      } else if (!SHA256_HEX.matcher(sha256).matches()) {
        throw new ConfigException(
            path + ".sha256",
            "must be the key's SHA-256 as 64 hex digits (echo -n \"$KEY\" | sha256sum)");
      }
    }

    /** The SHA-256 of the key; call only after {@link #validate}. */
    public byte[] digest() {
      return key != null
          ? Digests.sha256(key)
          : HexFormat.of().parseHex(sha256.toLowerCase(Locale.ROOT));
    }

    /** Shows the name only: neither the key nor its hash. */
    @Override
    public String toString() {
      return "ApiKey[name=" + name + ", " + (key != null ? "key" : "sha256") + "=***]";
    }
  }

  /**
   * How JSON Web Tokens are verified. Set exactly one of {@code hs256Secret} and {@code jwksUrl}.
   *
   * @param hs256Secret a shared HMAC secret, at least 32 bytes (UTF-8) as RFC 7518 §3.2 requires
   *     for HS256 (48 for HS384, 64 for HS512)
   * @param jwksUrl the issuer's JSON Web Key Set ({@code https://...}; plain {@code http} only for
   *     a loopback host), for RSA and EC signatures
   * @param issuer the exact {@code iss} every token must carry; required
   * @param audience a value the token's {@code aud} must contain; required
   * @param clockSkew how far {@code exp} and {@code nbf} may be off; default 60 s, at most 5 min
   * @param jwksCacheTtl how long fetched keys are used before the set is fetched again; default 5
   *     min
   * @param jwksRefreshTimeout the most one JWKS fetch may take (connect, answer and body); a
   *     request waits at most twice this for keys; default 2 s, at most 30 s
   * @param jwksMinRefetchInterval at most two fetches happen within this interval, whatever the
   *     tokens' {@code kid}s (an unknown {@code kid} asks for a fetch: a rotation needs one);
   *     default 30 s, less than {@code jwksCacheTtl}
   * @param algorithms the accepted {@code alg} values; default {@code [HS256]} with a secret,
   *     {@code [RS256, ES256]} with a JWKS. Allowed: HS256, HS384, HS512 with a secret; RS256,
   *     RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 with a JWKS. {@code none} never.
   */
  public record Jwt(
      String hs256Secret,
      URI jwksUrl,
      String issuer,
      String audience,
      Duration clockSkew,
      Duration jwksCacheTtl,
      Duration jwksRefreshTimeout,
      Duration jwksMinRefetchInterval,
      List<String> algorithms) {

    /** Covers the drift between NTP-synced hosts, and is the common default of JWT libraries. */
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    /** Beyond this an expired token lives on for too long: issuers' clocks are NTP-synced. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * nimbus' default ({@code JWKSourceBuilder.DEFAULT_CACHE_TIME_TO_LIVE}): a withdrawn key stops
     * working within 5 minutes, and an issuer is asked at most once per 5 minutes otherwise.
     */
    public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);

    /**
     * A healthy JWKS endpoint answers in milliseconds; a caller should not wait long on a broken
     * one.
     */
    static final Duration DEFAULT_JWKS_REFRESH_TIMEOUT = Duration.ofSeconds(2);

    /**
     * A request may wait for keys while the connect deadline (30 s by default) runs; a longer fetch
     * would make a slow identity provider look like a Runway time-out.
     */
    static final Duration MAX_JWKS_REFRESH_TIMEOUT = Duration.ofSeconds(30);

    /**
     * nimbus' default ({@code JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL}): tokens with
     * made-up {@code kid}s cause at most 4 fetches a minute, and a rotation is seen within 30 s.
     */
    public static final Duration DEFAULT_JWKS_MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);

    /** The smallest secret HS256 accepts (RFC 7518 §3.2: a key as long as the hash). */
    static final int MIN_HS256_SECRET_BYTES = 32;

    /** HMAC algorithms and the shortest secret, in bytes, each accepts (RFC 7518 §3.2). */
    static final Map<String, Integer> SECRET_ALGORITHMS =
        Map.of("HS256", MIN_HS256_SECRET_BYTES, "HS384", 48, "HS512", 64);

    /** Public-key algorithms a JWKS may serve keys for (nimbus verifies each without add-ons). */
    public static final List<String> JWKS_ALGORITHMS =
        List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    private static final List<String> SECRET_ALGORITHM_NAMES = List.of("HS256", "HS384", "HS512");

    /** Fills in defaults; the default algorithms follow the kind of key. */
    public Jwt {
      clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
      jwksCacheTtl = jwksCacheTtl == null ? DEFAULT_JWKS_CACHE_TTL : jwksCacheTtl;
      jwksRefreshTimeout =
          jwksRefreshTimeout == null ? DEFAULT_JWKS_REFRESH_TIMEOUT : jwksRefreshTimeout;
      jwksMinRefetchInterval =
          jwksMinRefetchInterval == null
              ? DEFAULT_JWKS_MIN_REFETCH_INTERVAL
              : jwksMinRefetchInterval;
      if (algorithms == null) {
        algorithms = hs256Secret != null ? List.of("HS256") : List.of("RS256", "ES256");
      } else {
        algorithms = Collections.unmodifiableList(new ArrayList<>(algorithms));
      }
    }

    /** Every default: no key, issuer or audience, so it does not validate on its own. */
    public static Jwt defaults() {
      return new Jwt(null, null, null, null, null, null, null, null, null);
    }

    /** Whether anything that only matters in {@code jwt} mode is set. */
    boolean isConfigured() {
      return hs256Secret != null || jwksUrl != null || issuer != null || audience != null;
    }

    /** The accepted algorithms without repeats, in the configured order; after validation. */
    public List<String> acceptedAlgorithms() {
      return List.copyOf(new LinkedHashSet<>(algorithms));
    }

    void validate() {
      if ((hs256Secret == null) == (jwksUrl == null)) {
        throw new ConfigException(
            "auth.jwt",
            hs256Secret == null
                ? "set hs256Secret (HMAC) or jwksUrl (RSA/EC keys of the issuer)"
                : "set either hs256Secret or jwksUrl, not both");
      }
      if (hs256Secret != null
          && hs256Secret.getBytes(StandardCharsets.UTF_8).length < MIN_HS256_SECRET_BYTES) {
        throw new ConfigException(
            "auth.jwt.hs256Secret",
            "must be at least "
                + MIN_HS256_SECRET_BYTES
                + " bytes long (RFC 7518 §3.2); generate one with openssl rand -base64 48");
      }
      if (jwksUrl != null) {
        validateJwksUrl();
      }
      if (issuer == null || issuer.isBlank()) {
        throw new ConfigException("auth.jwt.issuer", "is required: the exact iss of your tokens");
      }
      if (audience == null || audience.isBlank()) {
        throw new ConfigException(
            "auth.jwt.audience", "is required: the aud value your tokens carry for this gateway");
      }
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new ConfigException(
            "auth.jwt.clockSkew", "must be 0 to 5m, was " + clockSkew.toSeconds() + "s");
      }
      requirePositive("auth.jwt.jwksCacheTtl", jwksCacheTtl);
      requirePositive("auth.jwt.jwksRefreshTimeout", jwksRefreshTimeout);
      if (jwksRefreshTimeout.compareTo(MAX_JWKS_REFRESH_TIMEOUT) > 0) {
        throw new ConfigException(
            "auth.jwt.jwksRefreshTimeout",
            "must be at most 30s, was " + jwksRefreshTimeout.toMillis() + "ms");
      }
      requirePositive("auth.jwt.jwksMinRefetchInterval", jwksMinRefetchInterval);
      if (jwksMinRefetchInterval.compareTo(jwksCacheTtl) >= 0) {
        throw new ConfigException(
            "auth.jwt.jwksMinRefetchInterval",
            "must be less than auth.jwt.jwksCacheTtl, or keys could expire with no fetch allowed");
      }
      validateAlgorithms();
    }

    private void validateJwksUrl() {
      boolean https = "https".equalsIgnoreCase(jwksUrl.getScheme());
      boolean http = "http".equalsIgnoreCase(jwksUrl.getScheme());
      if (!jwksUrl.isAbsolute() || !(https || http) || jwksUrl.getHost() == null) {
        throw new ConfigException(
            "auth.jwt.jwksUrl",
            "must be an absolute https URL, was '" + loggableUrl(jwksUrl) + "'");
      }
      if (http && !isLoopback(jwksUrl.getHost())) {
        // Keys fetched over plain HTTP can be swapped by anyone on the path: they would then
        // sign their own tokens.
        throw new ConfigException(
            "auth.jwt.jwksUrl",
            "must use https (plain http only for localhost), was " + loggableUrl(jwksUrl));
      }
      if (jwksUrl.getRawUserInfo() != null || jwksUrl.getRawFragment() != null) {
        throw new ConfigException(
            "auth.jwt.jwksUrl", "must not contain user information or a #fragment");
      }
    }

    private static boolean isLoopback(String host) {
      return host.equalsIgnoreCase("localhost")
          || host.startsWith("127.")
          || host.equals("[::1]")
          || host.equals("::1");
    }

    private void validateAlgorithms() {
      if (algorithms.isEmpty()) {
        throw new ConfigException("auth.jwt.algorithms", "must name at least one algorithm");
      }
      for (String algorithm : algorithms) {
        if (hs256Secret != null) {
          Integer minBytes = algorithm == null ? null : SECRET_ALGORITHMS.get(algorithm);
          if (minBytes == null) {
            throw new ConfigException(
                "auth.jwt.algorithms",
                "'"
                    + algorithm
                    + "' cannot be used with hs256Secret; allowed: "
                    + String.join(", ", SECRET_ALGORITHM_NAMES));
          }
          if (hs256Secret.getBytes(StandardCharsets.UTF_8).length < minBytes) {
            throw new ConfigException(
                "auth.jwt.hs256Secret",
                "must be at least " + minBytes + " bytes long for " + algorithm);
          }
        } else if (!JWKS_ALGORITHMS.contains(algorithm)) {
          // An HMAC algorithm here would let a token signed with the public key as HMAC secret
          // pass; "none" would accept unsigned tokens.
          throw new ConfigException(
              "auth.jwt.algorithms",
              "'"
                  + algorithm
                  + "' cannot be used with jwksUrl; allowed: "
                  + String.join(", ", JWKS_ALGORITHMS));
        }
      }
    }

    private static void requirePositive(String setting, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new ConfigException(setting, "must be positive");
      }
    }

    /**
     * The URL without user information, query or fragment, any of which might carry a credential:
     * for logs and {@code toString()}.
     */
    public static String loggableUrl(URI url) {
      if (url == null) {
        return "null";
      }
      StringBuilder text = new StringBuilder();
      if (url.getScheme() != null) {
        text.append(url.getScheme()).append(':');
      }
      if (url.getHost() != null) {
        text.append("//").append(url.getHost());
        if (url.getPort() >= 0) {
          text.append(':').append(url.getPort());
        }
      }
      if (url.getRawPath() != null) {
        text.append(url.getRawPath());
      }
      return text.toString();
    }

    /** Shows everything but the secret, and the JWKS URL without query. */
    @Override
    public String toString() {
      return "Jwt[hs256Secret="
          + (hs256Secret == null ? "null" : "***")
          + ", jwksUrl="
          + loggableUrl(jwksUrl)
          + ", issuer="
          + issuer
          + ", audience="
          + audience
          + ", clockSkew="
          + clockSkew
          + ", jwksCacheTtl="
          + jwksCacheTtl
          + ", jwksRefreshTimeout="
          + jwksRefreshTimeout
          + ", jwksMinRefetchInterval="
          + jwksMinRefetchInterval
          + ", algorithms="
          + algorithms
          + "]";
    }
  }
}
