package dev.avatargateway.gateway.core;

/**
 * How the transport renders a connect's answers. The core uses it to store the answer of an
 * idempotent start exactly as it was sent, so the transport must render through it too: the stored
 * and the sent answer are then the same bytes.
 */
public interface AnswerRenderer {
  /** A successful connect's answer. */
  RenderedAnswer success(ConnectResult result);

  /**
   * A failed connect's answer.
   *
   * @param requestId the request's id, part of the error body
   */
  RenderedAnswer failure(GatewayException failure, String requestId);

  /**
   * An asynchronous start's acceptance: {@code 202} with the start's id and its events' address,
   * and its {@code Location} header (docs/sessions.md).
   *
   * @param id the start's id (the gateway's id for the session)
   */
  RenderedAnswer started(String id);
}
