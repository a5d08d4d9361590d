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
 * The admins' listing of every principal's sessions (docs/sessions.md). Parses, calls {@link
 * Sessions#listAll}, renders with {@link JsonAnswers}, as the gateway does.
 */
@RestController
public final class AdminEndpoints {
  /** Every principal's sessions, newest first. */
  public static final String ADMIN_SESSIONS = "/api/admin/sessions";

  /** The gateway's JSON of listings, each session's events under the sessions' path. */
  private static final JsonAnswers VIEWS = new JsonAnswers(SessionEndpoints.SESSIONS);

  private final GatewayCore core;
  private final JsonReads reads;

  /**
   * @param core the gateway
   * @param answers renders failures as the core stores them
   */
  public AdminEndpoints(GatewayCore core, AnswerRenderer answers) {
    this.core = core;
    this.reads = new JsonReads(core, answers);
  }

  /**
   * {@code GET /api/admin/sessions?principal&state&cursor&limit}: {@code {sessions, nextCursor}},
   * only {@code principal}'s and only those in ledger {@code state} when given.
   */
  @GetMapping(ADMIN_SESSIONS)
  public void sessions(HttpServletRequest http, HttpServletResponse response) throws IOException {
    reads.answer(
        http,
        response,
        caller -> {
          int limit = Sessions.pageSize(JsonReads.query(http, "limit"));
          return VIEWS.sessions(
              core.sessions()
                  .listAll(
                      caller,
                      JsonReads.query(http, "principal"),
                      JsonReads.query(http, "state"),
                      JsonReads.query(http, "cursor"),
                      limit));
        });
  }
}
