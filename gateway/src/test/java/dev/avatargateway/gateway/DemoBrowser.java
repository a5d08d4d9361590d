package dev.avatargateway.gateway;

import dev.avatargateway.browsertest.BrowserDriver;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's side of its browser tests: its web package, the built demo pages every such test
 * needs besides what {@link BrowserDriver} checks, and two readers of what the page reported.
 */
final class DemoBrowser {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The web package, relative to the gateway module (Surefire's working directory). */
  static final Path WEB = Path.of("web").toAbsolutePath();

  /** The pages a Chromium opens are served from the class path, where the build puts them. */
  private static final BrowserDriver.Options OPTIONS =
      BrowserDriver.Options.DEFAULTS.requiring(
          Path.of("target/classes/demo/index.html"),
          "the built demo pages in gateway/target/classes/demo (the same build makes them)");

  private DemoBrowser() {}

  /** Skips (or, in CI, fails) the test before its gateway starts when a prerequisite is missing. */
  static void checkPrerequisites() {
    BrowserDriver.checkPrerequisites(WEB, OPTIONS);
  }

  /** Chromium on the gateway at {@code gateway}, its WebSockets held. */
  static BrowserDriver start(URI gateway, String name) {
    return BrowserDriver.start(gateway, name, WEB, OPTIONS);
  }

  /** Chromium on the gateway at {@code gateway}, its WebSockets going out for real. */
  static BrowserDriver startWithRealWebSockets(URI gateway, String name) {
    return BrowserDriver.start(gateway, name, WEB, OPTIONS.withRealWebSockets());
  }

  /** A query parameter of a URL (first value, decoded), or null. */
  static String queryParameter(URI url, String name) {
    String query = url.getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The events of an SSE body, as (event, data parsed as JSON) pairs, in order. */
  static List<Map.Entry<String, JsonNode>> sseEvents(String body) {
    List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
    String event = "message";
    StringBuilder data = new StringBuilder();
    for (String line : body.split("\r\n|\r|\n", -1)) {
      if (line.isEmpty()) {
        if (!data.isEmpty()) {
          events.add(Map.entry(event, JSON.readTree(data.toString())));
        }
        event = "message";
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring("event:".length()).strip();
      } else if (line.startsWith("data:")) {
        if (!data.isEmpty()) {
          data.append('\n');
        }
        data.append(line.substring("data:".length()).strip());
      }
    }
    return events;
  }
}
