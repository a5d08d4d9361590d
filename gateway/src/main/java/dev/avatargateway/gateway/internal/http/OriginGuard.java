package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses state-changing requests that a browser sent from another site. CORS alone does not: it
 * only stops the other site's script from reading the answer, while the request (a form post, a
 * {@code text/plain} fetch, which need no preflight) has already started a paid session. Browsers
 * send {@code Origin} with every cross-origin request and with every POST, so a state-changing
 * request (POST, PUT, PATCH, DELETE) that carries one is carried out only when that origin is in
 * {@code cors.allowedOrigins} or is the gateway's own; anything else, {@code Origin: null}
 * (sandboxed frames, {@code file:} pages, some redirects) included, is 403 {@code
 * origin_not_allowed} before any work. A request without {@code Origin} is not from a browser page
 * (curl, a server), or from a browser too old to say; those keep working, and the connect endpoint
 * refuses form-encoded and {@code text/plain} bodies besides ({@link RequestBody}).
 *
 * <p>The gateway's own origin is this request's scheme, {@code Host} and port as the gateway
 * received them. {@code X-Forwarded-Host} and {@code X-Forwarded-Proto} are not believed. Behind a
 * proxy that terminates TLS or rewrites {@code Host}, the page's origin ({@code
 * https://app.example.com}) therefore differs from what the gateway sees ({@code http}, the
 * upstream's name), and same-origin calls are refused until that origin is listed in {@code
 * cors.allowedOrigins}: the safe way to be wrong. A cross-site page cannot choose the {@code Host}
 * a browser sends for it, so the comparison cannot be forged from a browser; a non-browser client
 * can send any {@code Host}, but it can leave out {@code Origin} just as well, and must still
 * authenticate.
 */
final class OriginGuard {
  private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final int HTTP_PORT = 80;
  private static final int HTTPS_PORT = 443;

  private final Set<String> allowed;

  /**
   * @param allowedOrigins the exact origins of {@code cors.allowedOrigins}
   */
  OriginGuard(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
  }

  /**
   * Refuses a state-changing request from an origin that may not make it.
   *
   * @param method the request method
   * @param origin the {@code Origin} header, null when absent
   * @param scheme the scheme the gateway received the request with ({@code http})
   * @param host the {@code Host} header, null when absent
   * @throws GatewayException {@link ErrorCode#ORIGIN_NOT_ALLOWED}
   */
  void check(String method, String origin, String scheme, String host) {
    if (origin == null || !STATE_CHANGING.contains(method.toUpperCase(Locale.ROOT))) {
      return;
    }
    if (allowed.contains(origin) || sameOrigin(origin, scheme, host)) {
      return;
    }
    throw new GatewayException(
        ErrorCode.ORIGIN_NOT_ALLOWED,
        "This web page's origin may not call this server; the operator can allow it in"
            + " cors.allowedOrigins.");
  }

  /**
   * Whether {@code origin} names the server the request was sent to: the same scheme, host and port
   * (default ports filled in), hosts compared without case.
   */
  static boolean sameOrigin(String origin, String scheme, String host) {
    if (host == null || scheme == null) {
      return false;
    }
    Optional<Endpoint> page = originEndpoint(origin);
    Optional<Endpoint> self = hostEndpoint(host, scheme.toLowerCase(Locale.ROOT));
    return page.isPresent() && page.equals(self);
  }

  /** A scheme, a lower-case host (IPv6 in brackets) and a port. */
  private record Endpoint(String scheme, String host, int port) {}

  private static Optional<Endpoint> originEndpoint(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (java.net.URISyntaxException e) {
      return Optional.empty();
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      return Optional.empty();
    }
    String lowerScheme = scheme.toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(lowerScheme);
    return Optional.of(new Endpoint(lowerScheme, uri.getHost().toLowerCase(Locale.ROOT), port));
  }

  /** {@code Host} is {@code host[:port]} (RFC 9110 §7.2), the host an IPv6 literal in brackets. */
  private static Optional<Endpoint> hostEndpoint(String host, String scheme) {
    // Parsed as an origin of the request's scheme: the same grammar, the same normalisation.
    if (host.isEmpty() || host.chars().anyMatch(c -> c == '/' || c == '@' || c <= ' ')) {
      return Optional.empty();
    }
    return originEndpoint(scheme + "://" + host);
  }

  private static int defaultPort(String scheme) {
    return switch (scheme) {
      case "http" -> HTTP_PORT;
      case "https" -> HTTPS_PORT;
      default -> -1;
    };
  }
}
