package dev.avatargateway.gateway.core;

import java.util.Objects;

/**
 * Not a failure: the request repeats an earlier one with the same {@code Idempotency-Key} and body,
 * whose answer is stored; the transport sends {@link #answer()} as it is (status, body, headers)
 * and marks it {@code Idempotent-Replayed: true}. Nothing was started for this request.
 */
public final class IdempotentReplay extends RuntimeException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized
  private final RenderedAnswer answer;

  /**
   * @param answer the first request's answer
   */
  public IdempotentReplay(RenderedAnswer answer) {
    super("replayed the stored answer of an idempotent request", null, false, false);
    this.answer = Objects.requireNonNull(answer, "answer");
  }

  /** The first request's answer. */
  public RenderedAnswer answer() {
    return answer;
  }
}
