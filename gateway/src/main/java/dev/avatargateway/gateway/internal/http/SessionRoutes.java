package dev.avatargateway.gateway.internal.http;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.Caller;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.EventStreamWriter;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.RequestHeaders;
import dev.avatargateway.gateway.core.SessionEvent;
import dev.avatargateway.gateway.core.SessionEvents;
import dev.avatargateway.gateway.core.SessionPage;
import dev.avatargateway.gateway.core.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.MDC;

/**
 * The session endpoints (docs/sessions.md): the asynchronous start, its event stream (Server-Sent
 * Events), reading, listing and ending sessions, and the admins' listing. Parses, calls {@link
 * Sessions}, renders; nothing more.
 *
 * <p>An event stream holds no platform thread: the request goes asynchronous and one virtual thread
 * per stream waits for the next event (or the next heartbeat), and the shared {@link
 * DisconnectWatcher} tells it when the reader left.
 */
final class SessionRoutes {
  static final String SESSIONS = "/api/avatar/sessions";
  static final String SESSION = SESSIONS + "/{id}";
  static final String EVENTS = SESSION + "/events";
  static final String ADMIN_SESSIONS = "/api/admin/sessions";

  private static final JsonAnswers ANSWERS = new JsonAnswers(SESSIONS);

  private final HttpApi api;
  private final HttpApi.Components c;
  private final RequestBody body;

  SessionRoutes(HttpApi api, HttpApi.Components components, RequestBody body) {
    this.api = api;
    this.c = components;
    this.body = body;
  }

  void register(RoutesConfig routes) {
    api.post(routes, SESSIONS, this::start);
    api.get(routes, SESSIONS, this::list);
    api.options(routes, SESSIONS);
    api.get(routes, SESSION, this::get);
    api.delete(routes, SESSION, this::end);
    api.options(routes, SESSION);
    api.get(routes, EVENTS, this::events);
    api.options(routes, EVENTS);
    api.get(routes, ADMIN_SESSIONS, this::listAll);
  }

  private Sessions sessions() {
    return c.core().sessions();
  }

  /** Answers 202 once the start is accepted; the flow goes on without this request. */
  private void start(Context ctx) {
    String requestId = ctx.attribute(HttpApi.REQUEST_ID_ATTRIBUTE);
    ConnectRequest request =
        new ConnectRequest(
            requestId,
            headers(ctx),
            ctx.req().getRemoteAddr(),
            Collections.list(ctx.req().getHeaders("X-Forwarded-For")),
            () -> AvatarChoice.parseJson(new String(body.read(ctx), StandardCharsets.UTF_8)),
            ClientPresence.UNKNOWN);
    String id;
    try {
      id = sessions().start(request);
    } catch (IdempotentReplay replay) {
      HttpApi.replay(ctx, replay);
      return;
    }
    // Rendered as an idempotent start stored it: a repeat with its key gets these very bytes.
    HttpApi.send(ctx, ANSWERS.started(id));
  }

  private void get(Context ctx) {
    HttpApi.json(ctx, 200, ANSWERS.session(sessions().get(caller(ctx), ctx.pathParam("id"))));
  }

  private void end(Context ctx) {
    HttpApi.json(ctx, 200, ANSWERS.session(sessions().end(caller(ctx), ctx.pathParam("id"))));
  }

  private void list(Context ctx) {
    SessionPage page =
        sessions().list(caller(ctx), query(ctx, "cursor"), Sessions.pageSize(query(ctx, "limit")));
    HttpApi.json(ctx, 200, ANSWERS.sessions(page));
  }

  private void listAll(Context ctx) {
    SessionPage page =
        sessions()
            .listAll(
                caller(ctx),
                query(ctx, "principal"),
                query(ctx, "state"),
                query(ctx, "cursor"),
                Sessions.pageSize(query(ctx, "limit")));
    HttpApi.json(ctx, 200, ANSWERS.sessions(page));
  }

  /**
   * The event stream. Errors before it starts are JSON answers like any other; a reader that
   * already had the last event (its {@code Last-Event-ID}) gets 204, which tells an EventSource to
   * stop reconnecting.
   */
  private void events(Context ctx) throws InterruptedException {
    SessionEvents events =
        sessions()
            .events(
                caller(ctx), ctx.pathParam("id"), Optional.ofNullable(ctx.header("Last-Event-ID")));
    List<SessionEvent> first;
    try {
      first = events.next(Duration.ZERO);
    } catch (InterruptedException | RuntimeException e) {
      events.close();
      throw e;
    }
    if (first.isEmpty() && events.finished()) {
      events.close();
      ctx.status(204);
      return;
    }
    ctx.status(200);
    ctx.contentType("text/event-stream; charset=utf-8");
    // Proxies such as nginx buffer responses unless told not to: events would arrive late.
    ctx.header("X-Accel-Buffering", "no");
    String requestId = ctx.attribute(HttpApi.REQUEST_ID_ATTRIBUTE);
    AtomicBoolean gone = new AtomicBoolean();
    DisconnectWatcher.Watch watch =
        c.disconnects()
            .watch(
                ctx,
                () -> {
                  gone.set(true);
                  events.close();
                });
    // Javalin asks for the future once the request has gone asynchronous: only then may another
    // thread write (a write before it raced the request's own thread, and was held back).
    ctx.future(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          Thread.ofVirtual()
              .name("avatar-gateway-events")
              .start(
                  () -> {
                    MDC.put(LogFields.REQUEST_ID, requestId);
                    try {
                      stream(ctx, events, first, gone);
                    } finally {
                      watch.close();
                      events.close();
                      MDC.remove(LogFields.REQUEST_ID);
                      done.complete(null);
                    }
                  });
          return done;
        });
  }

  private void stream(
      Context ctx, SessionEvents events, List<SessionEvent> first, AtomicBoolean gone) {
    try {
      OutputStream out = ctx.res().getOutputStream();
      ctx.res().flushBuffer();
      EventStreamWriter.pump(events, first, out, sessions().heartbeatInterval(), gone::get);
    } catch (IOException e) {
      // The reader is gone; closing the events starts the grace.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The caller: its credentials and its address, whose failed authentications are throttled. */
  static Caller caller(Context ctx) {
    return new Caller(
        headers(ctx),
        ctx.req().getRemoteAddr(),
        Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
  }

  private static RequestHeaders headers(Context ctx) {
    return name -> Optional.ofNullable(ctx.header(name));
  }

  static Optional<String> query(Context ctx, String name) {
    return Optional.ofNullable(ctx.queryParam(name)).filter(value -> !value.isBlank());
  }
}
