package dev.avatargateway.simulator.internal.validation;

import java.util.List;
import java.util.Optional;

/**
 * Outcome of validating a create body.
 *
 * @param issues empty when the body is valid
 * @param maxDurationSeconds the requested {@code maxDuration}, when present and valid
 * @param customAvatarId the {@code avatar.avatarId} of a custom avatar, when present and valid
 */
public record Validation(
    List<Issue> issues, Optional<Integer> maxDurationSeconds, Optional<String> customAvatarId) {
  public Validation {
    issues = List.copyOf(issues);
  }

  public boolean valid() {
    return issues.isEmpty();
  }
}
