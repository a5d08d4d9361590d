package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.Durations;
import dev.avatargateway.gateway.core.RateLimitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Environment and YAML, strictly bound and checked: a wrong value names the setting. */
class ConfigLoaderTest {
  private static final String SECRET = "key_" + "c".repeat(64);

  @TempDir Path dir;

  @Test
  void nothingSetGivesTheDefaultsOnTheSimulator() {
    ConfigLoader.LoadedConfig loaded = ConfigLoader.load(Map.of());

    assertThat(loaded.simulated()).isTrue();
    assertThat(loaded.config()).isEqualTo(GatewayConfig.defaults());
    assertThat(loaded.config().server().port()).isEqualTo(8080);
    assertThat(loaded.config().server().connectPaths())
        .containsExactly("/api/avatar/connect", "/api/avatar/session");
    assertThat(loaded.config().connect().deadline()).isEqualTo(Duration.ofSeconds(30));
    assertThat(loaded.config().connect().queuedDeadline()).isEqualTo(Duration.ofSeconds(90));
    assertThat(loaded.config().avatars().allowedPresets()).hasSize(9);
  }

  @Test
  void environmentVariablesOverrideTheFile() throws IOException {
    Path file =
        write("server:\n  port: 9000\nconnect:\n  responseMode: credentials\n  deadline: 45s\n");
    Map<String, String> env = new HashMap<>();
    env.put("GATEWAY_CONFIG", file.toString());
    env.put("PORT", "9100");
    env.put("GATEWAY_RESPONSE_MODE", "session-key");
    env.put("GATEWAY_CORS_ORIGINS", "https://a.example, https://b.example");
    env.put("RUNWAYML_BASE_URL", "https://api.dev-stage.runwayml.com");
    env.put("RUNWAYML_API_SECRET", "key_" + "a".repeat(128));
    env.put("GATEWAY_AUTH_MODE", "none");
    Path withOptIn =
        write(Files.readString(file) + "auth:\n  allowUnauthenticatedWithRealRunway: true\n");
    env.put("GATEWAY_CONFIG", withOptIn.toString());

    ConfigLoader.LoadedConfig loaded = ConfigLoader.load(env);

    GatewayConfig config = loaded.config();
    assertThat(config.server().port()).isEqualTo(9100);
    assertThat(config.connect().mode()).isEqualTo(ConnectConfig.ResponseMode.SESSION_KEY);
    assertThat(config.connect().deadline()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.cors().allowedOrigins())
        .containsExactly("https://a.example", "https://b.example");
    assertThat(config.runway().baseUrl().toString())
        .isEqualTo("https://api.dev-stage.runwayml.com");
    assertThat(loaded.simulated()).isFalse();
    assertThat(loaded.toString()).doesNotContain("key_aaaa");
  }

  @Test
  void durationsTakeHumanForms() {
    assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("1500ms, 30s");
  }

  @Test
  void anUnknownSettingIsNamed() throws IOException {
    assertInvalid("connect:\n  deadlin: 30s\n", "connect.deadlin", "is not a setting");
    assertInvalid("servr:\n  port: 1\n", "servr", "is not a setting");
  }

  @Test
  void aValueOfTheWrongFormIsNamed() throws IOException {
    assertInvalid("connect:\n  deadline: soon\n", "connect.deadline", "1500ms");
    assertInvalid("connect:\n  deadline: 30\n", "connect.deadline", "need a unit");
    assertInvalid("server:\n  port: eighty\n", "server.port", "wrong type");
  }

  @Test
  void everyCheckNamesItsSetting() throws IOException {
    assertInvalid("server:\n  port: 70000\n", "server.port (PORT)", "0 to 65535");
    assertInvalid(
        "connect:\n  deadline: 60s\n  queuedDeadline: 30s\n",
        "connect.queuedDeadline",
        "not be shorter");
    assertInvalid(
        "connect:\n  responseMode: both\n",
        "connect.responseMode (GATEWAY_RESPONSE_MODE)",
        "credentials");
    assertInvalid("cors:\n  allowedOrigins: ['*']\n", "cors.allowedOrigins", "exact origins");
    assertInvalid(
        "cors:\n  allowedOrigins: [https://a.example/path]\n", "cors.allowedOrigins", "no path");
    assertInvalid("server:\n  maxBodyBytes: 1\n", "server.maxBodyBytes", "2 to 1048576");
  }

