package dev.avatargateway.gateway.internal.http;

import io.javalin.config.RoutesConfig;
import io.javalin.config.StaticFilesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.util.JavalinException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo page (docs/browser.md): the web build's files from the classpath at {@code /demo/}, its
 * settings at {@code /demo/config.json}, and {@code /} redirected to it. Served only when {@code
 * demo.enabled} (or its default) asks for it and the page was built; a gateway built without the
 * web step warns once and answers 404 there, as when the demo is off. Its answers carry a page's
 * Content-Security-Policy instead of the API's {@code default-src 'none'}, and the hashed files
 * under {@code /demo/assets/} may be cached for good (a new build gives them new names).
 */
final class DemoPage {
  private static final Logger LOG = LoggerFactory.getLogger(DemoPage.class);

  static final String PATH = "/demo";
  static final String CONFIG = PATH + "/config.json";
  private static final String ASSETS = PATH + "/assets";

  /**
   * A year, as in RFC 8246's own example of {@code immutable}: the web build names each file under
   * assets/ by a hash of its content, so a name never changes its content, and a new build's page
   * names new files.
   */
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  /**
   * The page runs the official React SDK and LiveKit: its own scripts, inline styles (the SDK's
   * components set style attributes), media from WebRTC tracks ({@code mediastream:}, {@code
   * blob:}), and connections to itself, to where the browser consumes a key (Runway or the
   * simulator, plain http when local) and to LiveKit's server ({@code https:}, {@code wss:}, whose
   * host each answer names). Nothing may frame it, nothing is a plugin, and forms go nowhere else.
   */
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data: blob:; media-src 'self' blob: mediastream:;"
          + " connect-src 'self' %s https: wss:; worker-src 'self' blob:; object-src 'none';"
          + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** The call needs the camera and microphone of this page only, never of another origin's. */
  private static final String PERMISSIONS = "camera=(self), microphone=(self)";

  private static final Set<String> READS = Set.of("GET", "HEAD");

  private final HttpSettings settings;
  private final boolean simulated;
  private final boolean served;
  private final String csp;

  /**
   * @param settings the paths the page calls, and the demo's own settings
   * @param simulated whether the upstream is the embedded simulator, told to the page
   */
  DemoPage(HttpSettings settings, boolean simulated) {
    this.settings = settings;
    this.simulated = simulated;
    DemoSettings demo = settings.demo();
    boolean built = exists(demo.resourceFolder() + "/index.html");
    if (demo.enabled() && !built) {
      LOG.warn(
          "Demo page not built: the classpath has no {}/index.html (the gateway was built without"
              + " its web step, which needs Node.js and npm); {}/ answers 404",
          demo.resourceFolder(),
          PATH);
    }
    this.served = demo.enabled() && built;
    this.csp = CSP.formatted(origin(demo.consumeBaseUrl()));
  }

  /** Whether the page is served. */
  boolean served() {
    return served;
  }

  /** Registers the redirects and the page's settings. */
  void register(HttpApi api, RoutesConfig routes) {
    if (!served) {
      return;
    }
    api.get(routes, "/", ctx -> ctx.redirect(PATH + "/", HttpStatus.FOUND));
    api.head(routes, "/", ctx -> ctx.redirect(PATH + "/", HttpStatus.FOUND));
    // A before-handler, not a route: the router ignores trailing slashes, so a route for /demo
    // would take /demo/ too and never let the files answer it.
    routes.before(
        PATH,
        ctx -> {
          if (PATH.equals(ctx.req().getRequestURI()) && READS.contains(ctx.req().getMethod())) {
            ctx.redirect(PATH + "/", HttpStatus.MOVED_PERMANENTLY);
          }
        });
    api.get(routes, CONFIG, this::config);
  }

  /**
   * Serves the page's files: routes answer first (the page's settings), then the hashed assets with
   * their long cache, then every other file, {@code index.html} for the folder itself. Only GET and
   * HEAD reach files; a file that is not there is 404 {@code not_found}.
   */
  void serveFiles(StaticFilesConfig files) {
    if (!served) {
      return;
    }
    String folder = settings.demo().resourceFolder();
    try {
      if (exists(folder + "/assets")) {
        files.add(
            assets -> {
              assets.hostedPath = ASSETS + "/";
              assets.directory = folder + "/assets";
              assets.location = Location.CLASSPATH;
              assets.headers = Map.of("Cache-Control", IMMUTABLE);
            });
      }
      files.add(
          page -> {
            page.hostedPath = PATH + "/";
            page.directory = folder;
            page.location = Location.CLASSPATH;
            // Javalin's default is max-age=0; the page must be fetched anew, as every answer is.
            page.headers = Map.of("Cache-Control", "no-store");
          });
    } catch (JavalinException e) {
      // Found a moment ago: only a class path that changed under the running process gets here.
      LOG.warn("Demo page files cannot be served from the classpath folder {}", folder, e);
    }
  }

  /** The page's own headers, over the API's, for every answer under {@code /demo}. */
  void headers(String path, BiConsumer<String, String> setter) {
    if (served && (PATH.equals(path) || path.startsWith(PATH + "/"))) {
      setter.accept("Content-Security-Policy", csp);
      setter.accept("Permissions-Policy", PERMISSIONS);
    }
  }

  private void config(Context ctx) {
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("connect", settings.connectPaths().getFirst());
    paths.put("credentials", settings.credentialsPath());
    paths.put("sessionKey", settings.sessionKeyPath());
    paths.put("sessions", SessionRoutes.SESSIONS);
    paths.put("presets", HttpApi.PRESETS);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("simulated", simulated);
    body.put("auth", settings.demo().authMode());
    body.put("paths", paths);
    HttpApi.json(ctx, 200, body);
  }

  /** {@code scheme://host[:port]} of a base URL, as CSP source expressions name origins. */
  static String origin(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  private static boolean exists(String resource) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = DemoPage.class.getClassLoader();
    }
    return loader.getResource(resource) != null;
  }
}
