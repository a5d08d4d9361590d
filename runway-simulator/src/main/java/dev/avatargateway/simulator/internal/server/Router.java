package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.FaultRule.Route;

/** Maps a method and raw path to one of the Runway API routes. */
final class Router {
  private Router() {}

  sealed interface Match {}

  /** A known route; {@code id} is the path id (empty for routes without one). */
  record Api(Route route, String id) implements Match {}

  /** No such path. */
  record NotFound() implements Match {}

  /** Known path, other method; {@code allow} is the {@code Allow} header value. */
  record MethodNotAllowed(String allow) implements Match {}

  /** Whether the path is {@code /v1/realtime_sessions/{id}/consume}, whatever the method. */
  static boolean isConsumePath(String path) {
    return match("POST", path) instanceof Api api && api.route() == Route.CONSUME;
  }

  static Match match(String method, String path) {
    String[] s = path.split("/", -1);
    if (s.length < 3 || !s[0].isEmpty() || !s[1].equals("v1")) {
      return new NotFound();
    }
    return switch (s[2]) {
      case "realtime_sessions" -> sessions(method, s);
      case "avatars" -> avatars(method, s);
      case "avatar_conversations" -> conversations(method, s);
      case "avatar_usage" ->
          s.length == 3
              ? (method.equals("GET") ? new Api(Route.USAGE, "") : new MethodNotAllowed("GET"))
              : new NotFound();
      default -> new NotFound();
    };
  }

  private static Match sessions(String method, String[] s) {
    if (s.length == 3) {
      return method.equals("POST") ? new Api(Route.CREATE, "") : new MethodNotAllowed("POST");
    }
    if (s[3].isEmpty()) {
      return new NotFound();
    }
    if (s.length == 4) {
      return switch (method) {
        case "GET" -> new Api(Route.RETRIEVE, s[3]);
        case "DELETE" -> new Api(Route.CANCEL, s[3]);
        default -> new MethodNotAllowed("GET, DELETE");
      };
    }
    if (s.length == 5) {
      Route route =
          switch (s[4]) {
            case "consume" -> Route.CONSUME;
            case "connect_backend" -> Route.CONNECT_BACKEND;
            default -> null;
          };
      if (route == null) {
        return new NotFound();
      }
      return method.equals("POST") ? new Api(route, s[3]) : new MethodNotAllowed("POST");
    }
    return new NotFound();
  }

  private static Match avatars(String method, String[] s) {
    if (s.length == 3) {
      return method.equals("GET") ? new Api(Route.AVATAR_LIST, "") : new MethodNotAllowed("GET");
    }
    if (s.length == 4 && !s[3].isEmpty()) {
      return method.equals("GET")
          ? new Api(Route.AVATAR_RETRIEVE, s[3])
          : new MethodNotAllowed("GET");
    }
    return new NotFound();
  }

  private static Match conversations(String method, String[] s) {
    if (s.length == 3) {
      return method.equals("GET")
          ? new Api(Route.CONVERSATION_LIST, "")
          : new MethodNotAllowed("GET");
    }
    if (s.length == 4 && !s[3].isEmpty()) {
      return switch (method) {
        case "GET" -> new Api(Route.CONVERSATION_RETRIEVE, s[3]);
        case "DELETE" -> new Api(Route.CONVERSATION_DELETE, s[3]);
        default -> new MethodNotAllowed("GET, DELETE");
      };
    }
    return new NotFound();
  }
}
