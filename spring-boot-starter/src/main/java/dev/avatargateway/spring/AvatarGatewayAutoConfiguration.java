package dev.avatargateway.spring;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.ConnectListener;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.gateway.core.JsonAnswers;
import dev.avatargateway.runway.RunwayClient;
import dev.avatargateway.spring.internal.GatewaySettings;
import dev.avatargateway.spring.internal.health.AvatarGatewayHealthIndicator;
import dev.avatargateway.spring.internal.security.AuthorityAdmins;
import dev.avatargateway.spring.internal.security.SpringSecurityAuthenticator;
import dev.avatargateway.spring.internal.web.AdminEndpoints;
import dev.avatargateway.spring.internal.web.AvatarEndpoints;
import dev.avatargateway.spring.internal.web.ClientDisconnects;
import dev.avatargateway.spring.internal.web.DrainOnStop;
import dev.avatargateway.spring.internal.web.GatewayRequestFilter;
import dev.avatargateway.spring.internal.web.SessionEndpoints;
import dev.avatargateway.spring.internal.web.UsageEndpoints;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The gateway in a Spring Boot application: a {@link RunwayClient}, a {@link GatewayCore} on the
 * application's {@code MeterRegistry}, {@code DataSource} and Spring Security principal, the
 * connect endpoints, a drain on stop and an Actuator health indicator. Every bean is {@link
 * ConditionalOnMissingBean}: define your own to replace it (docs/spring-boot.md).
 *
 * <p>After the DataSource and metrics auto-configurations, so that their beans exist when this
 * looks for them.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@EnableConfigurationProperties(RunwayProperties.class)
public class AvatarGatewayAutoConfiguration {
  /**
   * The API key sent when {@code runway.simulated} is true and no secret is set: the simulator's
   * default key ({@code SimulatorConfig.DEFAULT_API_KEY}), worthless anywhere else.
   */
  static final String SIMULATOR_KEY = "key_simulator";

  /** The name of the bean that registers {@link GatewayRequestFilter}. */
  public static final String REQUEST_FILTER = "avatarGatewayRequestFilter";

  /** The starter's paths, and so where {@link GatewayRequestFilter} applies. */
  static final String[] FILTERED_PATHS = {"/api/avatar/*", "/api/admin/*"};

  /**
   * Ahead of Spring Security's filter chain, whose default order is -100 ({@code
   * spring.security.filter.order}), so that a refused request meets no login filter; behind the
   * forwarded-headers filter of {@code server.forward-headers-strategy=framework} (the highest
   * precedence), so that the scheme and host a request is judged by are the forwarded ones.
   */
  static final int REQUEST_FILTER_ORDER = -110;

  /** The path the asynchronous start's 202 points its Location and events under. */
  static final String SESSIONS_PATH = SessionEndpoints.SESSIONS;

  /** The Runway client, from {@code runway.*}; also for the application's own Runway calls. */
  @Bean
  @ConditionalOnMissingBean
  public RunwayClient runwayClient(RunwayProperties runway) {
    runway.validate();
    return RunwayClient.builder()
        .apiKey(runway.apiSecret() == null ? SIMULATOR_KEY : runway.apiSecret())
        .baseUrl(runway.baseUrl())
        .timeout(runway.requestTimeout())
        .maxRetries(runway.maxRetries())
        .maxConnections(runway.maxConnections())
        .build();
  }

  /** {@code avatar-gateway.*}, bound once (see {@link GatewaySettings} for why not by Spring). */
  @Bean
  @ConditionalOnMissingBean
  public GatewaySettings avatarGatewaySettings(Environment environment) {
    return GatewaySettings.bind(environment);
  }

  /** How answers are rendered, and so stored for idempotent replays: the gateway's JSON. */
  @Bean
  @ConditionalOnMissingBean
  public AnswerRenderer avatarGatewayAnswers() {
    return new JsonAnswers(SESSIONS_PATH);
  }

