package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captures every log line the process writes while it is open, encoded exactly as production
 * encodes it: by the JSON encoder that the real {@code logback.xml} configures (masking included),
 * whatever configuration the test run itself uses. For tests that must prove no secret reaches a
 * log line on any path:
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *   ... drive the gateway over HTTP ...
 *   logs.assertNoneContain(runwaySecret, sessionKey, livekitToken, "Bearer " + gatewayJwt);
 *   JsonNode summary = logs.events(LogCapture.CONNECT_SUMMARY).getFirst();
 * }
 * }</pre>
 *
 * It listens on the root logger, so it sees every logger at the levels in force: INFO and above in
 * tests (see {@code logback-test.xml}); {@link #startAtDebug()} lowers the gateway's own loggers
 * ({@code dev.avatargateway}, client and simulator included) to DEBUG while it is open. Lines
 * logged after the HTTP answer (a summary written after the response) may need an Awaitility wait.
 */
public final class LogCapture implements AutoCloseable {
  /**
   * The message of gateway-core's one summary line per connect. Written out rather than taken from
   * the core: operators' log queries match this text, so a renamed message must fail a test.
   */
  public static final String CONNECT_SUMMARY = "connect finished";

  private static final String GATEWAY_LOGGERS = "dev.avatargateway";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** Open captures that asked for DEBUG, and the level to restore after the last one closes. */
  private static int debugCaptures;

  private static Level levelBeforeDebug;

  private final Logger root;
  private final CapturingAppender appender;
  private final boolean debug;

  private LogCapture(LoggerContext context, Encoder<ILoggingEvent> encoder, boolean debug) {
    this.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    this.debug = debug;
    this.appender = new CapturingAppender(encoder);
    appender.setContext(context);
    appender.setName("log-capture-" + NAMES.incrementAndGet());
    appender.start();
    if (debug) {
      lowerToDebug(context);
    }
    root.addAppender(appender);
  }

  /** Starts capturing the process's log output at the configured levels. */
  public static LogCapture start() {
    return new LogCapture(processContext(), ProductionEncoder.INSTANCE, false);
  }

  /**
   * Starts capturing, with the gateway's loggers at DEBUG until {@link #close()}: for proving that
   * not even debug output of a path holds a secret.
   */
  public static LogCapture startAtDebug() {
    return new LogCapture(processContext(), ProductionEncoder.INSTANCE, true);
  }

  /**
   * Starts capturing the process's log output as the production text format ({@code
   * LOG_FORMAT=text}) writes it; {@link #events()} does not apply to it.
   */
  public static LogCapture startText() {
    return new LogCapture(processContext(), ProductionTextEncoder.INSTANCE, false);
  }

  /**
   * Captures what a given context logs, encoded by the given encoder (for this package's tests).
   */
  static LogCapture of(LoggerContext context, Encoder<ILoggingEvent> encoder) {
    return new LogCapture(context, encoder, false);
  }

  /** Everything captured so far, exactly as encoded (JSON lines, each ending in a line break). */
  public String text() {
    return appender.text();
  }

  /** The captured lines, without their line breaks. */
  public List<String> lines() {
    String text = text();
    return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
  }

  /**
   * Every captured line parsed as JSON.
   *
   * @throws tools.jackson.core.JacksonException if a line is not a JSON object
   */
  public List<JsonNode> events() {
    return lines().stream().map(JSON::readTree).toList();
  }

  /** The captured events whose {@code message} is exactly this. */
  public List<JsonNode> events(String message) {
    return events().stream()
        .filter(event -> event.has("message") && message.equals(event.get("message").asString()))
        .toList();
  }

  /**
   * Fails if any captured line contains any of these values. The failure names the value by its
   * position and shows the offending line with the value replaced by {@code <SECRET#n>}, so the
   * secret itself is not printed again.
   *
   * @param secrets values that must not appear; null and empty ones are skipped
   */
  public void assertNoneContain(String... secrets) {
    List<String> lines = lines();
    for (int i = 0; i < secrets.length; i++) {
      String secret = secrets[i];
      if (secret == null || secret.isEmpty()) {
        continue;
      }
      String placeholder = "<SECRET#" + i + ">";
      List<String> leaks =
          lines.stream()
              .filter(line -> line.contains(secret))
              .map(line -> line.replace(secret, placeholder))
              .toList();
      if (!leaks.isEmpty()) {
        throw new AssertionError(
            "secret #"
                + i
                + " ("
                + secret.length()
                + " characters) appears in "
                + leaks.size()
                + " of "
                + lines.size()
                + " log lines, e.g.:\n"
                + leaks.getFirst());
      }
    }
  }

  /** Stops capturing (and restores the gateway's log level after {@link #startAtDebug()}). */
  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    if (debug) {
      restoreLevel(root.getLoggerContext());
    }
  }

  private static LoggerContext processContext() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static synchronized void lowerToDebug(LoggerContext context) {
    Logger gateway = context.getLogger(GATEWAY_LOGGERS);
    if (debugCaptures++ == 0) {
      levelBeforeDebug = gateway.getLevel();
      gateway.setLevel(Level.DEBUG);
    }
  }

  private static synchronized void restoreLevel(LoggerContext context) {
    if (--debugCaptures == 0) {
      context.getLogger(GATEWAY_LOGGERS).setLevel(levelBeforeDebug);
    }
  }

  /**
   * A fresh logger context configured from the production {@code logback.xml}, with these
   * properties set first (they win over system properties and the environment), e.g. {@code
   * LOG_FORMAT}. Statuses are left for the caller to inspect.
   */
  static LoggerContext configureProductionLogback(Map<String, String> properties) {
    URL config = LogCapture.class.getClassLoader().getResource("logback.xml");
    if (config == null) {
      throw new IllegalStateException("logback.xml is not on the class path");
    }
    LoggerContext context = new LoggerContext();
    context.setName("production-logback-" + NAMES.incrementAndGet());
    properties.forEach(context::putProperty);
    // As SLF4J's provider sets up its context: without a started context and an MDC adapter,
    // every event is dropped (with only a status message).
    context.setMDCAdapter(MDC.getMDCAdapter());
    context.start();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("logback.xml does not configure", e);
    }
    return context;
  }

  /**
   * The configuration warnings and errors of a context, one per line; empty when there are none.
   */
  static String problems(LoggerContext context) {
    return context.getStatusManager().getCopyOfStatusList().stream()
        .filter(status -> status.getEffectiveLevel() >= Status.WARN)
        .map(Status::toString)
        .collect(Collectors.joining("\n"));
  }

  /** The encoder of the production configuration's root appender with this name. */
  @SuppressWarnings("unchecked")
  static Encoder<ILoggingEvent> rootEncoder(LoggerContext context, String appenderName) {
    var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(appenderName);
    if (!(appender instanceof OutputStreamAppender<?> stream)) {
      throw new IllegalStateException(
          "logback.xml has no output-stream appender \"" + appenderName + "\" on the root logger");
    }
    return (Encoder<ILoggingEvent>) stream.getEncoder();
  }

  /** The production JSON encoder, configured once from {@code logback.xml} and shared. */
  private static final class ProductionEncoder {
    static final Encoder<ILoggingEvent> INSTANCE = create();

    private static Encoder<ILoggingEvent> create() {
      LoggerContext context = configureProductionLogback(Map.of(LogSettings.FORMAT, "json"));
      String problems = problems(context);
      if (!problems.isEmpty()) {
        throw new IllegalStateException("logback.xml configures with problems:\n" + problems);
      }
      // The context stays started: its encoder needs it. Nothing logs through that context.
      return rootEncoder(context, "json");
    }
  }

  /** The production text encoder, configured once from {@code logback.xml} and shared. */
  private static final class ProductionTextEncoder {
    static final Encoder<ILoggingEvent> INSTANCE = create();

    private static Encoder<ILoggingEvent> create() {
      LoggerContext context = configureProductionLogback(Map.of(LogSettings.FORMAT, "text"));
      String problems = problems(context);
      if (!problems.isEmpty()) {
        throw new IllegalStateException("logback.xml configures with problems:\n" + problems);
      }
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      Encoder<ILoggingEvent> encoder = rootEncoder(context, "text");
      // Nothing logs through that context, but its console appender is not needed either.
      root.detachAppender("text");
      return encoder;
    }
  }

  private static final class CapturingAppender extends AppenderBase<ILoggingEvent> {
    private final Encoder<ILoggingEvent> encoder;
    private final StringBuilder captured = new StringBuilder();

    CapturingAppender(Encoder<ILoggingEvent> encoder) {
      this.encoder = encoder;
    }

    @Override
    protected void append(ILoggingEvent event) {
      // AppenderBase.doAppend is synchronized, so appends never interleave.
      String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
      synchronized (captured) {
        captured.append(line);
      }
    }

    String text() {
      synchronized (captured) {
        return captured.toString();
      }
    }
  }
}
