package dev.avatargateway.gateway.internal.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import dev.avatargateway.gateway.core.LogFields;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The production {@code logback.xml} itself, loaded into a fresh logger context per test. */
class LogbackConfigurationTest {
  private LoggerContext context;

  @AfterEach
  void stop() {
    if (context != null) {
      context.stop();
    }
  }

  @Test
  void byDefaultWritesJsonToStdoutWithoutAConfigurationWarning() {
    context = LogCapture.configureProductionLogback(Map.of());

    assertThat(LogCapture.problems(context)).isEmpty();
    Appender<?> json = root().getAppender("json");
    assertThat(json).isInstanceOf(ConsoleAppender.class);
    assertThat(((ConsoleAppender<?>) json).getTarget()).isEqualTo("System.out");
    assertThat(((ConsoleAppender<?>) json).getEncoder()).isInstanceOf(LogstashEncoder.class);
    assertThat(root().getAppender("text")).isNull();
    assertThat(root().getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("dev.avatargateway").getLevel()).isEqualTo(Level.INFO);
  }

  @Test
  void logFormatTextWritesMaskedTextWithStructuredFieldsAndCauses() {
    context = LogCapture.configureProductionLogback(Map.of(LogSettings.FORMAT, " TEXT "));
    assertThat(LogCapture.problems(context)).isEmpty();
    assertThat(root().getAppender("json")).isNull();
    String key = Secrets.runwayKey();
    String jwt = Secrets.jwt();

    try (LogCapture logs = LogCapture.of(context, LogCapture.rootEncoder(context, "text"))) {
      root().detachAppender("text"); // keep the test's stdout clean; its encoder is captured
      Logger log = context.getLogger("dev.avatargateway.gateway.connect.Flow");
      log.info(
          LogCapture.CONNECT_SUMMARY,
          kv(LogFields.OUTCOME, "success"),
          kv(LogFields.TOTAL_MS, 1234),
          kv("livekitToken", jwt));
      log.error(
          "create failed with {}",
          "Bearer " + jwt,
          new IllegalStateException("outer", new IllegalArgumentException("bad key " + key)));

      String text = logs.text();
      assertThat(text)
          .contains("INFO ")
          .contains("connect finished outcome=success totalMs=1234 livekitToken=****")
          .contains("create failed with Bearer ****")
          .contains("java.lang.IllegalStateException: outer")
          .contains("Caused by: java.lang.IllegalArgumentException: bad key ****")
          .doesNotContain(key)
          .doesNotContain(jwt);
    }
  }

  @Test
  void anUnknownFormatFallsBackToJsonWithAWarning() {
    context = LogCapture.configureProductionLogback(Map.of(LogSettings.FORMAT, "xml"));

    assertThat(root().getAppender("json")).isNotNull();
    assertThat(LogCapture.problems(context)).contains("LOG_FORMAT must be json or text");
  }

  @Test
  void logLevelSetsTheGatewayLoggersOnly() {
    context = LogCapture.configureProductionLogback(Map.of(LogSettings.LEVEL, "debug"));

    assertThat(LogCapture.problems(context)).isEmpty();
    assertThat(context.getLogger("dev.avatargateway").getLevel()).isEqualTo(Level.DEBUG);
    assertThat(root().getLevel()).isEqualTo(Level.INFO);
  }

  @Test
  void anUnknownLevelFallsBackToInfoWithAWarning() {
    context = LogCapture.configureProductionLogback(Map.of(LogSettings.LEVEL, "loud"));

    assertThat(context.getLogger("dev.avatargateway").getLevel()).isEqualTo(Level.INFO);
    assertThat(LogCapture.problems(context)).contains("LOG_LEVEL must be");
  }

  private Logger root() {
    return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
