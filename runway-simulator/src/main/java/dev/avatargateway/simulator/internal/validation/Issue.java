package dev.avatargateway.simulator.internal.validation;

import java.util.List;
import java.util.Map;

/**
 * One Zod-style validation issue (runway-api.md §4.1: {@code {code, path, message, ...}}). Codes
 * and messages follow Zod 4 wording (ASSUMPTION: the live API's "Too big" and "Unrecognized key:
 * livekit" messages quoted in client-contract.md §6.3 and §6.16 match Zod 4); only {@code code} and
 * {@code path} are meant to be relied on.
 *
 * @param code Zod issue code, e.g. {@code invalid_type}, {@code too_big}
 * @param path property names and array indexes from the body root to the offending value
 * @param message human-readable text
 * @param details extra Zod members, e.g. {@code expected}, {@code maximum}, {@code keys}
 */
public record Issue(String code, List<Object> path, String message, Map<String, Object> details) {
  public Issue {
    path = List.copyOf(path);
    details = Map.copyOf(details);
  }
}
