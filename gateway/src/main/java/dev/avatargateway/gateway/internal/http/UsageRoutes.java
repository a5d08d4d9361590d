package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * Today's use (docs/budgets.md, "Reading the use"): the caller's own, and every principal's for
 * admins. Parses, calls {@link Sessions}, renders with {@link JsonAnswers}; nothing more.
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
    HttpApi.json(ctx, 200, JsonAnswers.usage(c.core().sessions().usage(SessionRoutes.caller(ctx))));
  }

  private void overview(Context ctx) {
    int limit = Sessions.usagePrincipals(SessionRoutes.query(ctx, "limit"));
    HttpApi.json(
        ctx,
        200,
        JsonAnswers.usageOverview(
            c.core().sessions().usageOverview(SessionRoutes.caller(ctx), limit)));
  }
}