  /**
   * The gateway itself, from {@code avatar-gateway.*}; closed (its ledger run retired, its pools
   * closed) when the application stops.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public GatewayCore avatarGatewayCore(
      RunwayClient runwayClient,
      RunwayProperties runway,
      GatewaySettings settings,
      AnswerRenderer answers,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<ConnectListener> listeners,
      ObjectProvider<GatewayCoreCustomizer> customizers) {
    AvatarGatewayProperties gateway = settings.properties();
    runway.validate();
    gateway.web().validate();
    GatewayCore.Builder builder =
        GatewayCore.builder(runwayClient)
            .connect(gateway.connect())
            .avatars(gateway.avatars())
            .auth(gateway.auth())
            .rateLimit(gateway.rateLimit())
            .admission(gateway.admission())
            .line(gateway.line())
            .readiness(gateway.readiness())
            .sessions(gateway.sessions())
            .ledger(gateway.ledger())
            .budgets(gateway.budgets())
            .idempotency(gateway.idempotency(), Optional.ofNullable(runway.apiSecret()))
            .redis(gateway.redis())
            .answers(answers)
            .simulatedUpstream(runway.simulated());
    meterRegistry.ifAvailable(builder::meterRegistry);
    dataSource.ifUnique(builder::ledgerDataSource);
    authenticator.ifAvailable(builder::authenticator);
    listeners.orderedStream().forEach(builder::listener);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw named(e);
    }
  }

  /** The setting as an application property: {@code avatar-gateway.connect.deadline}. */
  private static ConfigException named(ConfigException e) {
    String prefix = "Invalid setting " + e.setting() + ": ";
    String problem =
        e.getMessage().startsWith(prefix)
            ? e.getMessage().substring(prefix.length())
            : e.getMessage();
    if (e.setting().equals(AUTH_MODE)) {
      // The core names its own settings; in an application the way out is one of the starter's.
      problem +=
          " (in this application: "
              + SPRING_SECURITY_ONLY
              + "=true admits only Spring Security's users, and needs no mode)";
    }
    ConfigException named = new ConfigException("avatar-gateway." + e.setting(), problem);
    named.initCause(e);
    return named;
  }

  /** Drains connects in flight before the web server stops. */
  @Bean
  @ConditionalOnMissingBean
  public DrainOnStop avatarGatewayDrain(GatewayCore core, GatewaySettings settings) {
    return new DrainOnStop(core, settings.properties().web().shutdownGrace());
  }

  /**
   * The endpoints, in a servlet web application unless {@code avatar-gateway.web.enabled=false}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnBooleanProperty(name = "avatar-gateway.web.enabled", matchIfMissing = true)
  static class Endpoints {
    @Bean
    @ConditionalOnMissingBean
    AvatarEndpoints avatarGatewayEndpoints(
        GatewayCore core,
        AnswerRenderer answers,
        GatewaySettings settings,
        ClientDisconnects disconnects) {
      return new AvatarEndpoints(
          core, answers, settings.properties().web().maxBodyBytes(), disconnects);
    }

    @Bean
    @ConditionalOnMissingBean
    SessionEndpoints avatarGatewaySessionEndpoints(
        GatewayCore core,
        AnswerRenderer answers,
        GatewaySettings settings,
        ClientDisconnects disconnects) {
      return new SessionEndpoints(
          core, answers, settings.properties().web().maxBodyBytes(), disconnects);
    }

    /** One sweep thread that notices clients that leave; closed with the context. */
    @Bean
    @ConditionalOnMissingBean
    ClientDisconnects avatarGatewayClientDisconnects() {
      return ClientDisconnects.forThisContainer();
    }

    @Bean
    @ConditionalOnMissingBean
    UsageEndpoints avatarGatewayUsageEndpoints(GatewayCore core, AnswerRenderer answers) {
      return new UsageEndpoints(core, answers);
    }

    @Bean
    @ConditionalOnMissingBean
    AdminEndpoints avatarGatewayAdminEndpoints(GatewayCore core, AnswerRenderer answers) {
      return new AdminEndpoints(core, answers);
    }

