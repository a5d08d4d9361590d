package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.OriginPolicy;
import dev.avatargateway.gateway.core.RequestIds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What every request to the starter's paths gets before anything else of the application sees it,
 * Spring Security's filter chain included: its request id (request attribute, {@code X-Request-Id}
 * on the answer, the log's {@link LogFields#REQUEST_ID}), and, with the origin check on, the core's
 * {@link OriginPolicy}: a state-changing request from another site's page is 403 {@code
 * origin_not_allowed} before any work (no login filter, no controller, no upstream session), a
 * listed origin's answers carry CORS headers, and a preflight ({@code OPTIONS}) is answered here,
 * 204 for a listed origin and 403 {@code forbidden} for any other, as the gateway answers them.
 *
 * <p>The server's own origin is {@link HttpServletRequest#getScheme()}, {@link
 * HttpServletRequest#getServerName()} and {@link HttpServletRequest#getServerPort()}: the {@code
 * Host} the browser sent, or, with Spring Boot's {@code server.forward-headers-strategy}, what the
 * proxy forwarded (docs/spring-boot.md).
 */
public final class GatewayRequestFilter extends OncePerRequestFilter {
  /** The request attribute that holds the request's id, for the endpoints' answers. */
  static final String REQUEST_ID_ATTRIBUTE = "avatar-gateway.requestId";

  /** Where a refused page's operator lists its origin. */
  private static final String ORIGINS_SETTING = "avatar-gateway.web.cors.allowed-origins";

  private final OriginPolicy origins;
  private final boolean originCheck;
  private final String maxAgeSeconds;
  private final boolean allowCredentials;
  private final AnswerRenderer answers;

  /**
   * @param originCheck whether to check {@code Origin} and answer CORS; false: request ids only
   * @param allowedOrigins exact origins whose pages may call
   * @param maxAge how long browsers may cache a preflight answer
   * @param allowCredentials whether listed origins get {@code Access-Control-Allow-Credentials}
   * @param answers renders a refusal as every other error of the gateway
   */
  public GatewayRequestFilter(
      boolean originCheck,
      List<String> allowedOrigins,
      Duration maxAge,
      boolean allowCredentials,
      AnswerRenderer answers) {
    this.origins = new OriginPolicy(allowedOrigins, ORIGINS_SETTING);
    this.originCheck = originCheck;
    this.maxAgeSeconds = Long.toString(maxAge.toSeconds());
    this.allowCredentials = allowCredentials;
    this.answers = answers;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String requestId = RequestIds.accept(request.getHeader(RequestIds.HEADER));
    request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    response.setHeader(RequestIds.HEADER, requestId);
    MDC.put(LogFields.REQUEST_ID, requestId);
    try {
      if (originCheck && !admitted(request, response, requestId)) {
        return;
      }
      chain.doFilter(request, response);
    } finally {
      MDC.remove(LogFields.REQUEST_ID);
    }
  }

  /** Applies the origin rule; false when this filter answered the request itself. */
  private boolean admitted(
      HttpServletRequest request, HttpServletResponse response, String requestId)
      throws IOException {
    String origin = request.getHeader("Origin");
    if (origins.allows(origin)) {
      response.setHeader("Access-Control-Allow-Origin", origin);
      response.setHeader("Access-Control-Expose-Headers", OriginPolicy.EXPOSED_HEADERS);
      if (allowCredentials) {
        response.setHeader("Access-Control-Allow-Credentials", "true");
      }
      response.addHeader("Vary", "Origin");
    }
    try {
      origins.check(request.getMethod(), origin, request.getScheme(), serverHost(request));
      if ("OPTIONS".equalsIgnoreCase(request.getMethod())) {
        origins.checkPreflight(origin);
        response.setHeader("Access-Control-Allow-Methods", OriginPolicy.ALLOWED_METHODS);
        response.setHeader("Access-Control-Allow-Headers", OriginPolicy.ALLOWED_HEADERS);
        response.setHeader("Access-Control-Max-Age", maxAgeSeconds);
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        return false;
      }
      return true;
    } catch (GatewayException e) {
      Responses.send(response, answers.failure(e, requestId));
      return false;
    }
  }

  /** {@code host:port} as the server received it (or, behind a trusted proxy, as forwarded). */
  private static String serverHost(HttpServletRequest request) {
    String name = request.getServerName();
    if (name == null || name.isEmpty()) {
      return null;
    }
    // An IPv6 literal goes back into its brackets, as in a Host header (RFC 9110 §7.2).
    String host = name.indexOf(':') >= 0 && !name.startsWith("[") ? "[" + name + "]" : name;
    return host + ":" + request.getServerPort();
  }
}
