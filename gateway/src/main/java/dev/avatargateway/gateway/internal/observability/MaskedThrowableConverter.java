package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The text format's {@code %maskedEx}: the stack trace with its causes, as {@code %ex} prints it,
 * masked by {@link LogMasking#mask(String)} (an exception message may quote a secret).
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {
  /** Logback instantiates it by class name. */
  public MaskedThrowableConverter() {}

  @Override
  public String convert(ILoggingEvent event) {
    return LogMasking.mask(super.convert(event));
  }
}
