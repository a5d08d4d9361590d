package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.CorsConfig;
import dev.avatargateway.gateway.ServerConfig;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.Readiness;
import dev.avatargateway.gateway.internal.observability.PrometheusMetrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The gateway's HTTP surface, as one routing function shared by {@code main} and the tests: the
 * connect endpoint and its aliases, the avatar list, health, readiness and metrics, plus what every
 * response gets (request id, security headers, CORS for configured origins, JSON errors).
 */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  static final String REQUEST_ID_ATTRIBUTE = "avatar-gateway.requestId";
  private static final String JSON = "application/json";
  private static final String CORS_ALLOWED_HEADERS =
      "Content-Type, Authorization, X-Api-Key, X-Request-Id";
  private static final String CORS_EXPOSED_HEADERS = "X-Request-Id, Retry-After";

  // Answers that must never be cached or framed; these carry credentials or errors.
  private static final Map<String, String> SECURITY_HEADERS =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "Cache-Control", "no-store",
          "Referrer-Policy", "no-referrer",
          "X-Frame-Options", "DENY",
          "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
          "Strict-Transport-Security", "max-age=31536000");

  private final Components c;

  /**
   * @param components everything the routes need
   */
  public HttpApi(Components components) {
    this.c = components;
  }

  /**
   * What the routes need.
   *
   * @param server paths and body limit
   * @param cors allowed origins
   * @param core the gateway itself: the connect use case, the avatars, readiness
   * @param metrics the Prometheus registry behind {@code /metrics}
   * @param disconnects tells a connect that its client left
   */
  public record Components(
      ServerConfig server,
      CorsConfig cors,
      GatewayCore core,
      PrometheusMetrics metrics,
      DisconnectWatcher disconnects) {}

  /** Registers every route and handler. */
  public void register(RoutesConfig routes) {
    routes.before(this::everyRequest);
    routes.after(ctx -> MDC.remove(LogFields.REQUEST_ID));
    for (String path : c.server().connectPaths()) {
      routes.post(path, this::connect);
      routes.options(path, this::preflight);
    }
    routes.get("/api/avatar/presets", this::presets);
    routes.options("/api/avatar/presets", this::preflight);
    routes.get("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
    routes.get("/readyz", this::readyz);
    routes.get(
        "/metrics",
        ctx -> ctx.contentType(PrometheusMetrics.SCRAPE_CONTENT_TYPE).result(c.metrics().scrape()));
    routes.exception(GatewayException.class, (e, ctx) -> error(ctx, e));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
          error(
              ctx,
              new GatewayException(
                  ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; try again."));
        });
    routes.error(
        404,
        ctx -> {
          // Our own 404 answers (avatar_not_found) are JSON already; only Javalin's are replaced.
          if (!JSON.equals(ctx.res().getContentType())) {
            error(
                ctx,
                new GatewayException(ErrorCode.NOT_FOUND, "There is nothing at this address."));
          }
        });
    routes.error(
        405,
        ctx ->
            error(
                ctx,
                new GatewayException(
                    ErrorCode.METHOD_NOT_ALLOWED,
                    "This address does not accept " + ctx.method() + ".")));
  }

  private void everyRequest(Context ctx) {
    String requestId = RequestIds.accept(ctx.header(RequestIds.HEADER));
    ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
    MDC.put(LogFields.REQUEST_ID, requestId);
    ctx.header(RequestIds.HEADER, requestId);
    SECURITY_HEADERS.forEach(ctx::header);
    allowedOrigin(ctx)
        .ifPresent(
            origin -> {
              ctx.header("Access-Control-Allow-Origin", origin);
              ctx.header("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
              ctx.header("Vary", "Origin");
            });
  }

  private Optional<String> allowedOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    return origin != null && c.cors().allowedOrigins().contains(origin)
        ? Optional.of(origin)
        : Optional.empty();
  }

  private void preflight(Context ctx) {
    if (allowedOrigin(ctx).isEmpty()) {
      throw new GatewayException(ErrorCode.FORBIDDEN, "This origin may not call this server.");
    }
    ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    ctx.header("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS);
    ctx.header("Access-Control-Max-Age", Long.toString(c.cors().maxAge().toSeconds()));
    ctx.status(204);
  }

  private void connect(Context ctx) {
    ConnectRequest request =
        new ConnectRequest(
            ctx.attribute(REQUEST_ID_ATTRIBUTE),
            name -> Optional.ofNullable(ctx.header(name)),
            ctx.req().getRemoteAddr(),
            Collections.list(ctx.req().getHeaders("X-Forwarded-For")),
            () -> ConnectBody.parse(readBody(ctx)).choice(),
            onGone -> c.disconnects().watch(ctx, onGone)::close);
    try {
      json(ctx, 200, success(c.core().connect(request)));
    } catch (GatewayException e) {
      // Nobody is there to read an answer for a client that left.
      if (e.code() != ErrorCode.CLIENT_GONE) {
        error(ctx, e);
      }
    }
  }

  private static Map<String, Object> success(ConnectResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sessionId", result.sessionId());
    switch (result) {
      case ConnectResult.Credentials credentials -> {
        body.put("serverUrl", credentials.serverUrl());
        body.put("token", credentials.token());
        body.put("roomName", credentials.roomName());
      }
      case ConnectResult.SessionKey key -> {
        body.put("sessionKey", key.sessionKey());
        key.baseUrl().ifPresent(url -> body.put("baseUrl", url));
      }
    }
    return body;
  }

  /** Reads the body, refusing a wrong content type or more than the configured bytes. */
  private byte[] readBody(Context ctx) {
    int limit = c.server().maxBodyBytes();
    String length = ctx.header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > limit) {
          throw tooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw new GatewayException(
            ErrorCode.INVALID_REQUEST, "The Content-Length header is not a number.");
      }
    }
    byte[] body;
    try (InputStream in = ctx.req().getInputStream()) {
      body = in.readNBytes(limit + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body.length > limit) {
      throw tooLarge(limit);
    }
    if (body.length > 0 && !isJson(ctx.header("Content-Type"))) {
      throw new GatewayException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Send the request body as JSON (Content-Type: application/json).");
    }
    return body;
  }

  private static GatewayException tooLarge(int limit) {
    return new GatewayException(
        ErrorCode.BODY_TOO_LARGE, "The request body is larger than " + limit + " bytes.");
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals(JSON) || (type.startsWith("application/") && type.endsWith("+json"));
  }

  private void presets(Context ctx) {
    List<Map<String, String>> avatars =
        c.core().avatars().stream()
            .map(e -> Map.of("id", e.id(), "name", e.name(), "type", e.type()))
            .toList();
    json(ctx, 200, Map.of("avatars", avatars));
  }

  private void readyz(Context ctx) {
    Readiness readiness = c.core().readiness();
    json(
        ctx,
        readiness.ready() ? 200 : 503,
        Map.of("status", readiness.ready() ? "ready" : "not_ready", "detail", readiness.detail()));
  }

  private void error(Context ctx, GatewayException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", e.getMessage());
    body.put("code", e.code().code());
    body.put("requestId", ctx.attribute(REQUEST_ID_ATTRIBUTE));
    body.putAll(e.details());
    e.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(retryAfterSeconds(d))));
    c.core().wwwAuthenticate(e).ifPresent(value -> ctx.header("WWW-Authenticate", value));
    json(ctx, e.code().status(), body);
  }

  /** Whole seconds, rounded up, at least 1: a zero would invite an immediate retry storm. */
  static long retryAfterSeconds(Duration delay) {
    long seconds = delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }

  private static void json(Context ctx, int status, Map<String, ?> body) {
    ctx.status(status).contentType(JSON).result(Json.write(body));
  }
}
