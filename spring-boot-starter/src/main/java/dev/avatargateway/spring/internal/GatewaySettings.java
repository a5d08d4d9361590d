package dev.avatargateway.spring.internal;

import dev.avatargateway.gateway.core.Durations;
import dev.avatargateway.spring.AvatarGatewayProperties;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.properties.bind.BindConstructorProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.Environment;

/**
 * {@code avatar-gateway.*} bound onto gateway-core's records, once. Not Spring's own {@code
 * ConfigurationProperties} binding, for two reasons: the core's records with a convenience
 * constructor besides the canonical one ({@code AuthConfig}, {@code RateLimitConfig}) are silently
 * left at their defaults by it (it binds by constructor only when there is one), and its durations
 * are not the gateway's ({@code 1.5s}). This binder takes every record's canonical constructor and
 * reads durations as the gateway's YAML does ({@link Durations#parse}). A value that cannot be read
 * fails start-up naming its property ({@code Failed to bind properties under
 * 'avatar-gateway.connect.deadline'}).
 *
 * @param properties the bound settings
 */
public record GatewaySettings(AvatarGatewayProperties properties) {
  /** The prefix of every setting. */
  public static final String PREFIX = "avatar-gateway";

  /** Binds {@value #PREFIX} from the application's environment. */
  public static GatewaySettings bind(Environment environment) {
    ApplicationConversionService conversions = new ApplicationConversionService();
    // Added last, so tried first: the gateway's grammar for every duration.
    conversions.addConverter(String.class, Duration.class, Durations::parse);
    Binder binder =
        new Binder(
            ConfigurationPropertySources.get(environment),
            new PropertySourcesPlaceholdersResolver(environment),
            List.of(conversions),
            null,
            null,
            GatewaySettings::canonicalConstructor);
    return new GatewaySettings(
        binder.bindOrCreate(PREFIX, Bindable.of(AvatarGatewayProperties.class)));
  }

  /** A record's canonical constructor; Spring's choice for anything else. */
  private static Constructor<?> canonicalConstructor(Bindable<?> bindable, boolean nested) {
    Class<?> type = bindable.getType().resolve();
    if (type != null && type.isRecord() && bindable.getValue() == null) {
      Class<?>[] parameters =
          Arrays.stream(type.getRecordComponents())
              .map(RecordComponent::getType)
              .toArray(Class<?>[]::new);
      try {
        return type.getDeclaredConstructor(parameters);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("A record without its canonical constructor: " + type, e);
      }
    }
    return BindConstructorProvider.DEFAULT.getBindConstructor(bindable, nested);
  }
}
