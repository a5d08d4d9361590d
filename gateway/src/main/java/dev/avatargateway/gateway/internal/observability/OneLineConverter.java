package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * The text format's {@code %oneLine(...)}: whatever the enclosed pattern writes (timestamp, level,
 * thread, logger, MDC values, the message) with every line break and control character escaped by
 * {@link LineBreaks}, so that one event is one line whatever its values hold. The stack trace
 * ({@code %maskedEx}) stays outside: its frames are lines of their own, and {@link
 * MaskedThrowableConverter} escapes the exception messages in it.
 */
public final class OneLineConverter extends CompositeConverter<ILoggingEvent> {
  /** Logback instantiates it by class name. */
  public OneLineConverter() {}

  @Override
  protected String transform(ILoggingEvent event, String in) {
    return LineBreaks.escape(in);
  }
}
