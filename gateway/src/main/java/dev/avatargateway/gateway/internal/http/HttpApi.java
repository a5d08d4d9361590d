package dev.avatargateway.gateway.internal.http;

import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.CREDENTIALS;
import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.SESSION_KEY;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.OriginPolicy;
import dev.avatargateway.gateway.core.Readiness;
import dev.avatargateway.gateway.core.RenderedAnswer;
import dev.avatargateway.gateway.core.RequestIds;
import dev.avatargateway.gateway.internal.observability.PrometheusMetrics;
import io.javalin.config.RoutesConfig;
import io.javalin.config.StaticFilesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The gateway's HTTP surface, as one routing function shared by {@code main} and the tests: the
 * connect endpoint and its aliases, its two fixed-mode paths (credentials, session key), the avatar
 * list, the session endpoints, health, readiness and metrics, the demo page, plus what every
 * response gets (request id, security headers, CORS for configured origins, JSON errors, 405 with
 * {@code Allow} for a known path asked with another method) and the refusal of state-changing
 * requests from other sites (the core's {@link OriginPolicy}).
 */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  static final String REQUEST_ID_ATTRIBUTE = "avatar-gateway.requestId";
  static final String PRESETS = "/api/avatar/presets";
  private static final String JSON = "application/json";

  /** The setting a refused page's operator lists its origin in. */
  private static final String ORIGINS_SETTING = "cors.allowedOrigins";

  /** Marks a replayed idempotent answer, as Stripe does; see docs/idempotency.md. */
  static final String REPLAYED_HEADER = "Idempotent-Replayed";

  /**
   * Answers after which the connection cannot carry another request: the rest of a cut-off, stalled
   * or garbled body may still arrive and would be read as the next request.
   */
  private static final Set<ErrorCode> UNREUSABLE =
      Set.of(ErrorCode.INCOMPLETE_BODY, ErrorCode.REQUEST_TIMEOUT, ErrorCode.BAD_REQUEST);

  /**
   * Answers after which the connection is closed although it could carry another request: an
   * overloaded gateway frees the socket and its buffers for the connects it admitted, and a client
   * told to come back in a few seconds holds nothing open meanwhile.
   */
  private static final Set<ErrorCode> CLOSE_AFTER = Set.of(ErrorCode.OVERLOADED);

  private final Components c;
  private final RequestBody body;
  private final AllowedMethods allowed = new AllowedMethods();
  private final OriginPolicy origins;
  private final DemoPage demo;

  /**
   * @param components everything the routes need
   */
  public HttpApi(Components components) {
    this.c = components;
    this.body =
        new RequestBody(
            components.settings().maxBodyBytes(), components.settings().bodyReadTimeout());
    this.origins = new OriginPolicy(components.settings().corsOrigins(), ORIGINS_SETTING);
    this.demo = new DemoPage(components.settings(), components.core().simulatedUpstream());
  }

  /**
   * What the routes need.
   *
   * @param settings paths, body limits, CORS
   * @param core the gateway itself: the connect use case, the avatars, readiness
   * @param metrics the Prometheus registry behind {@code /metrics}
   * @param disconnects tells a connect that its client left
   */
  public record Components(
      HttpSettings settings,
      GatewayCore core,
      PrometheusMetrics metrics,
      DisconnectWatcher disconnects) {}

  /** Registers every route and handler. */
  public void register(RoutesConfig routes) {
    routes.before(this::everyRequest);
    routes.after(ctx -> MDC.remove(LogFields.REQUEST_ID));
    for (String path : c.settings().connectPaths()) {
      post(routes, path, ctx -> connect(ctx, Optional.empty()));
      options(routes, path);
    }
    post(routes, c.settings().credentialsPath(), ctx -> connect(ctx, Optional.of(CREDENTIALS)));
    options(routes, c.settings().credentialsPath());
    post(routes, c.settings().sessionKeyPath(), ctx -> connect(ctx, Optional.of(SESSION_KEY)));
    options(routes, c.settings().sessionKeyPath());
    get(routes, PRESETS, this::presets);
    options(routes, PRESETS);
    new SessionRoutes(this, c, body).register(routes);
    new UsageRoutes(this, c).register(routes);
    get(routes, OpenApi.PATH, ctx -> ctx.contentType(JSON).result(OpenApi.document()));
    get(routes, "/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
    get(routes, "/readyz", this::readyz);
    get(
        routes,
        "/metrics",
        ctx -> ctx.contentType(PrometheusMetrics.SCRAPE_CONTENT_TYPE).result(c.metrics().scrape()));
    demo.register(this, routes);
    routes.exception(GatewayException.class, (e, ctx) -> error(ctx, e));
    routes.exception(Exception.class, this::unexpected);
    routes.error(404, this::notFound);
    routes.error(405, this::methodNotAllowed);
  }

  /** Serves the demo page's files, when it is on and was built. */
  public void serveFiles(StaticFilesConfig files) {
    demo.serveFiles(files);
  }

  /** Whether the demo page is served at {@code /demo/}. */
  public boolean demoServed() {
    return demo.served();
  }

  void get(RoutesConfig routes, String path, Handler handler) {
    routes.get(path, handler);
    allowed.add(path, "GET");
  }

  void head(RoutesConfig routes, String path, Handler handler) {
    routes.head(path, handler);
    allowed.add(path, "HEAD");
  }

  void post(RoutesConfig routes, String path, Handler handler) {
    routes.post(path, handler);
    allowed.add(path, "POST");
  }

  void delete(RoutesConfig routes, String path, Handler handler) {
    routes.delete(path, handler);
    allowed.add(path, "DELETE");
  }

  void options(RoutesConfig routes, String path) {
    routes.options(path, this::preflight);
    allowed.add(path, "OPTIONS");
  }

  private void everyRequest(Context ctx) {
    String requestId = RequestIds.accept(ctx.header(RequestIds.HEADER));
    ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
    MDC.put(LogFields.REQUEST_ID, requestId);
    ctx.header(RequestIds.HEADER, requestId);
    SecurityHeaders.apply(ctx::header);
    demo.headers(ctx.path(), ctx::header);
    allowedOrigin(ctx)
        .ifPresent(
            origin -> {
              ctx.header("Access-Control-Allow-Origin", origin);
              ctx.header("Access-Control-Expose-Headers", OriginPolicy.EXPOSED_HEADERS);
              ctx.header("Vary", "Origin");
            });
    // Before any route runs: a refused request reads no body and reaches nothing behind it.
    origins.check(ctx.req().getMethod(), ctx.header("Origin"), ctx.scheme(), ctx.header("Host"));
  }

  private Optional<String> allowedOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    return origins.allows(origin) ? Optional.of(origin) : Optional.empty();
  }

  private void preflight(Context ctx) {
    origins.checkPreflight(ctx.header("Origin"));
    ctx.header("Access-Control-Allow-Methods", OriginPolicy.ALLOWED_METHODS);
    ctx.header("Access-Control-Allow-Headers", OriginPolicy.ALLOWED_HEADERS);
    ctx.header("Access-Control-Max-Age", Long.toString(c.settings().corsMaxAge().toSeconds()));
    ctx.status(204);
  }

  /** The router's 404 for a known path is a wrong method; our own 404 answers are JSON already. */
  private void notFound(Context ctx) {
    if (JSON.equals(ctx.res().getContentType())) {
      return;
    }
    if (allowed.allow(ctx.path()).isPresent()) {
      methodNotAllowed(ctx);
      return;
    }
    error(ctx, new GatewayException(ErrorCode.NOT_FOUND, "There is nothing at this address."));
  }

  private void methodNotAllowed(Context ctx) {
    allowed.allow(ctx.path()).ifPresent(methods -> ctx.header("Allow", methods));
    error(
        ctx,
        new GatewayException(
            ErrorCode.METHOD_NOT_ALLOWED,
            "This address does not accept "
                + ctx.method()
                + allowed.allow(ctx.path()).map(methods -> "; use " + methods).orElse("")
                + "."));
  }

  void unexpected(Exception e, Context ctx) {
    LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
    error(
        ctx,
        new GatewayException(
            ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; try again."));
  }

  /**
   * Runs the connect on a virtual thread of its own and lets Jetty's request thread return at once
   * (the request stays open, asynchronous, until the answer is set). A connect waits seconds for
   * READY, and what a waiting virtual thread costs is its stack: on Jetty's thread that is 44
   * frames, 30 of them Jetty, servlet and Javalin under the gateway's own; on a thread of its own
   * it is the gateway's 14. With the shared {@link JettyDisconnectWatcher}, this took the live heap
   * per waiting connect from 33 to 25 KiB ({@code HeapPerConnectBenchmark} in the benchmarks).
   *
   * @param mode the answer's shape the path fixes; empty: the configured one
   */
  private void connect(Context ctx, Optional<ResponseMode> mode) {
    String requestId = ctx.attribute(REQUEST_ID_ATTRIBUTE);
    ConnectRequest configured =
        new ConnectRequest(
            requestId,
            name -> Optional.ofNullable(ctx.header(name)),
            ctx.req().getRemoteAddr(),
            Collections.list(ctx.req().getHeaders("X-Forwarded-For")),
            () -> AvatarChoice.parseJson(new String(body.read(ctx), StandardCharsets.UTF_8)),
            onGone -> c.disconnects().watch(ctx, onGone)::close);
    ConnectRequest request = mode.map(configured::withResponseMode).orElse(configured);
    CompletableFuture<Void> answered = new CompletableFuture<>();
    ctx.future(() -> answered);
    Thread.startVirtualThread(
        () -> {
          MDC.put(LogFields.REQUEST_ID, requestId);
          try {
            answerConnect(ctx, request);
          } catch (RuntimeException e) {
            unexpected(e, ctx);
          } finally {
            MDC.remove(LogFields.REQUEST_ID);
            answered.complete(null);
          }
        });
  }

  private void answerConnect(Context ctx, ConnectRequest request) {
    try {
      json(ctx, 200, JsonAnswers.body(c.core().connect(request)));
    } catch (IdempotentReplay replay) {
      replay(ctx, replay);
    } catch (GatewayException e) {
      // Nobody is there to read an answer for a client that left.
      if (e.code() != ErrorCode.CLIENT_GONE) {
        error(ctx, e);
      }
    }
  }

  /** The stored answer of an earlier request with the same {@code Idempotency-Key}, as it was. */
  static void replay(Context ctx, IdempotentReplay replay) {
    ctx.header(REPLAYED_HEADER, "true");
    send(ctx, replay.answer());
  }

  /** An answer rendered ahead (status, exact body, its own headers). */
  static void send(Context ctx, RenderedAnswer answer) {
    answer.headers().forEach(ctx::header);
    ctx.status(answer.status()).contentType(JSON).result(answer.json());
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
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", readiness.ready() ? "ready" : "not_ready");
    // Every 5xx the gateway answers carries a code, a probe's too.
    if (!readiness.ready()) {
      body.put("code", "not_ready");
    }
    body.put("detail", readiness.detail());
    body.put("upstream", c.core().simulatedUpstream() ? "simulator" : "runway");
    json(ctx, readiness.ready() ? 200 : 503, body);
  }

  private void error(Context ctx, GatewayException e) {
    e.retryAfter()
        .ifPresent(d -> ctx.header("Retry-After", Long.toString(JsonAnswers.retryAfterSeconds(d))));
    c.core().wwwAuthenticate(e).ifPresent(value -> ctx.header("WWW-Authenticate", value));
    if (UNREUSABLE.contains(e.code()) || CLOSE_AFTER.contains(e.code())) {
      ctx.header("Connection", "close");
    }
    json(ctx, e.code().status(), JsonAnswers.errorBody(e, ctx.attribute(REQUEST_ID_ATTRIBUTE)));
  }

  /**
   * How the gateway renders a connect's answers (the core stores an idempotent start's answer
   * through it): the core's JSON, a 202 pointing under the session endpoints.
   */
  public static AnswerRenderer answers() {
    return new JsonAnswers(SessionRoutes.SESSIONS);
  }

  static void json(Context ctx, int status, Map<String, ?> body) {
    ctx.status(status).contentType(JSON).result(JsonAnswers.json(body));
  }
}
