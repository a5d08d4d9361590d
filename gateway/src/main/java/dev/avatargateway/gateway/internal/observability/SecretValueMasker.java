package dev.avatargateway.gateway.internal.observability;

import net.logstash.logback.mask.ValueMasker;
import tools.jackson.core.TokenStreamContext;

/**
 * Masks secrets inside every string the JSON encoder writes (message, MDC values, structured
 * arguments, stack traces), by the rules of {@link LogMasking#mask(String)}. Configured in {@code
 * logback.xml} as a {@code <valueMasker>} of the encoder's {@code MaskingJsonGeneratorDecorator}.
 */
public final class SecretValueMasker implements ValueMasker {
  /** Logback instantiates it by class name. */
  public SecretValueMasker() {}

  /** The masked text, or null when the value is not text or holds no secret. */
  @Override
  public Object mask(TokenStreamContext context, Object value) {
    if (value instanceof CharSequence text) {
      String original = text.toString();
      String masked = LogMasking.mask(original);
      return masked.equals(original) ? null : masked;
    }
    return null;
  }
}