  @Test
  void theBucketOfAuthenticationFailuresBindsStrictlyAndNamesItsSettings() throws IOException {
    GatewayConfig config =
        ConfigLoader.parse(
            "rateLimit:\n  authFailuresPerClientAddress: {capacity: 5, refillTokens: 1,"
                + " refillPeriod: 10s}\n");
    assertThat(config.rateLimit().authFailuresPerClientAddress())
        .isEqualTo(new RateLimitConfig.TokenBucket(5, 1, Duration.ofSeconds(10)));
    assertThat(ConfigLoader.parse("").rateLimit().authFailuresPerClientAddress())
        .isEqualTo(RateLimitConfig.defaults().authFailuresPerClientAddress());

    assertInvalid(
        "rateLimit:\n  authFailuresPerClientAddress: {capacity: -1}\n",
        "rateLimit.authFailuresPerClientAddress.capacity",
        "at least 0");
    assertInvalid(
        "rateLimit:\n  authFailuresPerClientAddress: {capacity: 5, refillTokens: 0}\n",
        "rateLimit.authFailuresPerClientAddress.refillTokens",
        "at least 1");
    assertInvalid(
        "rateLimit:\n  authFailuresPerClientAddress: {capacity: 5, refillPeriod: 0s}\n",
        "rateLimit.authFailuresPerClientAddress.refillPeriod",
        "1ms to 365 days");
    assertInvalid(
        "rateLimit:\n  authFailuresPerClientAddress: {capacity: 5, burst: 2}\n",
        "rateLimit.authFailuresPerClientAddress.burst",
        "is not a setting");
  }

  @Test
  void theRunwaySecretIsNeverReadFromTheFile() throws IOException {
    assertInvalid("runway:\n  apiSecret: key_x\n", "runway.apiSecret", "is not a setting");
  }

