package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.StopReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo pages' messages (gateway/web/src/shared/messages.json) against the gateway's own codes:
 * every error code the gateway answers has a sentence, and no sentence is kept for a code that does
 * not exist (a renamed code would otherwise leave users with the generic fallback).
 */
class BrowserMessagesTest {
  private static final Path MESSAGES = DemoBrowser.WEB.resolve("src/shared/messages.json");

  /** The cancelled section's fallback for a reason this version does not know. */
  private static final String UNKNOWN_REASON = "unknown";

  private static JsonNode messages() throws Exception {
    return JsonMapper.builder().build().readTree(Files.readString(MESSAGES));
  }

  private static Set<String> keys(JsonNode section) {
    return new HashSet<>(section.propertyNames());
  }

  @Test
  void everyErrorCodeHasAMessageAndEveryMessageAKnownCode() throws Exception {
    Set<String> codes = new HashSet<>();
    Arrays.stream(ErrorCode.values()).map(ErrorCode::code).forEach(codes::add);

    JsonNode errors = messages().path("errors");

    assertThat(keys(errors)).as("messages.json errors").containsExactlyInAnyOrderElementsOf(codes);
    errors.forEach(message -> assertThat(message.asString()).isNotBlank());
  }

  @Test
  void everyCancelReasonHasAMessageAndEveryMessageAKnownReason() throws Exception {
    Set<String> reasons = new HashSet<>();
    Arrays.stream(StopReason.values()).map(StopReason::code).forEach(reasons::add);
    reasons.add(UNKNOWN_REASON);

    JsonNode cancelled = messages().path("cancelled");

    assertThat(keys(cancelled))
        .as("messages.json cancelled")
        .containsExactlyInAnyOrderElementsOf(reasons);
    cancelled.forEach(message -> assertThat(message.asString()).isNotBlank());
  }
}