    /**
     * Request ids and the origin check ({@link GatewayRequestFilter}) on the starter's paths, ahead
     * of Spring Security's filter chain so that a refused request reaches nothing. Replaced by an
     * application's bean of this name.
     */
    @Bean
    @ConditionalOnMissingBean(name = REQUEST_FILTER)
    FilterRegistrationBean<GatewayRequestFilter> avatarGatewayRequestFilter(
        AnswerRenderer answers, GatewaySettings settings) {
      AvatarGatewayProperties.Web web = settings.properties().web();
      web.validate();
      FilterRegistrationBean<GatewayRequestFilter> registration =
          new FilterRegistrationBean<>(
              new GatewayRequestFilter(
                  web.originCheck(),
                  web.cors().allowedOrigins(),
                  web.cors().maxAge(),
                  web.cors().allowCredentials(),
                  answers));
      registration.addUrlPatterns(FILTERED_PATHS);
      registration.setOrder(REQUEST_FILTER_ORDER);
      return registration;
    }
  }

  /**
   * With Spring Security: its authenticated principal is the gateway's, else {@code
   * avatar-gateway.auth.*} decides; its users with the admin authority are admins. Not with an
   * application's own {@link Authenticator} bean, which then decides alone.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SecurityContextHolder.class)
  static class Security {
    @Bean
    @ConditionalOnMissingBean({Authenticator.class, SpringSecurityPrincipal.class})
    SpringSecurityPrincipal avatarGatewaySpringSecurityPrincipal(Environment environment) {
      return new SpringSecurityPrincipal(
          environment.getProperty(SPRING_SECURITY_ONLY, Boolean.class, false));
    }

    /**
     * Spring Security's users with the authority {@code avatar-gateway.auth.admin.authority} names
     * are admins besides the admin keys' holders. Not with an application's own {@link
     * Authenticator}, which leaves Spring Security out altogether (its own {@link
     * GatewayCoreCustomizer} may call {@code adminsAround}).
     */
    @Bean
    @ConditionalOnMissingBean({Authenticator.class, SpringSecurityAdmins.class})
    SpringSecurityAdmins avatarGatewaySpringSecurityAdmins(Environment environment) {
      return new SpringSecurityAdmins(
          environment.getProperty(ADMIN_AUTHORITY, AuthorityAdmins.DEFAULT_AUTHORITY));
    }
  }

  /**
   * The Spring Security authority of admins; empty: none, only the admin keys. Not a field of the
   * core's {@code AuthConfig}, which knows nothing of Spring, so read here (its metadata is in
   * {@code additional-spring-configuration-metadata.json}).
   */
  static final String ADMIN_AUTHORITY = "avatar-gateway.auth.admin.authority";

  /** Puts {@link AuthorityAdmins} around the admin keys, unless the authority is empty. */
  static final class SpringSecurityAdmins implements GatewayCoreCustomizer {
    private final String authority;

    SpringSecurityAdmins(String authority) {
      this.authority = authority.strip();
    }

    @Override
    public void customize(GatewayCore.Builder builder) {
      if (!authority.isEmpty()) {
        builder.adminsAround(keys -> new AuthorityAdmins(authority, keys));
      }
    }
  }

  /**
   * Whether only Spring Security's users may call the gateway: a request it did not authenticate is
   * 401 {@code unauthenticated}, and {@code avatar-gateway.auth.mode} must stay unset; default
   * false ({@code avatar-gateway.auth.*} decides for such requests). Not a field of the core's
   * {@code AuthConfig}, which knows nothing of Spring, so read here.
   */
  static final String SPRING_SECURITY_ONLY = "avatar-gateway.auth.spring-security-only";

  /** The core's name of the setting a failed authentication check names. */
  private static final String AUTH_MODE = "auth.mode";

  /**
   * Puts {@link SpringSecurityAuthenticator} around the configured authenticator, or, with {@value
   * #SPRING_SECURITY_ONLY}, makes it the only one: then nobody else is let in, so the core needs no
   * {@code allow-unauthenticated-with-real-runway} with a real Runway.
   */
  static final class SpringSecurityPrincipal implements GatewayCoreCustomizer {
    private final boolean only;

    SpringSecurityPrincipal(boolean only) {
      this.only = only;
    }

    @Override
    public void customize(GatewayCore.Builder builder) {
      if (only) {
        builder.authenticator(SpringSecurityAuthenticator.only());
      } else {
        builder.authenticatorAround(SpringSecurityAuthenticator::new);
      }
    }
  }

  /** With the Actuator's health: the {@code avatarGateway} component. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "avatarGatewayHealthIndicator")
    HealthIndicator avatarGatewayHealthIndicator(GatewayCore core) {
      return new AvatarGatewayHealthIndicator(core);
    }
  }
}
