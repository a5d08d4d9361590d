package dev.avatargateway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The origin rule every adapter applies before any work (docs/configuration.md, cors). */
class OriginPolicyTest {
  private final OriginPolicy policy =
      new OriginPolicy(List.of("https://app.example.com"), "cors.allowedOrigins");

  @Test
  void theServersOwnOriginIsItsSchemeHostAndPortWithDefaultsFilledIn() {
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com", "http", "gw.example.com")).isTrue();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com", "http", "gw.example.com:80"))
        .isTrue();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com:80", "http", "GW.example.com"))
        .isTrue();
    assertThat(OriginPolicy.sameOrigin("http://[::1]:8080", "http", "[::1]:8080")).isTrue();

    // Behind a TLS proxy the server sees http: the page's https origin is not its own.
    assertThat(OriginPolicy.sameOrigin("https://gw.example.com", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com:8080", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com", "http", null)).isFalse();
    assertThat(OriginPolicy.sameOrigin(null, "http", "gw.example.com")).isFalse();
    assertThat(OriginPolicy.sameOrigin("null", "http", "null")).isFalse();
    assertThat(OriginPolicy.sameOrigin("http://a@gw.example.com", "http", "a@gw.example.com"))
        .isFalse();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com/", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginPolicy.sameOrigin("http://gw.example.com", "http", "gw.example.com/x"))
        .isFalse();
  }

  @Test
  void onlyStateChangingRequestsWithAnOriginAreChecked() {
    for (String method : List.of("GET", "HEAD", "OPTIONS")) {
      assertThatCode(() -> policy.check(method, "https://evil.example.net", "http", "gw"))
          .doesNotThrowAnyException();
    }
    assertThatCode(() -> policy.check("POST", null, "http", "gw")).doesNotThrowAnyException();
    assertThatCode(() -> policy.check("post", "https://app.example.com", "http", "gw"))
        .doesNotThrowAnyException();
    assertThatCode(() -> policy.check("POST", "http://gw:8080", "http", "gw:8080"))
        .doesNotThrowAnyException();
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "delete")) {
      assertThatThrownBy(() -> policy.check(method, "https://evil.example.net", "http", "gw"))
          .isInstanceOfSatisfying(
              GatewayException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.ORIGIN_NOT_ALLOWED);
                assertThat(e.getMessage()).contains("cors.allowedOrigins");
              });
    }
    // Allowed origins are exact: another case or a trailing slash is another origin.
    assertThatThrownBy(() -> policy.check("POST", "https://APP.example.com/", "http", "gw"))
        .isInstanceOf(GatewayException.class);
    assertThatThrownBy(() -> policy.check("POST", "null", "http", "gw"))
        .isInstanceOf(GatewayException.class);
  }

  @Test
  void onlyListedOriginsGetCorsAndTheirPreflightsAnswered() {
    assertThat(policy.allows("https://app.example.com")).isTrue();
    assertThat(policy.allows("https://app.example.com/")).isFalse();
    assertThat(policy.allows(null)).isFalse();
    assertThatCode(() -> policy.checkPreflight("https://app.example.com"))
        .doesNotThrowAnyException();
    for (String origin : new String[] {"https://evil.example.net", "null", null}) {
      assertThatThrownBy(() -> policy.checkPreflight(origin))
          .isInstanceOfSatisfying(
              GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    }
    // Even the server's own origin is not listed: a same-origin page needs no preflight.
    assertThat(new OriginPolicy(List.of(), "cors.allowedOrigins").allows("http://gw")).isFalse();
  }

  @Test
  void onlyBareSchemeHostPortOriginsCanBeListed() {
    assertThat(OriginPolicy.isExactOrigin("https://app.example.com")).isTrue();
    assertThat(OriginPolicy.isExactOrigin("http://localhost:5173")).isTrue();
    assertThat(OriginPolicy.isExactOrigin("http://[::1]:8080")).isTrue();
    for (String origin :
        new String[] {
          null,
          "*",
          "",
          "null",
          "app.example.com",
          "https://app.example.com/",
          "https://app.example.com/app",
          "https://app.example.com?x=1",
          "https://app.example.com#top",
          "https://user@app.example.com",
          "https://*.example.com",
          "https://app example.com"
        }) {
      assertThat(OriginPolicy.isExactOrigin(origin)).as(origin).isFalse();
    }
  }
}
