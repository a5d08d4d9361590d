package dev.avatargateway.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.util.List;
import org.junit.jupiter.api.Test;

class OriginGuardTest {
  private final OriginGuard guard = new OriginGuard(List.of("https://app.example.com"));

  @Test
  void theGatewaysOwnOriginIsItsSchemeHostAndPortWithDefaultsFilledIn() {
    assertThat(OriginGuard.sameOrigin("http://gw.example.com", "http", "gw.example.com")).isTrue();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com", "http", "gw.example.com:80"))
        .isTrue();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com:80", "http", "GW.example.com"))
        .isTrue();
    assertThat(OriginGuard.sameOrigin("http://[::1]:8080", "http", "[::1]:8080")).isTrue();

    // Behind a TLS proxy the gateway sees http: the page's https origin is not its own.
    assertThat(OriginGuard.sameOrigin("https://gw.example.com", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com:8080", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com", "http", null)).isFalse();
    assertThat(OriginGuard.sameOrigin("null", "http", "null")).isFalse();
    assertThat(OriginGuard.sameOrigin("http://a@gw.example.com", "http", "a@gw.example.com"))
        .isFalse();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com/", "http", "gw.example.com"))
        .isFalse();
    assertThat(OriginGuard.sameOrigin("http://gw.example.com", "http", "gw.example.com/x"))
        .isFalse();
  }

  @Test
  void onlyStateChangingRequestsWithAnOriginAreChecked() {
    for (String method : List.of("GET", "HEAD", "OPTIONS")) {
      assertThatCode(() -> guard.check(method, "https://evil.example.net", "http", "gw"))
          .doesNotThrowAnyException();
    }
    assertThatCode(() -> guard.check("POST", null, "http", "gw")).doesNotThrowAnyException();
    assertThatCode(() -> guard.check("post", "https://app.example.com", "http", "gw"))
        .doesNotThrowAnyException();
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "delete")) {
      assertThatThrownBy(() -> guard.check(method, "https://evil.example.net", "http", "gw"))
          .isInstanceOfSatisfying(
              GatewayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.ORIGIN_NOT_ALLOWED));
    }
    // Allowed origins are exact: another case or a trailing slash is another origin.
    assertThatThrownBy(() -> guard.check("POST", "https://APP.example.com/", "http", "gw"))
        .isInstanceOf(GatewayException.class);
  }
}
