package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import net.logstash.logback.argument.StructuredArgument;
import org.slf4j.event.KeyValuePair;

/**
 * The text format's {@code %maskedMsg}: the formatted message, then the structured arguments that
 * no placeholder used and the SLF4J key-value pairs as {@code key=value}, so the connect summary
 * reads fully in text too; all masked by {@link LogMasking#mask(String)}, with line breaks and
 * control characters escaped ({@link LineBreaks}), so that no value can end the line.
 */
public final class MaskedMessageConverter extends ClassicConverter {
  private static final String PLACEHOLDER = "{}";

  /** Logback instantiates it by class name. */
  public MaskedMessageConverter() {}

  @Override
  public String convert(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
    Object[] arguments = event.getArgumentArray();
    if (arguments != null) {
      for (int i = placeholders(event.getMessage()); i < arguments.length; i++) {
        if (arguments[i] instanceof StructuredArgument argument) {
          text.append(' ').append(argument);
        }
      }
    }
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        text.append(' ').append(pair.key).append('=').append(pair.value);
      }
    }
    // Masked first: the secret patterns see the text as logged; then kept on one line.
    return LineBreaks.escape(LogMasking.mask(text.toString()));
  }

  private static int placeholders(String pattern) {
    if (pattern == null) {
      return 0;
    }
    int count = 0;
    for (int at = pattern.indexOf(PLACEHOLDER);
        at >= 0;
        at = pattern.indexOf(PLACEHOLDER, at + 2)) {
      count++;
    }
    return count;
  }
}
