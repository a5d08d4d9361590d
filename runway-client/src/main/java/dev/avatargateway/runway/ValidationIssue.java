package dev.avatargateway.runway;

import java.util.List;

/**
 * One validation issue from a 400 answer (runway-api.md §4.1, Zod's issue shape).
 *
 * @param code the issue code, for example {@code too_big}
 * @param path where in the request the issue is: member names and array indexes
 * @param message a human-readable explanation; not stable text
 */
public record ValidationIssue(String code, List<Object> path, String message) {
  /** Copies {@code path}. */
  public ValidationIssue {
    path = List.copyOf(path);
  }
}
