package dev.avatargateway.gateway.core.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.SessionsConfig;
import dev.avatargateway.gateway.core.internal.auth.Authenticators;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code sessions} section's checks, and the admin keys of {@code auth.admin}. */
class SessionsSettingsTest {
  private static final String ADMIN_KEY = "admin-key-0123456789";
  private static final String CALLER_KEY = "caller-key-012345678";

  @Test
  void theDefaultsAreValidAndValuesOutOfRangeAreNamed() {
    SessionsConfig.defaults().validate();
    assertThat(SessionsConfig.defaults().readerGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(SessionsConfig.defaults().heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));

    assertThatThrownBy(() -> new SessionsConfig(Duration.ZERO, null, null).validate())
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo("sessions.readerGrace"));
    assertThatThrownBy(() -> new SessionsConfig(null, Duration.ofHours(1), null).validate())
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.setting()).isEqualTo("sessions.heartbeatInterval"));
    assertThatThrownBy(() -> new SessionsConfig(null, null, Duration.ofDays(1)).validate())
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo("sessions.retention"));
  }

  @Test
  void adminKeysAreCheckedLikeApiKeysAndMayNotRepeatACallersKey() {
    AuthConfig.ApiKey admin = new AuthConfig.ApiKey("ops", ADMIN_KEY, null);
    AuthConfig.ApiKey caller = new AuthConfig.ApiKey("alice", CALLER_KEY, null);

    new AuthConfig(
            AuthConfig.Mode.API_KEY,
            null,
            List.of(caller),
            null,
            new AuthConfig.Admin(List.of(admin)))
        .validate(true);
    assertThatThrownBy(
            () ->
                new AuthConfig(
                        AuthConfig.Mode.API_KEY,
                        null,
                        List.of(caller),
                        null,
                        new AuthConfig.Admin(
                            List.of(new AuthConfig.ApiKey("ops", CALLER_KEY, null))))
                    .validate(true))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo("auth.admin.apiKeys"));
    assertThatThrownBy(
            () ->
                new AuthConfig(
                        null,
                        null,
                        null,
                        null,
                        new AuthConfig.Admin(List.of(new AuthConfig.ApiKey("ops", "short", null))))
                    .validate(true))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.setting()).isEqualTo("auth.admin.apiKeys[0].key"));
    assertThat(new AuthConfig.Admin(List.of(admin)).toString()).doesNotContain(ADMIN_KEY);
  }

  @Test
  void theAdminAuthenticatorKnowsOnlyAdminKeys() {
    AuthConfig config =
        new AuthConfig(
            null,
            null,
            null,
            null,
            new AuthConfig.Admin(List.of(new AuthConfig.ApiKey("ops", ADMIN_KEY, null))));
    config.validate(true);

    var admins = Authenticators.admin(config).orElseThrow();

    assertThat(
            admins
                .authenticate(
                    name -> name.equals("X-Api-Key") ? Optional.of(ADMIN_KEY) : Optional.empty())
                .scheme())
        .isEqualTo("admin");
    assertThatThrownBy(
            () ->
                admins.authenticate(
                    name ->
                        name.equals("Authorization")
                            ? Optional.of("Bearer " + CALLER_KEY)
                            : Optional.empty()))
        .hasMessageContaining("not valid");
    assertThat(Authenticators.admin(AuthConfig.defaults())).isEmpty();
  }
}
