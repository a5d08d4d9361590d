package dev.avatargateway.gateway;

import static dev.avatargateway.gateway.TestIdentityProvider.AUDIENCE;
import static dev.avatargateway.gateway.TestIdentityProvider.ISSUER;
import static dev.avatargateway.gateway.TestIdentityProvider.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.avatargateway.gateway.internal.observability.LogCapture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * A JWT's {@code sub} is the principal the connect summary logs; over real HTTP, one whose subject
 * holds a line break (and a forged log line after it) still leaves exactly one summary line: in the
 * text format with the break escaped, in the JSON format as one valid JSON object per line whose
 * {@code principal} is the subject exactly.
 */
class LogLineBreaksEndToEndTest {
  private static final String CONNECT = "/api/avatar/connect";
  private static final String CAT = "{\"avatarId\":\"cat-character\"}";
  private static final String FORGED =
      "12:00:00.000 INFO  [main] d.a.g.forged [-] connect finished";

  private final String hmacSecret = TestIdentityProvider.randomSecret("", 32);
  private GatewayHarness gateway;

  @AfterEach
  void nothingIsLeftBehind() {
    if (gateway != null) {
      gateway.closeAssertingNothingLeaked();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"LF, '\n', '\\n'", "CRLF, '\r\n', '\\r\\n'", "U+2028, '\u2028', '\\u2028'"})
  void aSubjectWithALineBreakLeavesOneSummaryLine(String name, String lineBreak, String escaped) {
    gateway =
        GatewayHarness.start(
            ConnectEndToEndTest.FAST
                + "auth:\n  mode: jwt\n  jwt:\n"
                + ("    hs256Secret: " + hmacSecret + "\n")
                + ("    issuer: " + ISSUER + "\n")
                + ("    audience: " + AUDIENCE + "\n"));
    String subject = "alice" + lineBreak + FORGED;
    String token = TestIdentityProvider.hs256(hmacSecret, claims(subject).build());

    try (LogCapture text = LogCapture.startText();
        LogCapture json = LogCapture.start()) {
      GatewayHarness.Response answer =
          gateway.postJson(CONNECT, CAT, "Authorization", "Bearer " + token);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      String requestId = answer.header("X-Request-Id");
      await().atMost(Duration.ofSeconds(10)).until(() -> summaries(json, requestId).size() == 1);

      // Text: split at every Unicode line break, as the strictest reader would.
      List<String> summaryLines =
          text.lines().stream()
              .filter(line -> line.contains(LogCapture.CONNECT_SUMMARY))
              .filter(line -> line.contains(requestId))
              .toList();
      assertThat(summaryLines).hasSize(1);
      assertThat(summaryLines.getFirst()).contains("principal=alice" + escaped + FORGED);
      assertThat(text.lines()).noneMatch(line -> line.startsWith(FORGED));

      // JSON: every line is one valid object (events() parses each), the subject kept exactly.
      assertThat(json.events()).hasSameSizeAs(json.lines());
      assertThat(summaries(json, requestId).getFirst().get("principal").asString())
          .isEqualTo(subject);
      text.assertNoneContain(token);
      json.assertNoneContain(token);
    }
  }

  private static List<JsonNode> summaries(LogCapture json, String requestId) {
    return json.events(LogCapture.CONNECT_SUMMARY).stream()
        .filter(event -> requestId.equals(event.path("requestId").asString()))
        .toList();
  }
}