  @Test
  void noAuthenticationWithARealSecretNeedsAnExplicitOptIn() {
    Map<String, String> env = Map.of("RUNWAYML_API_SECRET", "key_" + "b".repeat(32));
    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).singleElement().asString().startsWith("auth."));
  }

  @Test
  void runwayModeAutoUsesTheSimulatorExactlyWhenNoSecretIsSet() {
    assertThat(ConfigLoader.load(Map.of()).config().runway().mode())
        .isEqualTo(RunwayConfig.Mode.AUTO);
    assertThat(ConfigLoader.load(Map.of()).simulated()).isTrue();
    ConfigLoader.LoadedConfig withSecret = ConfigLoader.load(withOptIn(Map.of()));
    assertThat(withSecret.simulated()).isFalse();
    assertThat(withSecret.runwaySecret()).contains(SECRET);
  }

  @Test
  void runwayModeRealNeedsTheSecret() {
    ConfigLoader.LoadedConfig real =
        ConfigLoader.load(withOptIn(Map.of("GATEWAY_RUNWAY_MODE", "real")));
    assertThat(real.simulated()).isFalse();
    assertThat(real.runwaySecret()).contains(SECRET);

    // Without authentication, a real upstream also needs the opt-in: both are named.
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("GATEWAY_RUNWAY_MODE", "REAL")))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e ->
                assertThat(e.settings())
                    .containsExactly("runway.mode (GATEWAY_RUNWAY_MODE)", "auth.mode"))
        .hasMessageContaining("is real, which needs RUNWAYML_API_SECRET");
  }

  @Test
  void runwayModeSimulatedDropsASecretThatIsSet() throws IOException {
    Map<String, String> env =
        Map.of(
            "GATEWAY_CONFIG",
            write("runway:\n  mode: simulated\n").toString(),
            "RUNWAYML_API_SECRET",
            SECRET);

    ConfigLoader.LoadedConfig loaded = ConfigLoader.load(env);

    assertThat(loaded.simulated()).isTrue();
    assertThat(loaded.runwaySecret()).isEmpty();
    // No money at stake: no opt-in is needed for running without authentication.
    assertThat(loaded.config().auth().allowUnauthenticatedWithRealRunway()).isFalse();
  }

  @Test
  void anUnknownRunwayModeIsNamed() {
    assertInvalid(
        Map.of("GATEWAY_RUNWAY_MODE", "sometimes"),
        "runway.mode (GATEWAY_RUNWAY_MODE)",
        "auto, real or simulated");
  }

  @Test
  void theSimulatedDelayIsCheckedWhenLoaded() throws IOException {
    assertInvalid(
        "runway:\n  simulatedReadyAfter: bogus\n", "runway.simulatedReadyAfter", "'bogus'");
    assertInvalid(
        "runway:\n  simulatedReadyAfter: uniform(3s,1s)\n",
        "runway.simulatedReadyAfter",
        "max must not be less than min");
    Map<String, String> env =
        Map.of(
            "GATEWAY_CONFIG", write("runway:\n  simulatedReadyAfter: uniform(1s,3s)\n").toString());
    assertThat(ConfigLoader.load(env).config().runway().readyAfter().toString())
        .isEqualTo("uniform(1s,3s)");
  }

  @Test
  void theBodyReadTimeoutDefaultsTo10sAndMustBePositive() throws IOException {
    assertThat(ConfigLoader.load(Map.of()).config().server().bodyReadTimeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertInvalid("server:\n  bodyReadTimeout: 0s\n", "server.bodyReadTimeout", "positive");
  }

  @Test
  void connectPathsMustBeLiteral() throws IOException {
    assertInvalid("server:\n  connectPath: /api/{id}\n", "server.connectPath", "was '/api/{id}'");
    assertInvalid(
        "server:\n  connectAliases: [/ok, 'no-slash']\n",
        "server.connectAliases[1]",
        "must start with '/'");
  }

  @Test
  void theFixedModePathsHaveDefaultsAndMustBeLiteral() throws IOException {
    ServerConfig server = ServerConfig.defaults();
    assertThat(server.credentialsPath()).isEqualTo("/api/avatar/credentials");
    assertThat(server.sessionKeyPath()).isEqualTo("/api/avatar/session-key");

    assertInvalid(
        "server:\n  credentialsPath: 'api/creds'\n",
        "server.credentialsPath",
        "must start with '/'");
    assertInvalid("server:\n  sessionKeyPath: /api/*\n", "server.sessionKeyPath", "was '/api/*'");
  }

  @Test
  void noTwoEndpointsMayShareAPathAndTheClashIsNamed() throws IOException {
    assertInvalid(
        "server:\n  credentialsPath: /api/avatar/connect\n",
        "server.credentialsPath",
        "'/api/avatar/connect' is already the path of server.connectPath");
    assertInvalid(
        "server:\n  sessionKeyPath: /api/avatar/session\n",
        "server.sessionKeyPath",
        "is already the path of server.connectAliases[0]");
    assertInvalid(
        "server:\n  credentialsPath: /x\n  sessionKeyPath: /x\n",
        "server.sessionKeyPath",
        "'/x' is already the path of server.credentialsPath");
    assertInvalid(
        "server:\n  connectAliases: [/api/avatar/session-key]\n",
        "server.sessionKeyPath",
        "is already the path of server.connectAliases[0]");
    assertInvalid(
        "server:\n  connectPath: /api/avatar/sessions\n",
        "server.connectPath",
        "is already the path of the gateway's own /api/avatar/sessions");
    assertInvalid(
        "server:\n  sessionKeyPath: /demo\n",
        "server.sessionKeyPath",
        "is already the path of the gateway's own /demo");
  }

  @Test
  void theConnectEndpointMayNameOnePathTwice() throws IOException {
    // Its main path again among its aliases, or an alias twice: one endpoint, as before.
    Path file =
        write(
            "server:\n  connectPath: /api/avatar/session\n"
                + "  connectAliases: [/api/avatar/session, /a, /a]\n");

    ConfigLoader.LoadedConfig loaded = ConfigLoader.load(Map.of("GATEWAY_CONFIG", file.toString()));

    assertThat(loaded.config().server().connectPaths())
        .containsExactly("/api/avatar/session", "/a");
  }

  @Test
  void theDemoIsOnWithTheSimulatorAndOffWithASecretUnlessSet() {
    DemoConfig derived = ConfigLoader.load(Map.of()).config().demo();
    assertThat(derived.enabled()).isNull();
    assertThat(derived.enabled(true)).isTrue();
    assertThat(derived.enabled(false)).isFalse();

    assertThat(ConfigLoader.load(Map.of("GATEWAY_DEMO", "false")).config().demo().enabled(true))
        .isFalse();
    assertThat(
            ConfigLoader.load(withOptIn(Map.of("GATEWAY_DEMO", "true")))
                .config()
                .demo()
                .enabled(false))
        .isTrue();
    assertInvalid(Map.of("GATEWAY_DEMO", "sometimes"), "demo.enabled (GATEWAY_DEMO)", "wrong");
  }

  @Test
  void aWrongValueFromTheEnvironmentNamesTheVariable() {
    assertInvalid(Map.of("PORT", "eighty"), "server.port (PORT)", "wrong type");
  }

  @Test
  void everyProblemIsNamedAtOnce() throws IOException {
    Map<String, String> env =
        Map.of(
            "GATEWAY_CONFIG",
            write(
                    """
                    server:
                      port: 70000
                      maxBodyBytes: 1
                    connect:
                      deadline: soon
                    cors:
                      allowedOrigins: ['*', 'https://a.example/x']
                    servr: {}
                    """)
                .toString());

    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e ->
                assertThat(e.settings())
                    .containsExactlyInAnyOrder(
                        "server.port (PORT)",
                        "server.maxBodyBytes",
                        "connect.deadline",
                        "cors.allowedOrigins",
                        "cors.allowedOrigins",
                        "servr"))
        .hasMessageContaining("6 settings are invalid");
  }

  @Test
  void aSectionThatCannotBeBoundIsNotAlsoCheckedWithItsDefaults() throws IOException {
    // An auth section that fails to bind would otherwise be checked as the default (mode none),
    // which a real secret refuses: a second, misleading problem.
    Map<String, String> env =
        Map.of(
            "GATEWAY_CONFIG",
            write("auth:\n  mode: sometimes\n").toString(),
            "RUNWAYML_API_SECRET",
            SECRET);

    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class,
            e -> assertThat(e.settings()).containsExactly("auth.mode"));
  }

  @Test
  void theDefaultsPrintAsYamlWithHumanDurations() {
    String yaml = ConfigLoader.defaultsAsYaml();

    assertThat(yaml).contains("connectPath: \"/api/avatar/connect\"").contains("deadline: \"30s\"");
    assertThat(yaml).contains("queuedDeadline: \"90s\"").contains("acceptQueueSize: 4096");
    assertThat(ConfigLoader.parse(yaml)).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void listsOfEnvironmentVariablesAreDocumented() {
    assertThat(ConfigLoader.ENVIRONMENT.keySet())
        .containsAll(
            List.of(
                "PORT",
                "RUNWAYML_BASE_URL",
                "GATEWAY_RESPONSE_MODE",
                "GATEWAY_CORS_ORIGINS",
                "GATEWAY_DEMO"));
  }

  private void assertInvalid(String yaml, String setting, String message) throws IOException {
    assertInvalid(Map.of("GATEWAY_CONFIG", write(yaml).toString()), setting, message);
  }

  private static void assertInvalid(Map<String, String> env, String setting, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(env))
        .isInstanceOfSatisfying(
            InvalidSettingsException.class, e -> assertThat(e.settings()).containsExactly(setting))
        .hasMessageContaining(message);
  }

  /** A real secret, with the opt-in that running without authentication then needs. */
  private Map<String, String> withOptIn(Map<String, String> more) {
    Map<String, String> env = new HashMap<>(more);
    env.put("RUNWAYML_API_SECRET", SECRET);
    env.put(
        "GATEWAY_CONFIG", uncheckedWrite("auth:\n  allowUnauthenticatedWithRealRunway: true\n"));
    return env;
  }

  private String uncheckedWrite(String yaml) {
    try {
      return write(yaml).toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
