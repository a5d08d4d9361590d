package dev.avatargateway.gateway.internal.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.avatargateway.gateway.core.LogFields;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * The real {@code logback.xml} JSON encoder masks every secret, wherever a log statement puts it.
 * Each case logs through SLF4J into the process's logback, captured by {@link LogCapture} with the
 * production encoder.
 */
class JsonLogMaskingTest {
  private static final String LOGGER = "dev.avatargateway.gateway.test";

  /** Logs through the process's logback, as the end-to-end tests do. */
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  /**
   * A context of its own, configured from the production {@code logback.xml} with its console
   * appender detached: the same encoder, but the ERROR lines these cases write are not printed.
   */
  private static final LoggerContext PRODUCTION =
      LogCapture.configureProductionLogback(Map.of(LogSettings.FORMAT, "json"));

  private static final Encoder<ILoggingEvent> ENCODER = LogCapture.rootEncoder(PRODUCTION, "json");

  private static final Logger QUIET = PRODUCTION.getLogger(LOGGER);

  static {
    PRODUCTION.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender("json");
  }

  /** Where a log statement can put a value. */
  record Place(String name, BiConsumer<Logger, String> logs) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Place> PLACES =
      List.of(
          new Place("message argument", (log, secret) -> log.info("upstream said {}", secret)),
          new Place("message text", (log, secret) -> log.info("concatenated: " + secret)),
          new Place(
              "MDC value",
              (log, secret) -> {
                MDC.put("context", "call " + secret);
                try {
                  log.info("with mdc");
                } finally {
                  MDC.remove("context");
                }
              }),
          new Place(
              "structured argument",
              (log, secret) -> log.info("with argument", kv("detail", secret))),
          new Place(
              "nested structured argument",
              (log, secret) ->
                  log.info("with object", kv("call", Map.of("items", List.of("x", secret))))),
          new Place(
              "key-value pair",
              (log, secret) -> log.atInfo().addKeyValue("detail", secret).log("with pair")),
          new Place(
              "exception message",
              (log, secret) -> log.error("failed", new IllegalStateException("refused " + secret))),
          new Place(
              "cause message",
              (log, secret) ->
                  log.error(
                      "failed",
                      new IllegalStateException(
                          "outer", new RuntimeException("inner", new RuntimeException(secret))))),
          new Place(
              "suppressed exception message",
              (log, secret) -> {
                IllegalStateException failure = new IllegalStateException("outer");
                failure.addSuppressed(new RuntimeException("while closing " + secret));
                log.warn("failed", failure);
              }));

  static Stream<Arguments> secretsInEveryPlace() {
    String registered = "registered" + Secrets.opaque();
    LogMasking.registerSecret(registered);
    Map<String, String> secrets =
        Map.of(
            "Runway API key",
            Secrets.runwayKey(),
            "session key",
            Secrets.sessionKey(),
            "JWT (LiveKit token)",
            Secrets.jwt(),
            "Bearer credential",
            "Bearer " + Secrets.opaque(),
            "name=value",
            "apiKey=" + Secrets.opaque(),
            "registered secret",
            registered);
    return secrets.entrySet().stream()
        .flatMap(
            secret ->
                PLACES.stream()
                    .map(place -> Arguments.of(secret.getKey(), secret.getValue(), place)));
  }

  @ParameterizedTest(name = "{0} in {2}")
  @MethodSource("secretsInEveryPlace")
  void masksSecretValues(String kind, String secret, Place place) {
    try (LogCapture logs = LogCapture.of(PRODUCTION, ENCODER)) {
      place.logs().accept(QUIET, secret);

      assertThat(logs.lines()).hasSize(1);
      logs.assertNoneContain(secret, sensitivePart(secret));
      assertThat(logs.text()).as(kind).contains(LogMasking.MASK);
      assertThat(logs.events()).hasSize(1);
    }
  }

  static Stream<String> secretFieldNames() {
    return Stream.of(
        "authorization",
        "Authorization",
        "token",
        "livekitToken",
        "sessionKey",
        "apiKey",
        "x-api-key",
        "secret",
        "password");
  }

