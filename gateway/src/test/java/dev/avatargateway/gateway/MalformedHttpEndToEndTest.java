package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.internal.observability.LogCapture;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What Jetty refuses before any route sees the request, sent as raw bytes no HTTP client would
 * send: each answer is the gateway's JSON error with a stable code and the security headers, not
 * Jetty's HTML page, and is logged without a stack trace.
 */
class MalformedHttpEndToEndTest {
  /** Twice Jetty's default limit of 8 KiB for the request line and headers together. */
  private static final int OVERSIZED = 16 * 1024;

  private static GatewayHarness gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayHarness.start(ConnectEndToEndTest.FAST);
  }

  @AfterAll
  static void stop() {
    gateway.closeAssertingNothingLeaked();
  }

  @Test
  void headersTooLargeAre431() {
    RawHttp.Answer answer =
        exchange(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "a".repeat(OVERSIZED)
                + "\r\n\r\n");

    assertThat(answer.status()).isEqualTo(431);
    assertIsTheGatewaysJsonError(answer, "headers_too_large");
  }

  @Test
  void aUriTooLongIs414() {
    RawHttp.Answer answer =
        exchange("GET /" + "a".repeat(OVERSIZED) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

    assertThat(answer.status()).isEqualTo(414);
    assertIsTheGatewaysJsonError(answer, "uri_too_long");
  }

  @Test
  void aMalformedRequestLineIs400() {
    RawHttp.Answer answer = exchange("GET\u0001/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

    assertThat(answer.status()).isEqualTo(400);
    assertIsTheGatewaysJsonError(answer, "bad_request");
  }

  @Test
  void aMalformedHeaderIs400() {
    RawHttp.Answer answer =
        exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n");

    assertThat(answer.status()).isEqualTo(400);
    assertIsTheGatewaysJsonError(answer, "bad_request");
  }

  @Test
  void anUnknownHttpVersionIs505() {
    RawHttp.Answer answer = exchange("GET /healthz HTTP/1.7\r\nHost: 127.0.0.1\r\n\r\n");

    assertThat(answer.status()).isEqualTo(505);
    assertIsTheGatewaysJsonError(answer, "http_version_not_supported");
  }

  @Test
  void theRefusalIsLoggedWithoutAStackTrace() {
    try (LogCapture logs = LogCapture.start()) {
      exchange("GET /healthz HTTP/1.7\r\nHost: 127.0.0.1\r\n\r\n");

      List<JsonNode> events = logs.events();
      assertThat(events).as(logs.text()).hasSize(1);
      assertThat(events.getFirst().get("level").asString()).isEqualTo("INFO");
      assertThat(events.getFirst().has("stack_trace")).isFalse();
      assertThat(events.getFirst().get("message").asString())
          .contains("505", "http_version_not_supported");
    }
  }

  private static RawHttp.Answer exchange(String request) {
    try (RawHttp http = RawHttp.connect(gateway)) {
      return http.send(request).read();
    }
  }

  private static void assertIsTheGatewaysJsonError(RawHttp.Answer answer, String code) {
    assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/json");
    JsonNode body = answer.json();
    assertThat(body.propertyNames()).containsExactly("error", "code", "requestId");
    assertThat(body.get("code").asString()).isEqualTo(code);
    assertThat(body.get("error").asString()).isNotBlank();
    assertThat(body.get("requestId").asString())
        .isNotBlank()
        .isEqualTo(answer.header("X-Request-Id"));
    assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
    assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(answer.header("Content-Security-Policy")).contains("default-src 'none'");
    assertThat(answer.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(answer.header("Strict-Transport-Security")).startsWith("max-age=");
  }
}
