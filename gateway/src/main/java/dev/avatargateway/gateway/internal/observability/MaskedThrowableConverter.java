package dev.avatargateway.gateway.internal.observability;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * The text format's {@code %maskedEx}: the stack trace with its causes, as {@code %ex} prints it,
 * masked by {@link LogMasking#mask(String)} (an exception message may quote a secret). Each frame
 * and each "Caused by" is a line of its own, but the exceptions' messages are escaped ({@link
 * LineBreaks}): a message holds what callers or upstreams sent, and a line break in it would start
 * a line that reads as a log line of its own.
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {
  /** Logback instantiates it by class name. */
  public MaskedThrowableConverter() {}

  @Override
  public String convert(ILoggingEvent event) {
    return LogMasking.mask(super.convert(event));
  }

  @Override
  protected String throwableProxyToString(IThrowableProxy throwable) {
    return super.throwableProxyToString(new OneLineMessages(throwable));
  }

  /** A throwable whose messages, and those of its causes and suppressed ones, are escaped. */
  private record OneLineMessages(IThrowableProxy throwable) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return LineBreaks.escape(throwable.getMessage());
    }

    @Override
    public String getOverridingMessage() {
      return LineBreaks.escape(throwable.getOverridingMessage());
    }

    @Override
    public String getClassName() {
      return throwable.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return throwable.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return throwable.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      // Wrapped when asked for: a cyclic chain is cut by logback's own proxies, not unrolled here.
      IThrowableProxy cause = throwable.getCause();
      return cause == null ? null : new OneLineMessages(cause);
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = throwable.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] wrapped = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        wrapped[i] = new OneLineMessages(suppressed[i]);
      }
      return wrapped;
    }

    @Override
    public boolean isCyclic() {
      return throwable.isCyclic();
    }
  }
}
