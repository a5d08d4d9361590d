package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.Sessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Today's use (docs/budgets.md, "Reading the use"): the caller's own, and the whole gateway's and
 * every principal's for admins. Parses, calls {@link Sessions}, renders with {@link JsonAnswers},
 * as the gateway does.
 */
@RestController
public final class UsageEndpoints {
  /** The caller's use today and what is left of its own budgets. */
  public static final String USAGE = "/api/avatar/usage";

  /** The gateway's use today with the global budgets, and the principals', for admins. */
  public static final String ADMIN_USAGE = "/api/admin/usage";

  private final GatewayCore core;
  private final JsonReads reads;

  /**
   * @param core the gateway
   * @param answers renders failures as the core stores them
   */
  public UsageEndpoints(GatewayCore core, AnswerRenderer answers) {
    this.core = core;
    this.reads = new JsonReads(core, answers);
  }

  /** {@code GET /api/avatar/usage}: the caller's day and its own ({@code perPrincipal}) budgets. */
  @GetMapping(USAGE)
  public void usage(HttpServletRequest http, HttpServletResponse response) throws IOException {
    reads.answer(http, response, caller -> JsonAnswers.usage(core.sessions().usage(caller)));
  }

  /**
   * {@code GET /api/admin/usage?limit}: {@code {global, principals}}, the principals with the most
   * minutes first, {@code limit} 1 to {@value Sessions#MAX_USAGE_PRINCIPALS} (default {@value
   * Sessions#DEFAULT_USAGE_PRINCIPALS}).
   */
  @GetMapping(ADMIN_USAGE)
  public void overview(HttpServletRequest http, HttpServletResponse response) throws IOException {
    reads.answer(
        http,
        response,
        caller -> {
          int limit = Sessions.usagePrincipals(JsonReads.query(http, "limit"));
          return JsonAnswers.usageOverview(core.sessions().usageOverview(caller, limit));
        });
  }
}
