package dev.avatargateway.gateway.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which web pages may call the gateway, the same in every adapter: the refusal of state-changing
 * requests from other sites' pages, and the CORS answers for the origins an operator listed.
 *
 * <p>CORS alone does not stop another site: it only stops the other site's script from reading the
 * answer, while the request (a form post, a {@code text/plain} fetch, which need no preflight) has
 * already started a paid session, with the user's cookies when the application uses them. Browsers
 * send {@code Origin} with every cross-origin request and with every POST, so a state-changing
 * request (POST, PUT, PATCH, DELETE) that carries one is carried out only when that origin is
 * listed or is the server's own; anything else, {@code Origin: null} (sandboxed frames, {@code
 * file:} pages, some redirects) included, is 403 {@link ErrorCode#ORIGIN_NOT_ALLOWED} before any
 * work. A request without {@code Origin} is not from a browser page (curl, a server), or from a
 * browser too old to say; those keep working, and the connect endpoints refuse form-encoded and
 * {@code text/plain} bodies besides.
 *
 * <p>The server's own origin is the request's scheme, {@code Host} and port as the adapter received
 * them; {@code X-Forwarded-*} headers are the adapter's to believe or not. A cross-site page cannot
 * choose the {@code Host} a browser sends for it, so the comparison cannot be forged from a
 * browser; a non-browser client can send any {@code Host}, but it can leave out {@code Origin} just
 * as well, and must still authenticate.
 */
public final class OriginPolicy {
  /** The request headers a listed origin's page may send (preflight {@code Allow-Headers}). */
  public static final String ALLOWED_HEADERS =
      "Content-Type, Authorization, X-Api-Key, X-Request-Id, Idempotency-Key, Last-Event-ID";

  /**
   * The answer headers a listed origin's script may read ({@code Expose-Headers}): the request id,
   * when to retry, where an asynchronous start lives, whether an answer was replayed.
   */
  public static final String EXPOSED_HEADERS =
      "X-Request-Id, Retry-After, Location, Idempotent-Replayed";

  /** The methods a listed origin's page may use (preflight {@code Allow-Methods}). */
  public static final String ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";

  /**
   * How long browsers may cache a preflight answer unless configured ({@code
   * Access-Control-Max-Age}): 10 minutes, within every browser's cap (Chromium's is 2 hours,
   * Firefox's 24), and short enough that a page asks again soon after its origin was removed.
   */
  public static final Duration DEFAULT_PREFLIGHT_MAX_AGE = Duration.ofMinutes(10);

  private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final int HTTP_PORT = 80;
  private static final int HTTPS_PORT = 443;

  private final Set<String> allowed;
  private final String setting;

  /**
   * @param allowedOrigins the exact origins ({@code https://app.example.com}) whose pages may call;
   *     empty: same-origin pages only
   * @param setting the name of the setting that lists them, told to a refused caller so that the
   *     operator knows where to allow an origin ({@code cors.allowedOrigins})
   */
  public OriginPolicy(List<String> allowedOrigins, String setting) {
    this.allowed = Set.copyOf(allowedOrigins);
    this.setting = setting;
  }

  /**
   * Whether {@code origin} is listed, exactly (another case or a trailing slash is another origin):
   * the origins that get CORS headers.
   *
   * @param origin the {@code Origin} header, null when absent
   */
  public boolean allows(String origin) {
    return origin != null && allowed.contains(origin);
  }

  /**
   * Refuses a state-changing request from an origin that may not make it.
   *
   * @param method the request method
   * @param origin the {@code Origin} header, null when absent
   * @param scheme the scheme the server received the request with ({@code http})
   * @param host the {@code Host} header, null when absent
   * @throws GatewayException {@link ErrorCode#ORIGIN_NOT_ALLOWED}
   */
  public void check(String method, String origin, String scheme, String host) {
    if (origin == null || !STATE_CHANGING.contains(method.toUpperCase(Locale.ROOT))) {
      return;
    }
    if (allows(origin) || sameOrigin(origin, scheme, host)) {
      return;
    }
    throw new GatewayException(
        ErrorCode.ORIGIN_NOT_ALLOWED,
        "This web page's origin may not call this server; the operator can allow it in "
            + setting
            + ".");
  }

  /**
   * Refuses a CORS preflight ({@code OPTIONS}) from an origin that is not listed; a listed one is
   * answered 204 with {@link #ALLOWED_METHODS}, {@link #ALLOWED_HEADERS} and the max age.
   *
   * @param origin the {@code Origin} header, null when absent
   * @throws GatewayException {@link ErrorCode#FORBIDDEN}
   */
  public void checkPreflight(String origin) {
    if (!allows(origin)) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "This origin may not call this server.");
    }
  }

  /**
   * Whether {@code origin} names the server the request was sent to: the same scheme, host and port
   * (default ports filled in), hosts compared without case.
   *
   * @param origin the {@code Origin} header
   * @param scheme the scheme the server received the request with
   * @param host the {@code Host} header, null when absent
   */
  public static boolean sameOrigin(String origin, String scheme, String host) {
    if (origin == null || host == null || scheme == null) {
      return false;
    }
    Optional<Endpoint> page = originEndpoint(origin);
    Optional<Endpoint> self = hostEndpoint(host, scheme.toLowerCase(Locale.ROOT));
    return page.isPresent() && page.equals(self);
  }

  /**
   * Whether {@code origin} can be listed: a bare {@code scheme://host[:port]}, without path, query,
   * fragment, user or {@code *}. Settings are checked with this at start-up.
   *
   * @param origin a configured origin, possibly null
   */
  public static boolean isExactOrigin(String origin) {
    return origin != null && originEndpoint(origin).isPresent();
  }

  /** A scheme, a lower-case host (IPv6 in brackets) and a port. */
  private record Endpoint(String scheme, String host, int port) {}

  private static Optional<Endpoint> originEndpoint(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
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
