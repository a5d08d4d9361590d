package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No other web site can start a paid session, over real HTTP against a real gateway with a default
 * avatar configured (so that even an empty body starts one): a state-changing request that carries
 * an {@code Origin} other than an allowed one or the gateway's own is 403 {@code
 * origin_not_allowed} before any work, and a connect sent as a form or as {@code text/plain} (what
 * a page can send without a preflight) is 415 even when its body is empty. Each refusal is checked
 * against the simulator: no upstream session was created.
 */
class CrossSiteEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String ALLOWED = "https://app.example.com";
  private static final String EVIL = "https://evil.example.net";

  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  private void start() {
    gateway =
        GatewayHarness.start(
            ConnectEndToEndTest.FAST
                + "avatars:\n  defaultAvatar: tennis-coach\n"
                + ("cors:\n  allowedOrigins: [" + ALLOWED + "]\n"));
  }

  @Test
  void aPostFromAnotherOriginIsRefusedAndStartsNothing() {
    start();

    for (String origin : new String[] {EVIL, "null", "http://127.0.0.1", ALLOWED + ".evil.net"}) {
      GatewayHarness.Response refused = post(CONNECT, "application/json", "", "Origin", origin);

      assertThat(refused.status()).as(origin).isEqualTo(403);
      assertThat(refused.header("Content-Type")).startsWith("application/json");
      assertThat(refused.code()).isEqualTo("origin_not_allowed");
      assertThat(refused.json().get("requestId").asString())
          .isEqualTo(refused.header("X-Request-Id"));
      // No CORS headers for it: the page cannot even read the refusal.
      assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
    }
    // With a body, and on the connect alias, the same.
    assertThat(
            post(
                    "/api/avatar/session",
                    "application/json",
                    "{\"avatarId\":\"cat-character\"}",
                    "Origin",
                    EVIL)
                .code())
        .isEqualTo("origin_not_allowed");
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void theRefusalComesBeforeTheBodyIsRead() {
    start();

    try (RawHttp http = RawHttp.connect(gateway)) {
      // 100 bytes announced, 12 sent, and the client keeps the connection open: reading the body
      // would wait for server.bodyReadTimeout and answer 408; the refusal answers at once.
      RawHttp.Answer answer =
          http.send(
                  "POST "
                      + CONNECT
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + ("Origin: " + EVIL + "\r\n")
                      + "Content-Length: 100\r\n\r\n{\"avatarId\":")
              .read();

      assertThat(answer.status()).isEqualTo(403);
      assertThat(answer.code()).isEqualTo("origin_not_allowed");
    }
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void otherStateChangingMethodsAreRefusedTooAndReadsAreNot() {
    start();

    for (String method : new String[] {"PUT", "PATCH", "DELETE"}) {
      try (RawHttp http = RawHttp.connect(gateway)) {
        RawHttp.Answer refused =
            http.send(
                    method
                        + " "
                        + CONNECT
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + ("Origin: " + EVIL + "\r\n\r\n"))
                .read();
        assertThat(refused.status()).as(method).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("origin_not_allowed");
      }
    }
    GatewayHarness.Response read =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUrl().resolve("/api/avatar/presets"))
                .header("Origin", EVIL)
                .GET()
                .build());
    assertThat(read.status()).isEqualTo(200);
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void anAllowedOriginTheGatewaysOwnAndNoOriginAreCarriedOut() {
    start();
    String own = "http://127.0.0.1:" + gateway.app().port();

    GatewayHarness.Response allowed = post(CONNECT, "application/json", "", "Origin", ALLOWED);
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);

    // Same origin: the page was served by this gateway (the JDK client sends Host 127.0.0.1:port).
    GatewayHarness.Response sameOrigin = post(CONNECT, "application/json", "", "Origin", own);
    assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(200);
    // Hosts compare without case.
    assertThat(post(CONNECT, "application/json", "", "Origin", own.toUpperCase()).status())
        .isEqualTo(200);

    // curl, a server: no Origin at all.
    assertThat(post(CONNECT, "application/json", "").status()).isEqualTo(200);
    assertThat(
            gateway
                .send(
                    HttpRequest.newBuilder(gateway.baseUrl().resolve(CONNECT))
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build())
                .status())
        .as("an empty body without Content-Type asks for the default avatar")
        .isEqualTo(200);

    assertThat(gateway.upstream().sessions())
        .hasSize(5)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo("RUNNING"));
  }

  @Test
  void theSameOriginCheckComparesPortAndSchemeToo() {
    start();
    int port = gateway.app().port();

    for (String origin :
        new String[] {
          "http://127.0.0.1:" + (port == 65_535 ? port - 1 : port + 1),
          "https://127.0.0.1:" + port,
          "http://localhost:" + port,
          "http://127.0.0.1:" + port + "/page"
        }) {
      assertThat(post(CONNECT, "application/json", "", "Origin", origin).code())
          .as(origin)
          .isEqualTo("origin_not_allowed");
    }
    assertThat(gateway.upstream().sessions()).isEmpty();
  }

  @Test
  void formAndTextBodiesAreRefusedEvenWhenEmpty() {
    start();

    for (String type :
        new String[] {
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=----x",
          "text/plain",
          "text/plain;charset=UTF-8",
          "TEXT/PLAIN"
        }) {
      GatewayHarness.Response refused = post(CONNECT, type, "");

      assertThat(refused.status()).as(type).isEqualTo(415);
      assertThat(refused.code()).isEqualTo("unsupported_media_type");
    }
    // A form that names an avatar is refused as before.
    assertThat(post(CONNECT, "application/x-www-form-urlencoded", "avatarId=cat-character").code())
        .isEqualTo("unsupported_media_type");
    assertThat(gateway.upstream().sessions()).isEmpty();

    // JSON, with or without a parameter, still asks for the default avatar when empty.
    assertThat(post(CONNECT, "application/json; charset=utf-8", "").status()).isEqualTo(200);
    assertThat(gateway.upstream().sessions()).hasSize(1);
  }

  private GatewayHarness.Response post(
      String path, String contentType, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.baseUrl().resolve(URI.create(path)))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return gateway.send(request.build());
  }
}
