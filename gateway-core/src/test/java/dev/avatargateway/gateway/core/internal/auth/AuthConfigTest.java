package dev.avatargateway.gateway.core.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Every rule of {@link AuthConfig#validate(boolean)}, the defaults and the YAML shape. */
class AuthConfigTest {
  private static final String KEY = "k_0123456789abcdef";
  private static final String SECRET = "0123456789abcdef0123456789abcdef"; // 32 bytes
  private static final URI JWKS = URI.create("https://id.example.com/.well-known/jwks.json");

  @Test
  void defaultsAreNoAuthenticationAndTheDocumentedJwtSettings() {
    AuthConfig config = AuthConfig.defaults();
    assertThat(config.mode()).isEqualTo(AuthConfig.Mode.NONE);
    assertThat(config.allowUnauthenticatedWithRealRunway()).isFalse();
    assertThat(config.apiKeys()).isEmpty();
    AuthConfig.Jwt jwt = config.jwt();
    assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(jwt.jwksCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(jwt.jwksRefreshTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(jwt.jwksMinRefetchInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.algorithms()).containsExactly("RS256", "ES256");
    assertThat(hs256(SECRET).algorithms()).containsExactly("HS256");
  }

  @Test
  void noneIsFineWithTheSimulator() {
    assertThatCode(() -> AuthConfig.defaults().validate(true)).doesNotThrowAnyException();
  }

  @Test
  void noneWithARealRunwaySecretIsRefusedUnlessExplicitlyAllowed() {
    ConfigException e = rejected(AuthConfig.defaults(), false, "auth.mode");
    assertThat(e.getMessage()).contains("credits", "allowUnauthenticatedWithRealRunway: true");

    AuthConfig optedIn = new AuthConfig(null, true, null, null);
    assertThatCode(() -> optedIn.validate(false)).doesNotThrowAnyException();
  }

  @Test
  void settingsOfAnotherModeAreRefused() {
    rejected(
        new AuthConfig(AuthConfig.Mode.NONE, null, List.of(key("a", KEY)), null),
        true,
        "auth.apiKeys");
    rejected(
        new AuthConfig(AuthConfig.Mode.JWT, null, List.of(key("a", KEY)), hs256(SECRET)),
        true,
        "auth.apiKeys");
    rejected(new AuthConfig(AuthConfig.Mode.NONE, null, null, hs256(SECRET)), true, "auth.jwt");
    rejected(
        new AuthConfig(AuthConfig.Mode.API_KEY, null, List.of(key("a", KEY)), hs256(SECRET)),
        true,
        "auth.jwt");
  }

  @Test
  void apiKeyModeNeedsAtLeastOneKey() {
    rejected(apiKeys(), false, "auth.apiKeys");
    rejected(
        new AuthConfig(AuthConfig.Mode.API_KEY, null, Arrays.asList(key("a", KEY), null), null),
        false,
        "auth.apiKeys[1]");
  }

  @Test
  void apiKeyNamesMustBePresentPlainAndUnique() {
    rejected(apiKeys(key(null, KEY)), false, "auth.apiKeys[0].name");
    rejected(apiKeys(key("", KEY)), false, "auth.apiKeys[0].name");
    rejected(apiKeys(key("two words", KEY)), false, "auth.apiKeys[0].name");
    rejected(apiKeys(key("x".repeat(65), KEY)), false, "auth.apiKeys[0].name");
    assertThatCode(() -> apiKeys(key("svc-1.prod_eu@team:a", KEY)).validate(false))
        .doesNotThrowAnyException();

    ConfigException e =
        rejected(
            apiKeys(key("a", KEY), key("b", KEY + "2"), key("a", KEY + "3")),
            false,
            "auth.apiKeys[2].name");
    assertThat(e.getMessage()).contains("auth.apiKeys[0]");
  }

  @Test
  void everyEntryHasExactlyOneOfKeyAndSha256() {
    rejected(apiKeys(new AuthConfig.ApiKey("a", null, null)), false, "auth.apiKeys[0]");
    rejected(apiKeys(new AuthConfig.ApiKey("a", KEY, sha256(KEY))), false, "auth.apiKeys[0]");
  }

  @Test
  void keysAreLongVisibleAsciiAndNeverQuoted() {
    String fifteen = "k_0123456789abc";
    ConfigException e = rejected(apiKeys(key("a", fifteen)), false, "auth.apiKeys[0].key");
    assertThat(e.getMessage()).doesNotContain(fifteen).contains("16");
    assertThatCode(() -> apiKeys(key("a", fifteen + "d")).validate(false))
        .doesNotThrowAnyException();

    String spaced = "k_0123456789 abcdef";
    e = rejected(apiKeys(key("a", spaced)), false, "auth.apiKeys[0].key");
    assertThat(e.getMessage()).doesNotContain(spaced);
    rejected(apiKeys(key("a", "k_0123456789abcdé")), false, "auth.apiKeys[0].key");
  }

  @Test
  void sha256MustBe64HexDigits() {
    rejected(apiKeys(new AuthConfig.ApiKey("a", null, "abc")), false, "auth.apiKeys[0].sha256");
    rejected(
        apiKeys(new AuthConfig.ApiKey("a", null, sha256(KEY) + "0")),
        false,
        "auth.apiKeys[0].sha256");
    rejected(
        apiKeys(new AuthConfig.ApiKey("a", null, "g" + sha256(KEY).substring(1))),
        false,
        "auth.apiKeys[0].sha256");
    assertThatCode(
            () ->
                apiKeys(
                        new AuthConfig.ApiKey(
                            "a", null, sha256(KEY).toUpperCase(java.util.Locale.ROOT)))
                    .validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void twoPrincipalsCannotShareAKeyEvenWhenOneIsGivenByItsHash() {
    ConfigException e =
        rejected(
            apiKeys(key("a", KEY), new AuthConfig.ApiKey("b", null, sha256(KEY))),
            false,
            "auth.apiKeys[1]");
    assertThat(e.getMessage()).contains("auth.apiKeys[0]").doesNotContain(KEY);
  }

  @Test
  void jwtNeedsExactlyOneOfSecretAndJwksUrl() {
    rejected(jwtMode(jwt(null, null, "iss", "aud")), false, "auth.jwt");
    rejected(jwtMode(jwt(SECRET, JWKS, "iss", "aud")), false, "auth.jwt");
    assertThatCode(() -> jwtMode(jwt(SECRET, null, "iss", "aud")).validate(false))
        .doesNotThrowAnyException();
    assertThatCode(() -> jwtMode(jwt(null, JWKS, "iss", "aud")).validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void theSecretHasAtLeast32BytesAndIsNeverQuoted() {
    String short31 = SECRET.substring(1);
    ConfigException e = rejected(jwtMode(hs256(short31)), false, "auth.jwt.hs256Secret");
    assertThat(e.getMessage()).doesNotContain(short31);
    // Bytes count, not characters: 16 two-byte characters are 32 bytes.
    assertThatCode(() -> jwtMode(hs256("é".repeat(16))).validate(false)).doesNotThrowAnyException();
  }

  @Test
  void theJwksUrlIsAnAbsoluteHttpsUrlOrLoopbackHttp() {
    for (String bad :
        List.of(
            "http://id.example.com/jwks.json",
            "http://10.0.0.1/jwks.json",
            "ftp://id.example.com/jwks.json",
            "/jwks.json",
            "https:///jwks.json",
            "https://user:pass@id.example.com/jwks.json",
            "https://id.example.com/jwks.json#keys")) {
      rejected(jwtMode(jwt(null, URI.create(bad), "iss", "aud")), false, "auth.jwt.jwksUrl");
    }
    for (String good :
        List.of(
            "http://127.0.0.1:8081/jwks.json",
            "http://localhost/jwks.json",
            "http://[::1]:9000/jwks.json",
            "https://id.example.com/jwks.json?tenant=a")) {
      assertThatCode(() -> jwtMode(jwt(null, URI.create(good), "iss", "aud")).validate(false))
          .as(good)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void issuerAndAudienceAreRequired() {
    rejected(jwtMode(jwt(SECRET, null, null, "aud")), false, "auth.jwt.issuer");
    rejected(jwtMode(jwt(SECRET, null, " ", "aud")), false, "auth.jwt.issuer");
    rejected(jwtMode(jwt(SECRET, null, "iss", null)), false, "auth.jwt.audience");
    rejected(jwtMode(jwt(SECRET, null, "iss", "")), false, "auth.jwt.audience");
  }

  @Test
  void clockSkewIsZeroToFiveMinutes() {
    rejected(
        jwtMode(timing(Duration.ofSeconds(-1), null, null, null)), false, "auth.jwt.clockSkew");
    rejected(
        jwtMode(timing(Duration.ofMinutes(5).plusSeconds(1), null, null, null)),
        false,
        "auth.jwt.clockSkew");
    assertThatCode(() -> jwtMode(timing(Duration.ZERO, null, null, null)).validate(false))
        .doesNotThrowAnyException();
    assertThatCode(() -> jwtMode(timing(Duration.ofMinutes(5), null, null, null)).validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void jwksTimingsArePositiveAndConsistent() {
    rejected(jwtMode(timing(null, Duration.ZERO, null, null)), false, "auth.jwt.jwksCacheTtl");
    rejected(
        jwtMode(timing(null, null, Duration.ZERO, null)), false, "auth.jwt.jwksRefreshTimeout");
    rejected(
        jwtMode(timing(null, null, Duration.ofSeconds(31), null)),
        false,
        "auth.jwt.jwksRefreshTimeout");
    rejected(
        jwtMode(timing(null, null, null, Duration.ofMillis(-1))),
        false,
        "auth.jwt.jwksMinRefetchInterval");
    rejected(
        jwtMode(timing(null, Duration.ofSeconds(30), null, Duration.ofSeconds(30))),
        false,
        "auth.jwt.jwksMinRefetchInterval");
    assertThatCode(
            () ->
                jwtMode(
                        timing(
                            null,
                            Duration.ofSeconds(31),
                            Duration.ofMillis(1),
                            Duration.ofSeconds(30)))
                    .validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void algorithmsMustFitTheKindOfKey() {
    rejected(jwtMode(algorithms(SECRET, null, List.of())), false, "auth.jwt.algorithms");
    rejected(
        jwtMode(algorithms(SECRET, null, Arrays.asList("HS256", null))),
        false,
        "auth.jwt.algorithms");
    for (String notWithSecret : List.of("RS256", "ES256", "none", "hs256")) {
      rejected(
          jwtMode(algorithms(SECRET, null, List.of(notWithSecret))), false, "auth.jwt.algorithms");
    }
    for (String notWithJwks : List.of("HS256", "HS512", "none", "EdDSA", "rs256")) {
      ConfigException e =
          rejected(
              jwtMode(algorithms(null, JWKS, List.of("RS256", notWithJwks))),
              false,
              "auth.jwt.algorithms");
      assertThat(e.getMessage()).contains(notWithJwks);
    }
    assertThatCode(
            () -> jwtMode(algorithms(null, JWKS, AuthConfig.Jwt.JWKS_ALGORITHMS)).validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void longerHmacAlgorithmsNeedLongerSecrets() {
    rejected(jwtMode(algorithms(SECRET, null, List.of("HS384"))), false, "auth.jwt.hs256Secret");
    String bytes48 = SECRET + SECRET.substring(16);
    assertThatCode(() -> jwtMode(algorithms(bytes48, null, List.of("HS384"))).validate(false))
        .doesNotThrowAnyException();
    rejected(
        jwtMode(algorithms(bytes48, null, List.of("HS256", "HS512"))),
        false,
        "auth.jwt.hs256Secret");
    assertThatCode(
            () ->
                jwtMode(algorithms(SECRET + SECRET, null, List.of("HS256", "HS384", "HS512")))
                    .validate(false))
        .doesNotThrowAnyException();
  }

  @Test
  void modeNamesAreTheYamlSpellings() {
    assertThat(AuthConfig.Mode.of("api-key")).isEqualTo(AuthConfig.Mode.API_KEY);
    assertThat(AuthConfig.Mode.of(" JWT ")).isEqualTo(AuthConfig.Mode.JWT);
    assertThat(AuthConfig.Mode.API_KEY.value()).isEqualTo("api-key");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> AuthConfig.Mode.of("basic"));
    assertThat(e.setting()).isEqualTo("auth.mode");
    assertThat(e.getMessage()).contains("none, api-key or jwt");
  }

  @Test
  void toStringShowsNoKeyHashOrSecret() {
    String hash = sha256("k_fedcba9876543210");
    AuthConfig config =
        new AuthConfig(
            AuthConfig.Mode.API_KEY,
            null,
            List.of(key("alice", KEY), new AuthConfig.ApiKey("bob", null, hash)),
            hs256(SECRET));
    assertThat(config.toString()).contains("alice", "bob").doesNotContain(KEY, hash, SECRET);

    URI withCredentials = URI.create("http://user:pw@id.example.com/jwks?token=t0ken#k");
    AuthConfig.Jwt jwt = jwt(null, withCredentials, "iss", "aud");
    assertThat(jwt.toString()).contains("http://id.example.com/jwks").doesNotContain("pw", "t0ken");
    assertThat(rejected(jwtMode(jwt), false, "auth.jwt.jwksUrl").getMessage())
        .doesNotContain("pw", "t0ken");
  }

  @Test
  void bindsFromYaml() {
    String yaml =
        """
        mode: api-key
        apiKeys:
          - name: alice
            key: k_0123456789abcdef
          - name: bob
            sha256: %s
        jwt:
          clockSkew: PT30S
          algorithms: [RS256]
        """
            .formatted(sha256("k_fedcba9876543210"));
    AuthConfig config = new YAMLMapper().readValue(yaml, AuthConfig.class);
    assertThat(config.mode()).isEqualTo(AuthConfig.Mode.API_KEY);
    assertThat(config.apiKeys())
        .extracting(AuthConfig.ApiKey::name)
        .containsExactly("alice", "bob");
    assertThat(config.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.jwt().jwksCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.allowUnauthenticatedWithRealRunway()).isFalse();

    AuthConfig empty =
        new YAMLMapper()
            .readValue("mode: jwt\njwt:\n  jwksUrl: https://id.example.com/k\n", AuthConfig.class);
    assertThat(empty.mode()).isEqualTo(AuthConfig.Mode.JWT);
    assertThat(empty.jwt().jwksUrl()).isEqualTo(URI.create("https://id.example.com/k"));
  }

  @Test
  void anUnknownModeInYamlIsRefusedWithTheAllowedValues() {
    Throwable e =
        catchThrowableOfType(
            RuntimeException.class,
            () -> new YAMLMapper().readValue("mode: basic\n", AuthConfig.class));
    assertThat(e).hasMessageContaining("auth.mode: must be none, api-key or jwt, was 'basic'");
  }

  private static ConfigException rejected(AuthConfig config, boolean simulated, String setting) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> config.validate(simulated));
    assertThat(e).as("expected a ConfigException for %s", setting).isNotNull();
    assertThat(e.setting()).isEqualTo(setting);
    return e;
  }

  private static AuthConfig.ApiKey key(String name, String key) {
    return new AuthConfig.ApiKey(name, key, null);
  }

  private static AuthConfig apiKeys(AuthConfig.ApiKey... keys) {
    return new AuthConfig(AuthConfig.Mode.API_KEY, null, List.of(keys), null);
  }

  private static AuthConfig jwtMode(AuthConfig.Jwt jwt) {
    return new AuthConfig(AuthConfig.Mode.JWT, null, null, jwt);
  }

  private static AuthConfig.Jwt jwt(String secret, URI jwksUrl, String issuer, String audience) {
    return new AuthConfig.Jwt(secret, jwksUrl, issuer, audience, null, null, null, null, null);
  }

  private static AuthConfig.Jwt hs256(String secret) {
    return jwt(secret, null, "iss", "aud");
  }

  private static AuthConfig.Jwt timing(
      Duration skew, Duration ttl, Duration timeout, Duration interval) {
    return new AuthConfig.Jwt(null, JWKS, "iss", "aud", skew, ttl, timeout, interval, null);
  }

  private static AuthConfig.Jwt algorithms(String secret, URI jwksUrl, List<String> algorithms) {
    return new AuthConfig.Jwt(secret, jwksUrl, "iss", "aud", null, null, null, null, algorithms);
  }

  private static String sha256(String key) {
    return HexFormat.of().formatHex(Digests.sha256(key));
  }
}
