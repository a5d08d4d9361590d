package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.spring.internal.GatewaySettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/**
 * The properties reach the core's records, and an invalid value stops start-up naming it as an
 * application property. No upstream is reached: the core only builds.
 */
class PropertiesValidationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AvatarGatewayAutoConfiguration.class))
          .withPropertyValues(
              "runway.simulated=true",
              "runway.base-url=http://127.0.0.1:9",
              "avatar-gateway.ledger.url=jdbc:h2:mem:starter-properties;DB_CLOSE_DELAY=-1");

  /** A servlet application: the endpoints and their filter too. */
  private final WebApplicationContextRunner webRunner =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AvatarGatewayAutoConfiguration.class))
          .withPropertyValues(
              "runway.simulated=true",
              "runway.base-url=http://127.0.0.1:9",
              "avatar-gateway.ledger.url=jdbc:h2:mem:starter-properties-web;DB_CLOSE_DELAY=-1");

  @Test
  void propertiesBindOntoTheCoresRecords() {
    runner
        .withPropertyValues(
            "avatar-gateway.connect.deadline=45s",
            "avatar-gateway.connect.hand-out-timeout=1.5s",
            "avatar-gateway.auth.admin.api-keys[0].name=ops",
            "avatar-gateway.auth.admin.api-keys[0].key=ops-key-0123456789abcdef",
            "avatar-gateway.connect.queued-deadline=2m",
            "avatar-gateway.rate-limit.per-principal.capacity=7",
            "avatar-gateway.avatars.allowed-presets=cat-character")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(GatewayCore.class);
              AvatarGatewayProperties properties =
                  context.getBean(GatewaySettings.class).properties();
              assertThat(properties.connect().deadline()).hasSeconds(45);
              assertThat(properties.connect().queuedDeadline()).hasMinutes(2);
              assertThat(properties.connect().handOutTimeout()).hasMillis(1500);
              assertThat(properties.connect().customAvatarCacheTtl()).hasSeconds(60);
              assertThat(properties.auth().admin().apiKeys())
                  .extracting(key -> key.name())
                  .containsExactly("ops");
              assertThat(properties.rateLimit().perPrincipal().capacity()).isEqualTo(7);
              assertThat(context.getBean(GatewayCore.class).avatars())
                  .extracting(option -> option.id())
                  .containsExactly("cat-character");
            });
  }

  @Test
  void withARealRunwayOnlySpringSecuritysUsersNeedNoOptInToModeNone() {
    ApplicationContextRunner real =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AvatarGatewayAutoConfiguration.class))
            .withPropertyValues(
                "runway.api-secret=key_not_a_real_one_0123456789",
                "runway.base-url=http://127.0.0.1:9",
                "avatar-gateway.ledger.url=jdbc:h2:mem:starter-spring-only;DB_CLOSE_DELAY=-1");

    real.run(
        context ->
            assertThat(context)
                .getFailure()
                .hasStackTraceContaining("Invalid setting avatar-gateway.auth.mode: is none")
                .hasStackTraceContaining("avatar-gateway.auth.spring-security-only=true"));
    real.withPropertyValues("avatar-gateway.auth.spring-security-only=true")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GatewayCore.class));
    // Only Spring Security's users, and yet a mode of the core's own: refused, not ignored.
    real.withPropertyValues(
            "avatar-gateway.auth.spring-security-only=true", "avatar-gateway.auth.mode=jwt")
        .run(context -> assertThat(context).getFailure().hasStackTraceContaining("auth.mode"));
  }

  @Test
  void anInvalidValueIsNamedAsAnApplicationProperty() {
    runner
        .withPropertyValues("avatar-gateway.connect.deadline=0s")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "Invalid setting avatar-gateway.connect.deadline: must be positive"));
  }

  @Test
  void aValueThatCannotBeReadIsNamed() {
    runner
        .withPropertyValues("avatar-gateway.line.max-wait=soon")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("avatar-gateway.line.max-wait"));
  }

  @Test
  void theOriginSettingsBindAndTheFilterGuardsOnlyTheStartersPathsAheadOfSpringSecurity() {
    webRunner
        .withPropertyValues(
            "avatar-gateway.web.cors.allowed-origins=https://a.example,http://b.example:8443",
            "avatar-gateway.web.cors.max-age=90s")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              AvatarGatewayProperties.Web web =
                  context.getBean(GatewaySettings.class).properties().web();
              assertThat(web.originCheck()).isTrue();
              assertThat(web.cors().allowedOrigins())
                  .containsExactly("https://a.example", "http://b.example:8443");
              assertThat(web.cors().maxAge()).hasSeconds(90);
              assertThat(web.cors().allowCredentials()).isFalse();
              FilterRegistrationBean<?> filter =
                  context.getBean(
                      AvatarGatewayAutoConfiguration.REQUEST_FILTER, FilterRegistrationBean.class);
              assertThat(filter.getUrlPatterns()).containsExactly("/api/avatar/*", "/api/admin/*");
              // Spring Security's chain is at -100 unless spring.security.filter.order moves it.
              assertThat(filter.getOrder()).isLessThan(-100);
            });
  }

  @Test
  void withoutSettingsOnlyTheApplicationsOwnOriginMayCall() {
    webRunner.run(
        context -> {
          AvatarGatewayProperties.Web web =
              context.getBean(GatewaySettings.class).properties().web();
          assertThat(web.originCheck()).isTrue();
          assertThat(web.cors().allowedOrigins()).isEmpty();
          assertThat(web.cors().maxAge()).hasMinutes(10);
        });
  }

  @Test
  void anOriginThatIsNotExactIsNamed() {
    for (String origin : new String[] {"*", "https://app.example.com/", "app.example.com"}) {
      runner
          .withPropertyValues("avatar-gateway.web.cors.allowed-origins=" + origin)
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining(
                          "Invalid setting avatar-gateway.web.cors.allowed-origins: must be exact"
                              + " origins")
                      .hasStackTraceContaining("was '" + origin + "'"));
    }
  }

  @Test
  void listedOriginsWithTheCheckOffAreNamed() {
    runner
        .withPropertyValues(
            "avatar-gateway.web.origin-check=false",
            "avatar-gateway.web.cors.allowed-origins=https://app.example.com")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "Invalid setting avatar-gateway.web.cors.allowed-origins: has no effect"));
  }

  @Test
  void anApplicationsFilterOfTheSameNameReplacesTheStarters() {
    FilterRegistrationBean<?> own = new FilterRegistrationBean<>();
    webRunner
        .withBean(
            AvatarGatewayAutoConfiguration.REQUEST_FILTER, FilterRegistrationBean.class, () -> own)
        .run(
            context ->
                assertThat(
                        context.getBean(
                            AvatarGatewayAutoConfiguration.REQUEST_FILTER,
                            FilterRegistrationBean.class))
                    .isSameAs(own));
  }

  @Test
  void withoutASecretRunwayIsNotReached() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AvatarGatewayAutoConfiguration.class))
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("runway.api-secret"));
  }
}
