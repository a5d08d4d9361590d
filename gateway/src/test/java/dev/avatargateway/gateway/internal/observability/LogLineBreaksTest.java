package dev.avatargateway.gateway.internal.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.avatargateway.gateway.core.LogFields;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * One event is one line in both formats of the real {@code logback.xml}, whatever line breaks a
 * logged value holds: the text format escapes them in every place a value can go (message,
 * arguments, structured arguments, key-value pairs, the MDC, exception messages down the causes and
 * suppressed ones); the JSON format's string escaping keeps them inside the value, verified here
 * rather than assumed.
 */
class LogLineBreaksTest {
  private static final String LOGGER = "dev.avatargateway.gateway.test";

  /** What a forged line would start with, were a break let through. */
  private static final String FORGED =
      "12:00:00.000 INFO  [main] d.a.g.forged [-] connect finished";

  private static final LoggerContext TEXT_CONTEXT = quiet("text");
  private static final LoggerContext JSON_CONTEXT = quiet("json");
  private static final Encoder<ILoggingEvent> TEXT = encoder(TEXT_CONTEXT, "text");
  private static final Encoder<ILoggingEvent> JSON = encoder(JSON_CONTEXT, "json");

  /**
   * Every character that ends a line somewhere: a terminal, a shipper, Java's {@code \R}, a JS
   * viewer.
   */
  private static final Map<String, String> BREAKS =
      Map.of(
          "LF", "\n",
          "CRLF", "\r\n",
          "CR", "\r",
          "U+2028", "\u2028",
          "U+2029", "\u2029",
          "NEL", "\u0085",
          "VT", "\u000B",
          "FF", "\f");

  /** The escaped form the text format writes for each break. */
  private static final Map<String, String> ESCAPED =
      Map.of(
          "LF", "\\n",
          "CRLF", "\\r\\n",
          "CR", "\\r",
          "U+2028", "\\u2028",
          "U+2029", "\\u2029",
          "NEL", "\\u0085",
          "VT", "\\u000B",
          "FF", "\\u000C");

  /** Where a log statement can put a value. */
  record Place(String name, BiConsumer<Logger, String> logs) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Place> PLACES =
      List.of(
          new Place("message argument", (log, value) -> log.info("principal {} refused", value)),
          new Place("message text", (log, value) -> log.info("concatenated: " + value)),
          new Place(
              "structured argument",
              (log, value) -> log.info("connect finished", kv(LogFields.PRINCIPAL, value))),
          new Place(
              "key-value pair",
              (log, value) -> log.atInfo().addKeyValue("detail", value).log("with pair")),
          new Place(
              "MDC value",
              (log, value) -> {
                MDC.put(LogFields.REQUEST_ID, value);
                try {
                  log.info("with mdc");
                } finally {
                  MDC.remove(LogFields.REQUEST_ID);
                }
              }),
          new Place(
              "exception message",
              (log, value) -> log.error("failed", new IllegalStateException("refused " + value))),
          new Place(
              "cause message",
              (log, value) ->
                  log.error(
                      "failed", new IllegalStateException("outer", new RuntimeException(value)))),
          new Place(
              "suppressed exception message",
              (log, value) -> {
                IllegalStateException failure = new IllegalStateException("outer");
                failure.addSuppressed(new RuntimeException("while closing " + value));
                log.warn("failed", failure);
              }));

  static Stream<Arguments> breaksInEveryPlace() {
    return BREAKS.keySet().stream()
        .sorted()
        .flatMap(name -> PLACES.stream().map(place -> Arguments.of(name, place)));
  }

  @AfterAll
  static void stop() {
    TEXT_CONTEXT.stop();
    JSON_CONTEXT.stop();
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("breaksInEveryPlace")
  void theTextFormatEscapesTheBreakAndWritesOneLine(String breakName, Place place) {
    String value = "alice" + BREAKS.get(breakName) + FORGED;
    try (LogCapture logs = LogCapture.of(TEXT_CONTEXT, TEXT)) {
      place.logs().accept(TEXT_CONTEXT.getLogger(LOGGER), value);

      // Split at every Unicode line break (\R), as the strictest reader would.
      List<String> lines = logs.lines();
      assertThat(lines.getFirst()).matches("[0-9:.]{12} (INFO |WARN |ERROR) \\[main\\] .*");
      // The event's own line, then (with an exception) the exception, its frames and its causes.
      assertThat(lines.subList(1, lines.size()))
          .allSatisfy(
              line ->
                  assertThat(line)
                      .as("a line after the event's own")
                      .matches("(\\t.*|Caused by: .*|java\\.lang\\.[A-Za-z]+: .*)"));
      assertThat(lines).noneMatch(line -> line.startsWith(FORGED));
      assertThat(logs.text())
          .contains("alice" + ESCAPED.get(breakName) + FORGED)
          .doesNotContain(BREAKS.get(breakName) + FORGED);
    }
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("breaksInEveryPlace")
  void theJsonFormatKeepsTheValueWholeInOneLine(String breakName, Place place) {
    String value = "alice" + BREAKS.get(breakName) + FORGED;
    try (LogCapture logs = LogCapture.of(JSON_CONTEXT, JSON)) {
      place.logs().accept(JSON_CONTEXT.getLogger(LOGGER), value);

      // Split at every Unicode line break (\R), as the strictest reader would.
      assertThat(logs.lines()).hasSize(1);
      String written = logs.text();
      assertThat(written).endsWith("\n");
      assertThat(written.substring(0, written.length() - 1)).doesNotContain(BREAKS.get(breakName));
      List<JsonNode> events = logs.events();
      assertThat(events).hasSize(1);
      // The value reads back exactly as logged, somewhere in the event.
      assertThat(strings(events.getFirst())).anyMatch(text -> text.contains(value));
    }
  }

  @Test
  void aTabAndOrdinaryTextStayAsTheyAre() {
    assertThat(LineBreaks.escape("a\tb c-é")).isEqualTo("a\tb c-é");
    assertThat(LineBreaks.escape(null)).isNull();
    assertThat(LineBreaks.escape("\u001B[31mred\u007F\u009F\u0000"))
        .isEqualTo("\\u001B[31mred\\u007F\\u009F\\u0000");
  }

  private static Stream<String> strings(JsonNode node) {
    if (node.isString()) {
      return Stream.of(node.asString());
    }
    return node.valueStream().flatMap(LogLineBreaksTest::strings);
  }

  private static LoggerContext quiet(String format) {
    LoggerContext context =
        LogCapture.configureProductionLogback(Map.of(LogSettings.FORMAT, format));
    assertThat(LogCapture.problems(context)).isEmpty();
    return context;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, String appender) {
    Encoder<ILoggingEvent> encoder = LogCapture.rootEncoder(context, appender);
    // Captured, not printed: keep the test's stdout clean.
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    return encoder;
  }
}
