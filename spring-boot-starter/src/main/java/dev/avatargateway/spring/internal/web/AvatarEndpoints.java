package dev.avatargateway.spring.internal.web;

import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.CREDENTIALS;
import static dev.avatargateway.gateway.core.ConnectConfig.ResponseMode.SESSION_KEY;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.ConnectConfig.ResponseMode;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.RenderedAnswer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The gateway's connect endpoints in a Spring MVC application: parse, call {@link GatewayCore},
 * render through the same {@link AnswerRenderer} the core stores idempotent answers with, so that
 * answers and error bodies are the gateway's, byte for byte. Nothing more: the flow, its limits,
 * the ledger and the clean-up are the core's.
 *
 * <p>A connect runs on the request's own thread, which with {@code spring.threads.virtual.enabled}
 * is a virtual thread: waiting seconds for READY then costs no platform thread. Spring Security's
 * {@code SecurityContext} is that thread's too, which is how the principal reaches the core. A
 * client that closes its connection meanwhile is noticed by {@link ClientDisconnects}, and the core
 * then stops the connect and cancels its session.
 */
@RestController
public final class AvatarEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(AvatarEndpoints.class);

  /** The connect endpoint in the configured {@code connect.responseMode}. */
  public static final String CONNECT = "/api/avatar/connect";

  /** The connect endpoint that always answers credentials (client-contract.md §1.3). */
  public static final String CREDENTIALS_PATH = "/api/avatar/credentials";

  /** The connect endpoint that always answers a session key (client-contract.md §1.3). */
  public static final String SESSION_KEY_PATH = "/api/avatar/session-key";

  /** The avatars a picker may offer. */
  public static final String PRESETS = "/api/avatar/presets";

  /** Marks a replayed idempotent answer, as the gateway does (docs/idempotency.md). */
  static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private final GatewayCore core;
  private final AnswerRenderer answers;
  private final ConnectBodies bodies;
  private final ClientDisconnects disconnects;

  /**
   * @param core the gateway
   * @param answers renders answers as the core stores them
   * @param maxBodyBytes the largest connect body accepted
   * @param disconnects tells a connect that its client left, so that it cancels its session
   */
  public AvatarEndpoints(
      GatewayCore core, AnswerRenderer answers, int maxBodyBytes, ClientDisconnects disconnects) {
    this.core = core;
    this.answers = answers;
    this.bodies = new ConnectBodies(maxBodyBytes);
    this.disconnects = disconnects;
  }

  /** {@code POST /api/avatar/connect}: a session in the configured response mode. */
  @PostMapping(CONNECT)
  public void connect(HttpServletRequest request, HttpServletResponse response) throws IOException {
    connect(request, response, Optional.empty());
  }

  /** {@code POST /api/avatar/credentials}: a session the gateway consumed. */
  @PostMapping(CREDENTIALS_PATH)
  public void credentials(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    connect(request, response, Optional.of(CREDENTIALS));
  }

  /** {@code POST /api/avatar/session-key}: a session the browser consumes. */
  @PostMapping(SESSION_KEY_PATH)
  public void sessionKey(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    connect(request, response, Optional.of(SESSION_KEY));
  }

  /** {@code GET /api/avatar/presets}: {@code {"avatars": [{id, name, type}]}}. */
  @GetMapping(PRESETS)
  public void presets(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String requestId = Responses.requestId(request, response);
    List<Map<String, String>> avatars =
        core.avatars().stream()
            .map(e -> Map.of("id", e.id(), "name", e.name(), "type", e.type()))
            .toList();
    LOG.debug("Presets for request {}", requestId);
    Responses.send(
        response, new RenderedAnswer(200, JsonAnswers.json(Map.of("avatars", avatars)), Map.of()));
  }

  private void connect(
      HttpServletRequest http, HttpServletResponse response, Optional<ResponseMode> mode)
      throws IOException {
    String requestId = Responses.requestId(http, response);
    MDC.put(LogFields.REQUEST_ID, requestId);
    try {
      // Watched from when the core has read the body until the flow ends, before the answer.
      ConnectRequest configured =
          bodies.request(http, requestId, disconnects.presence(http, response));
      ConnectRequest connect = mode.map(configured::withResponseMode).orElse(configured);
      RenderedAnswer answer;
      try {
        answer = answers.success(core.connect(connect));
      } catch (IdempotentReplay replay) {
        response.setHeader(REPLAYED_HEADER, "true");
        answer = replay.answer();
      } catch (GatewayException e) {
        if (e.code() == ErrorCode.CLIENT_GONE) {
          return; // nobody is there to read it
        }
        answer = Responses.failure(core, answers, response, e, requestId);
      } catch (RuntimeException e) {
        LOG.error("Unexpected failure answering a connect", e);
        answer = Responses.unexpected(answers, requestId);
      }
      Responses.send(response, answer);
    } finally {
      MDC.remove(LogFields.REQUEST_ID);
    }
  }
}
