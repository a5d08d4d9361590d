package dev.avatargateway.spring.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.JsonAnswers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * What the filter decides from the servlet request alone: the cases a real server does not make
 * easy to send (an IPv6 {@code Host}), and the check turned off. The rest is CrossSiteOverHttpTest.
 */
class GatewayRequestFilterTest {
  private static final String EVIL = "https://evil.example.net";

  @Test
  void withTheCheckOffACrossSitePostPassesAndKeepsItsRequestId() throws Exception {
    GatewayRequestFilter filter = filter(false);
    MockHttpServletRequest request = post(EVIL);
    request.addHeader("X-Request-Id", "req-off");
    MockHttpServletResponse response = new MockHttpServletResponse();
    MockFilterChain chain = new MockFilterChain();

    filter.doFilter(request, response, chain);

    assertThat(chain.getRequest()).as("passed on").isSameAs(request);
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("req-off");
    assertThat(request.getAttribute(GatewayRequestFilter.REQUEST_ID_ATTRIBUTE))
        .isEqualTo("req-off");
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void withTheCheckOnTheSamePostIsAnsweredHereAndGoesNoFurther() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    MockFilterChain chain = new MockFilterChain();

    filter(true).doFilter(post(EVIL), response, chain);

    assertThat(chain.getRequest()).as("not passed on").isNull();
    assertThat(response.getStatus()).isEqualTo(403);
    assertThat(response.getContentAsString()).contains("\"code\":\"origin_not_allowed\"");
  }

  @Test
  void anIpv6ServerNameIsComparedInItsBrackets() throws Exception {
    for (String serverName : new String[] {"::1", "[::1]"}) {
      MockHttpServletRequest request = post("http://[::1]:8080");
      request.setServerName(serverName);
      request.setServerPort(8080);
      MockFilterChain chain = new MockFilterChain();

      filter(true).doFilter(request, new MockHttpServletResponse(), chain);

      assertThat(chain.getRequest()).as(serverName).isSameAs(request);
    }
  }

  private static GatewayRequestFilter filter(boolean originCheck) {
    return new GatewayRequestFilter(
        originCheck,
        List.of("https://app.example.com"),
        Duration.ofMinutes(10),
        false,
        new JsonAnswers("/api/avatar/sessions"));
  }

  private static MockHttpServletRequest post(String origin) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/avatar/connect");
    request.addHeader("Origin", origin);
    return request;
  }
}