  @ParameterizedTest
  @MethodSource("secretFieldNames")
  void masksWholeValuesOfSecretFieldsWherever(String name) {
    String value = Secrets.opaque();
    try (LogCapture logs = LogCapture.start()) {
      MDC.put(name, value);
      try {
        LOG.info("in mdc");
      } finally {
        MDC.remove(name);
      }
      LOG.info("as argument", kv(name, value));
      LOG.atInfo().addKeyValue(name, value).log("as pair");
      LOG.info("nested", kv("request", Map.of("headers", Map.of(name, value))));

      logs.assertNoneContain(value);
      List<JsonNode> events = logs.events();
      assertThat(events).hasSize(4);
      for (JsonNode event : events.subList(0, 3)) {
        assertThat(event.get(name).asString()).isEqualTo(LogMasking.MASK);
      }
      assertThat(events.get(3).get("request").get("headers").get(name).asString())
          .isEqualTo(LogMasking.MASK);
    }
  }

  @Test
  void writesOneValidJsonObjectPerLineWithMdcAndStackTraceWithCauses() {
    try (LogCapture logs = LogCapture.of(PRODUCTION, ENCODER)) {
      MDC.put(LogFields.REQUEST_ID, "req-123");
      try {
        QUIET.error(
            "upstream call failed\nsecond line",
            new IllegalStateException("outer failure", new IllegalArgumentException("root cause")));
      } finally {
        MDC.remove(LogFields.REQUEST_ID);
      }
      QUIET.info("plain {}", "line");

      assertThat(logs.lines()).hasSize(2);
      JsonNode error = logs.events().getFirst();
      assertThat(error.get("level").asString()).isEqualTo("ERROR");
      assertThat(error.get("message").asString()).isEqualTo("upstream call failed\nsecond line");
      assertThat(error.get("logger_name").asString()).isEqualTo(QUIET.getName());
      assertThat(error.get("requestId").asString()).isEqualTo("req-123");
      assertThat(error.get("@timestamp").asString()).endsWith("Z");
      assertThat(error.get("throwable_root_cause_class").asString())
          .isEqualTo(IllegalArgumentException.class.getSimpleName());
      assertThat(error.get("stack_trace").asString())
          .contains("java.lang.IllegalStateException: outer failure")
          .contains("Caused by: java.lang.IllegalArgumentException: root cause")
          .contains("at dev.avatargateway.gateway.internal.observability.JsonLogMaskingTest");
      assertThat(logs.events().get(1).get("message").asString()).isEqualTo("plain line");
      assertThat(logs.events().get(1).has("requestId")).isFalse();
    }
  }

  @Test
  void leavesOrdinaryValuesReadable() {
    try (LogCapture logs = LogCapture.start()) {
      LOG.info(
          "token bucket for principal {} is empty",
          "alice",
          kv("avatarId", "cat-character"),
          kv("code", "avatar_not_allowed"));

      JsonNode event = logs.events().getFirst();
      assertThat(event.get("message").asString())
          .isEqualTo("token bucket for principal alice is empty");
      assertThat(event.get("avatarId").asString()).isEqualTo("cat-character");
      assertThat(event.get("code").asString()).isEqualTo("avatar_not_allowed");
      assertThat(logs.text()).doesNotContain(LogMasking.MASK);
    }
  }

  @Test
  void assertNoneContainReportsALeakWithoutRepeatingTheSecret() {
    String secret = Secrets.opaque();
    try (LogCapture logs = LogCapture.start()) {
      LOG.info("harmless {}", secret);

      assertThatThrownBy(() -> logs.assertNoneContain("absent", secret))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("secret #1")
          .hasMessageContaining("<SECRET#1>")
          .hasMessageNotContaining(secret);
    }
  }

  @Test
  void captureAtDebugSeesDebugLinesAndRestoresTheLevel() {
    try (LogCapture logs = LogCapture.startAtDebug()) {
      LOG.debug("debug detail");
      assertThat(logs.events("debug detail")).hasSize(1);
    }
    try (LogCapture logs = LogCapture.start()) {
      LOG.debug("debug detail");
      assertThat(logs.lines()).isEmpty();
    }
  }

  /** The part of a secret after its scheme or name, which must not appear on its own either. */
  private static String sensitivePart(String secret) {
    int separator = Math.max(secret.indexOf(' '), secret.indexOf('='));
    return separator < 0 ? secret : secret.substring(separator + 1);
  }
}
