package dev.avatargateway.runway;

import java.util.List;

/**
 * The request was invalid (HTTP 400). {@link #issues()} lists the upstream's validation issues when
 * it sent any (runway-api.md §4.1: only for body or query validation failures).
 */
public class BadRequestException extends RunwayApiException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable List.copyOf; exceptions are not serialized here
  private final List<ValidationIssue> issues;

  /**
   * See {@link RunwayApiException#RunwayApiException(int, String, String, String)}.
   *
   * @param issues the upstream's validation issues; empty when it sent none
   */
  public BadRequestException(
      int status, String error, String body, String requestId, List<ValidationIssue> issues) {
    super(status, error, body, requestId);
    this.issues = List.copyOf(issues);
  }

  /** The upstream's validation issues, in the order it sent them; empty when it sent none. */
  public List<ValidationIssue> issues() {
    return issues;
  }
}
