package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.EventStreamWriter;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.Sessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The session endpoints (docs/sessions.md): the asynchronous start, its event stream, and reading,
 * listing and ending one's sessions. Parses, calls {@link Sessions}, renders as the gateway does;
 * the same authentication (Spring Security's principal included) and limits.
 */
@RestController
public final class SessionEndpoints {

  /** Where sessions live; a start's 202 points under it. */
  public static final String SESSIONS = "/api/avatar/sessions";

  /** The gateway's JSON of sessions and listings, member for member (docs/sessions.md). */
  private static final JsonAnswers VIEWS = new JsonAnswers(SESSIONS);

  private final GatewayCore core;
  private final AnswerRenderer answers;
  private final ConnectBodies bodies;
  private final ClientDisconnects disconnects;
  private final JsonReads reads;

  /**
   * @param core the gateway
   * @param answers renders answers as the core stores them
   * @param maxBodyBytes the largest start body accepted
   * @param disconnects tells an event stream that its reader left
   */
  public SessionEndpoints(
      GatewayCore core, AnswerRenderer answers, int maxBodyBytes, ClientDisconnects disconnects) {
    this.core = core;
    this.answers = answers;
    this.bodies = new ConnectBodies(maxBodyBytes);
    this.disconnects = disconnects;
    this.reads = new JsonReads(core, answers);
  }

  /** {@code POST /api/avatar/sessions}: 202 once accepted; the flow goes on without the request. */
  @PostMapping(SESSIONS)
  public void start(HttpServletRequest http, HttpServletResponse response) throws IOException {
    reads.respond(
        http,
        response,
        requestId -> {
          try {
            // Rendered as an idempotent start stored it: a repeat with its key gets these bytes.
            return answers.started(
                core.sessions().start(bodies.request(http, requestId, ClientPresence.UNKNOWN)));
          } catch (IdempotentReplay replay) {
            response.setHeader(AvatarEndpoints.REPLAYED_HEADER, "true");
            return replay.answer();
          }
        });
  }

  /** {@code GET /api/avatar/sessions?cursor&limit}: the caller's sessions, newest first. */
  @GetMapping(SESSIONS)
  public void list(HttpServletRequest http, HttpServletResponse response) throws IOException {
    reads.answer(
        http,
        response,
        caller ->
            VIEWS.sessions(
                core.sessions()
                    .list(
                        caller,
                        JsonReads.query(http, "cursor"),
                        Sessions.pageSize(JsonReads.query(http, "limit")))));
  }

  /** {@code GET /api/avatar/sessions/{id}}: one of the caller's sessions. */
  @GetMapping(SESSIONS + "/{id}")
  public void get(
      @PathVariable("id") String id, HttpServletRequest http, HttpServletResponse response)
      throws IOException {
    reads.answer(http, response, caller -> VIEWS.session(core.sessions().get(caller, id)));
  }

  /** {@code DELETE /api/avatar/sessions/{id}}: ends one of the caller's sessions. */
  @DeleteMapping(SESSIONS + "/{id}")
  public void end(
      @PathVariable("id") String id, HttpServletRequest http, HttpServletResponse response)
      throws IOException {
    reads.answer(http, response, caller -> VIEWS.session(core.sessions().end(caller, id)));
  }

  /**
   * {@code GET /api/avatar/sessions/{id}/events}: the start's progress as Server-Sent Events.
   * Errors before the stream starts are JSON answers; a reader that already had the last event
   * ({@code Last-Event-ID}) gets 204, which tells an EventSource to stop reconnecting. The stream
   * holds the request's thread (a virtual one with {@code spring.threads.virtual.enabled}); a
   * reader that left is noticed by {@link ClientDisconnects} within its poll interval (elsewhere
   * than on Tomcat at the next write, at the latest the next heartbeat, {@code
   * sessions.heartbeatInterval}), and closing the stream starts its reader grace.
   */
  @GetMapping(SESSIONS + "/{id}/events")
  public void events(
      @PathVariable("id") String id, HttpServletRequest http, HttpServletResponse response)
      throws IOException {
    String requestId = Responses.requestId(http, response);
    SessionEvents events;
    try {
      events =
          core.sessions()
              .events(
                  JsonReads.caller(http), id, Optional.ofNullable(http.getHeader("Last-Event-ID")));
    } catch (GatewayException e) {
      Responses.send(response, Responses.failure(core, answers, response, e, requestId));
      return;
    }
    try (events) {
      List<SessionEvent> first = events.next(Duration.ZERO);
      if (first.isEmpty() && events.finished()) {
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        return;
      }
      response.setStatus(HttpServletResponse.SC_OK);
      response.setContentType("text/event-stream;charset=utf-8");
      response.setHeader("Cache-Control", "no-store");
      // Proxies such as nginx buffer responses unless told not to: events would arrive late.
      response.setHeader("X-Accel-Buffering", "no");
      AtomicBoolean gone = new AtomicBoolean();
      // Closing the events ends a wait for the next one at once; the try closes them again.
      ClientPresence.Watch watch =
          disconnects.watchStream(
              http,
              response,
              () -> {
                gone.set(true);
                events.close();
              });
      try {
        EventStreamWriter.pump(
            events,
            first,
            response.getOutputStream(),
            core.sessions().heartbeatInterval(),
            gone::get);
      } finally {
        watch.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
