package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.internal.observability.LogCapture;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The demo page as the gateway serves it, over real HTTP: its files from the classpath, its
 * settings, the redirects, its headers, and that it is on by default only with the simulator. The
 * page here is a fixture of the test resources ({@code demo-fixture/}), so that these tests never
 * depend on whether the web build ran; the browser tests run the real page.
 */
class DemoEndToEndTest {
  private static final String FIXTURE = "demo-fixture";
  private static final String ASSET = "/demo/assets/app-abc123.js";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";

  private GatewayHarness gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private GatewayHarness start(String yaml, Map<String, String> environment) {
    gateway = GatewayHarness.startServingDemoFrom(FIXTURE, yaml, environment);
    return gateway;
  }

  @Test
  void withTheSimulatorThePageIsServedByDefault() {
    start("", Map.of());

    GatewayHarness.Response page = gateway.get("/demo/");

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("demo fixture");
    assertThat(page.header("Cache-Control")).isEqualTo("no-store");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    GatewayHarness.Response index = gateway.get("/demo/index.html");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.body()).isEqualTo(page.body());
    GatewayHarness.Response head = gateway.request("HEAD", "/demo/");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Type")).startsWith("text/html");
    assertThat(head.body()).isEmpty();
  }

  @Test
  void theFolderWithoutItsSlashAndTheRootRedirectToThePage() {
    start("", Map.of());

    GatewayHarness.Response folder = gateway.get("/demo");
    GatewayHarness.Response root = gateway.get("/");
    GatewayHarness.Response rootHead = gateway.request("HEAD", "/");

    assertThat(folder.status()).isEqualTo(301);
    assertThat(folder.header("Location")).isEqualTo("/demo/");
    GatewayHarness.Response folderHead = gateway.request("HEAD", "/demo");
    assertThat(folderHead.status()).isEqualTo(301);
    assertThat(folderHead.header("Location")).isEqualTo("/demo/");
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.header("Location")).isEqualTo("/demo/");
    assertThat(rootHead.status()).isEqualTo(302);
    assertThat(rootHead.header("Location")).isEqualTo("/demo/");
  }

  @Test
  void hashedAssetsAreCachedForGoodAndEverythingElseIsNot() {
    start("", Map.of());

    GatewayHarness.Response asset = gateway.get(ASSET);
    GatewayHarness.Response missingAsset = gateway.get("/demo/assets/app-000000.js");

    assertThat(asset.status()).isEqualTo(200);
    assertThat(asset.header("Content-Type")).contains("javascript");
    assertThat(asset.body()).contains("demo fixture loaded");
    assertThat(asset.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    // A file that is not there must not be cached: the next build may bring it.
    assertThat(missingAsset.status()).isEqualTo(404);
    assertThat(missingAsset.header("Cache-Control")).isEqualTo("no-store");
    assertThat(gateway.get("/demo/config.json").header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void anUnknownFileIsAJsonNotFoundAndOnlyReadsReachFiles() {
    start("", Map.of());

    GatewayHarness.Response unknown = gateway.get("/demo/nothing-here.html");
    GatewayHarness.Response posted =
        gateway.postJson("/demo/index.html", "{}", "Origin", gateway.baseUrl().toString());

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Content-Type")).startsWith("application/json");
    assertThat(unknown.code()).isEqualTo("not_found");
    assertThat(posted.status()).isEqualTo(404);
    assertThat(posted.code()).isEqualTo("not_found");
    assertThat(gateway.request("DELETE", "/demo/").status()).isEqualTo(404);
    // POST / is a known path with another method.
    GatewayHarness.Response postRoot = gateway.postJson("/", "{}");
    assertThat(postRoot.status()).isEqualTo(405);
    assertThat(postRoot.header("Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void aPathOutOfTheFolderReachesNothingElseOnTheClasspath() {
    start("", Map.of());

    for (String path :
        List.of(
            "/demo/../openapi.json",
            "/demo/%2e%2e/openapi.json",
            "/demo/..%2fopenapi.json",
            "/demo/assets/../../logback.xml",
            "/demo/%2e%2e/logback.xml")) {
      try (RawHttp http = RawHttp.connect(gateway)) {
        RawHttp.Answer answer =
            http.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .read();

        assertThat(answer.status()).as(path).isIn(400, 404);
        assertThat(answer.body()).as(path).doesNotContain("openapi", "<configuration");
      }
    }
  }

  @Test
  void thePagesSettingsNameThePathsTheAuthenticationAndTheUpstream() {
    start("server:\n  credentialsPath: /avatar/creds\n  sessionKeyPath: /avatar/key\n", Map.of());

    GatewayHarness.Response answer = gateway.get("/demo/config.json");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    JsonNode config = answer.json();
    assertThat(config.propertyNames()).containsExactly("simulated", "auth", "paths");
    assertThat(config.get("simulated").asBoolean()).isTrue();
    assertThat(config.get("auth").asString()).isEqualTo("none");
    JsonNode paths = config.get("paths");
    assertThat(paths.propertyNames())
        .containsExactly("connect", "credentials", "sessionKey", "sessions", "presets");
    assertThat(paths.get("connect").asString()).isEqualTo("/api/avatar/connect");
    assertThat(paths.get("credentials").asString()).isEqualTo("/avatar/creds");
    assertThat(paths.get("sessionKey").asString()).isEqualTo("/avatar/key");
    assertThat(paths.get("sessions").asString()).isEqualTo("/api/avatar/sessions");
    assertThat(paths.get("presets").asString()).isEqualTo("/api/avatar/presets");
    // The paths it names are the ones that answer.
    assertThat(gateway.postJson("/avatar/key", CAT).json().has("sessionKey")).isTrue();
    assertThat(gateway.postJson("/avatar/creds", CAT).json().has("token")).isTrue();
    assertThat(gateway.get("/api/avatar/presets").status()).isEqualTo(200);
  }

  @Test
  void thePageGetsAPageCspAndTheApiKeepsItsOwn() {
    start("", Map.of());
    String simulator = gateway.simulator().baseUrl().toString().replaceAll("/+$", "");

    for (String path : List.of("/demo/", ASSET, "/demo/config.json", "/demo/nothing")) {
      GatewayHarness.Response answer = gateway.get(path);
      String csp = answer.header("Content-Security-Policy");

      assertThat(csp).as(path).contains("script-src 'self'", "frame-ancestors 'none'");
      assertThat(csp).as(path).contains("connect-src 'self' " + simulator + " https: wss:");
      assertThat(csp).as(path).contains("media-src 'self' blob: mediastream:");
      assertThat(csp).as(path).doesNotContain("unsafe-eval").doesNotContain("default-src 'none'");
      assertThat(answer.header("Permissions-Policy"))
          .as(path)
          .isEqualTo("camera=(self), microphone=(self)");
      assertThat(answer.header("X-Frame-Options")).as(path).isEqualTo("DENY");
    }
    for (String path : List.of("/api/avatar/presets", "/healthz", "/nothing")) {
      GatewayHarness.Response answer = gateway.get(path);

      assertThat(answer.header("Content-Security-Policy"))
          .as(path)
          .isEqualTo("default-src 'none'; frame-ancestors 'none'");
      assertThat(answer.header("Permissions-Policy")).as(path).isNull();
    }
  }

  @Test
  void thePagesOwnPostsAreSameOriginAndGoThrough() {
    start("", Map.of());
    String self = "http://127.0.0.1:" + gateway.app().port();

    GatewayHarness.Response credentials =
        gateway.postJson("/api/avatar/credentials", CAT, "Origin", self);
    GatewayHarness.Response key = gateway.postJson("/api/avatar/session-key", CAT, "Origin", self);
    GatewayHarness.Response foreign =
        gateway.postJson("/api/avatar/credentials", CAT, "Origin", "https://evil.example");

    assertThat(credentials.status()).as(credentials.body()).isEqualTo(200);
    assertThat(key.status()).as(key.body()).isEqualTo(200);
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.code()).isEqualTo("origin_not_allowed");
  }

  @Test
  void offEverythingOfThePageIsNotFound() {
    start("", Map.of("GATEWAY_DEMO", "false"));

    for (String path : List.of("/", "/demo", "/demo/", ASSET, "/demo/config.json")) {
      GatewayHarness.Response answer = gateway.get(path);

      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.code()).as(path).isEqualTo("not_found");
      assertThat(answer.header("Content-Security-Policy"))
          .as(path)
          .isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }
  }

  @Test
  void withARunwaySecretItIsOffUnlessAskedForAndThenTellsThePageSo() {
    try (RunwaySimulator runway =
        RunwaySimulator.start(
            SimulatorConfig.builder()
                .readyAfter(DelayDistribution.fixed(Duration.ofMillis(100)))
                .build())) {
      Map<String, String> secret =
          Map.of(
              ConfigLoader.SECRET_ENV,
              SimulatorConfig.DEFAULT_API_KEY,
              "RUNWAYML_BASE_URL",
              runway.baseUrl().toString());
      String apiKeys =
          "auth:\n  mode: api-key\n  apiKeys:\n    - {name: alice, key: "
              + TestIdentityProvider.randomSecret("gw_", 24)
              + "}\n";
      try (GatewayHarness off = GatewayHarness.startServingDemoFrom(FIXTURE, apiKeys, secret)) {
        assertThat(off.get("/demo/").status()).isEqualTo(404);
        assertThat(off.get("/").status()).isEqualTo(404);
      }
      try (GatewayHarness on =
          GatewayHarness.startServingDemoFrom(
              FIXTURE, apiKeys + "demo:\n  enabled: true\n", secret)) {
        JsonNode config = on.get("/demo/config.json").json();

        assertThat(on.get("/demo/").status()).isEqualTo(200);
        assertThat(config.get("simulated").asBoolean()).isFalse();
        assertThat(config.get("auth").asString()).isEqualTo("api-key");
        assertThat(on.get("/demo/").header("Content-Security-Policy"))
            .contains("connect-src 'self' " + runway.baseUrl().toString().replaceAll("/+$", ""));
      }
      assertThat(runway.admin().sessions()).isEmpty();
    }
  }

  @Test
  void aPageThatWasNotBuiltIsAWarningAndA404NeverAFailedStart() {
    try (LogCapture logs = LogCapture.start()) {
      gateway = GatewayHarness.startServingDemoFrom("demo-not-built", "", Map.of());

      assertThat(gateway.get("/demo/").status()).isEqualTo(404);
      assertThat(gateway.get("/demo/").code()).isEqualTo("not_found");
      assertThat(gateway.get("/").status()).isEqualTo(404);
      assertThat(gateway.get("/healthz").status()).isEqualTo(200);
      assertThat(logs.events())
          .filteredOn(e -> e.path("message").asString().startsWith("Demo page not built"))
          .singleElement()
          .satisfies(e -> assertThat(e.path("level").asString()).isEqualTo("WARN"));
      assertThat(logs.events())
          .noneMatch(e -> e.path("message").asString().startsWith("Demo page: "));
    }
  }

  @Test
  void theLoggedAddressIsOneABrowserCanOpen() {
    assertThat(GatewayApp.displayHost("0.0.0.0")).isEqualTo("localhost");
    assertThat(GatewayApp.displayHost("::")).isEqualTo("localhost");
    assertThat(GatewayApp.displayHost("::1")).isEqualTo("[::1]");
    assertThat(GatewayApp.displayHost("gateway.internal")).isEqualTo("gateway.internal");
  }

  @Test
  void theStartUpLogSaysWhereThePageIs() {
    try (LogCapture logs = LogCapture.start()) {
      gateway = GatewayHarness.startServingDemoFrom(FIXTURE, "", Map.of());

      assertThat(logs.events())
          .extracting(e -> e.path("message").asString())
          .contains("Demo page: http://127.0.0.1:" + gateway.app().port() + "/demo/");
    }
  }
}
