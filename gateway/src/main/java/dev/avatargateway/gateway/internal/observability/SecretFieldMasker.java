package dev.avatargateway.gateway.internal.observability;

import net.logstash.logback.mask.FieldMasker;
import tools.jackson.core.TokenStreamContext;

/**
 * Masks the whole value of a JSON field whose name says it is a secret ({@link
 * LogMasking#isSecretFieldName(String)}: {@code authorization}, {@code token}, {@code sessionKey},
 * {@code apiKey}, {@code secret}, {@code password}, in any case and with any prefix), at any depth:
 * MDC entries, structured arguments, key-value pairs and the members of logged objects. Configured
 * in {@code logback.xml} as a {@code <fieldMasker>} of the encoder's {@code
 * MaskingJsonGeneratorDecorator}.
 */
public final class SecretFieldMasker implements FieldMasker {
  /** Logback instantiates it by class name. */
  public SecretFieldMasker() {}

  /** {@link LogMasking#MASK} for a secret field, else null. */
  @Override
  public Object mask(TokenStreamContext context) {
    return context.hasCurrentName() && LogMasking.isSecretFieldName(context.currentName())
        ? LogMasking.MASK
        : null;
  }
}
