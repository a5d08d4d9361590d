package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.BudgetUse;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Sessions;
import dev.avatargateway.gateway.core.Usage;
import dev.avatargateway.gateway.core.UsageOverview;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Today's use (docs/budgets.md, "Reading the use"): the caller's own, and every principal's for
 * admins. Parses, calls {@link Sessions}, renders; nothing more.
 */
final class UsageRoutes {
  static final String USAGE = "/api/avatar/usage";
  static final String ADMIN_USAGE = "/api/admin/usage";

  private final HttpApi api;
  private final HttpApi.Components c;

  UsageRoutes(HttpApi api, HttpApi.Components components) {
    this.api = api;
    this.c = components;
  }

  void register(RoutesConfig routes) {
    api.get(routes, USAGE, this::usage);
    api.options(routes, USAGE);
    api.get(routes, ADMIN_USAGE, this::overview);
  }

  private void usage(Context ctx) {
    HttpApi.json(ctx, 200, view(c.core().sessions().usage(SessionRoutes.caller(ctx))));
  }

  private void overview(Context ctx) {
    UsageOverview overview =
        c.core().sessions().usageOverview(SessionRoutes.caller(ctx), limit(ctx));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("global", view(overview.global()));
    body.put("principals", overview.principals().stream().map(UsageRoutes::view).toList());
    HttpApi.json(ctx, 200, body);
  }

  private static int limit(Context ctx) {
    Optional<String> limit = SessionRoutes.query(ctx, "limit");
    if (limit.isEmpty()) {
      return Sessions.DEFAULT_USAGE_PRINCIPALS;
    }
    try {
      return Integer.parseInt(limit.get().trim());
    } catch (NumberFormatException e) {
      throw new GatewayException(
          ErrorCode.INVALID_REQUEST,
          "limit must be a number from 1 to " + Sessions.MAX_USAGE_PRINCIPALS);
    }
  }

  static Map<String, Object> view(Usage usage) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("principal", usage.principal().orElse(null));
    body.put("day", usage.day().toString());
    body.put("resetsAt", usage.resetsAt().toString());
    body.put("sessions", usage.sessions());
    body.put("minutes", usage.minutes());
    body.put("spend", usage.spend());
    body.put("liveSessions", usage.liveSessions());
    body.put("budgets", usage.budgets().stream().map(UsageRoutes::view).toList());
    return body;
  }

  private static Map<String, Object> view(BudgetUse use) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("budget", use.budget());
    body.put("unit", use.unit());
    body.put("limit", use.limit());
    body.put("used", use.used());
    body.put("remaining", use.remaining());
    body.put("resetsAt", use.resetsAt().map(Object::toString).orElse(null));
    return body;
  }
}
