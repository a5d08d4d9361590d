package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import dev.avatargateway.gateway.core.LedgerConfig;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

class LedgerConfigTest {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  /** A configuration with the given components set (name, value, name, value, ...). */
  private static LedgerConfig with(Object... namesAndValues) {
    RecordComponent[] components = LedgerConfig.class.getRecordComponents();
    Object[] values = new Object[components.length];
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = (String) namesAndValues[i];
      int index = Arrays.stream(components).map(RecordComponent::getName).toList().indexOf(name);
      assertThat(index).as("component %s", name).isNotNegative();
      values[index] = namesAndValues[i + 1];
    }
    try {
      return LedgerConfig.class
          .getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
          .newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new LinkageError(e.getMessage(), e);
    }
  }

  @Test
  void defaults() {
    LedgerConfig config = LedgerConfig.defaults();

    assertThat(config.url())
        .isEqualTo(
            "jdbc:h2:file:./data/avatar-gateway;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=5000");
    assertThat(config.username()).isNull();
    assertThat(config.password()).isNull();
    assertThat(config.schema()).isNull();
    assertThat(config.maxPoolSize()).isEqualTo(10);
    assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.instanceName()).isNull();
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.recoveryInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.followInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.followJitter()).isEqualTo(0.2);
    assertThat(config.cancelRetryInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.cancelRetryMaxBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.batchSize()).isEqualTo(100);
    assertThatCode(config::validate).doesNotThrowAnyException();
    assertThat(LedgerUrls.h2Directory(config.url()))
        .contains(java.nio.file.Path.of("data").toAbsolutePath());
  }

  @Test
  void anEmptySectionBindsToTheDefaults() {
    assertThat(YAML.readValue("{}", LedgerConfig.class)).isEqualTo(LedgerConfig.defaults());
  }

  @Test
  void absentValuesInAPartialSectionTakeTheirDefaults() {
    LedgerConfig config =
        YAML.readValue(
            """
            url: jdbc:postgresql://db.internal:5432/gateway
            username: gateway
            password: secret-value
            schema: avatar_gateway
            instanceName: gw-1:8080
            leaseDuration: PT1M
            followJitter: 0.1
            """,
            LedgerConfig.class);

    assertThat(config.url()).isEqualTo("jdbc:postgresql://db.internal:5432/gateway");
    assertThat(config.schema()).isEqualTo("avatar_gateway");
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.followJitter()).isEqualTo(0.1);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxPoolSize()).isEqualTo(10);
    assertThatCode(config::validate).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:h2:mem:ledger-tests",
        "jdbc:h2:file:/var/lib/avatar-gateway/ledger",
        "jdbc:h2:file:./data/ledger;WRITE_DELAY=0",
        "jdbc:h2:file:../shared/ledger",
        "jdbc:h2:file:~/avatar-gateway/ledger",
        "jdbc:postgresql://127.0.0.1:5432/test",
        "jdbc:postgresql:test",
        "  jdbc:postgresql://db/gateway?sslmode=require  "
      })
  void acceptsTheSupportedUrls(String url) {
    assertThatCode(() -> with("url", url).validate()).doesNotThrowAnyException();
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of(with("url", "jdbc:mysql://localhost/ledger"), "ledger.url", "jdbc:h2:file:"),
        Arguments.of(with("url", ""), "ledger.url", "was ''"),
        Arguments.of(with("url", "jdbc:h2:tcp://localhost/ledger"), "ledger.url", "jdbc:h2:mem:"),
        Arguments.of(with("url", "jdbc:h2:file:data/ledger"), "ledger.url", "implicitly relative"),
        Arguments.of(with("url", "jdbc:h2:file:;WRITE_DELAY=0"), "ledger.url", "absolute"),
        Arguments.of(with("username", "  "), "ledger.username", "blank"),
        Arguments.of(with("schema", "Ledger"), "ledger.schema", "a-z"),
        Arguments.of(with("schema", "1ledger"), "ledger.schema", "a-z"),
        Arguments.of(with("schema", "ledger; DROP TABLE x"), "ledger.schema", "a-z"),
        Arguments.of(with("schema", "x".repeat(64)), "ledger.schema", "63"),
        Arguments.of(with("maxPoolSize", 0), "ledger.maxPoolSize", "was 0"),
        Arguments.of(with("maxPoolSize", 101), "ledger.maxPoolSize", "1 to 100"),
        Arguments.of(
            with("connectionTimeout", Duration.ofMillis(100)),
            "ledger.connectionTimeout",
            "at least 250ms"),
        Arguments.of(with("instanceName", ""), "ledger.instanceName", "1 to 255"),
        Arguments.of(with("instanceName", "x".repeat(256)), "ledger.instanceName", "1 to 255"),
        Arguments.of(with("instanceName", "gw\n1"), "ledger.instanceName", "control"),
        Arguments.of(
            with("heartbeatInterval", Duration.ZERO), "ledger.heartbeatInterval", "positive"),
        Arguments.of(
            with("heartbeatInterval", Duration.ofSeconds(-1)),
            "ledger.heartbeatInterval",
            "positive"),
        Arguments.of(with("leaseDuration", Duration.ZERO), "ledger.leaseDuration", "positive"),
        Arguments.of(
            with("leaseDuration", Duration.ofSeconds(14)),
            "ledger.leaseDuration",
            "at least 3 times ledger.heartbeatInterval (5s)"),
        Arguments.of(
            with("heartbeatInterval", Duration.ofSeconds(11)),
            "ledger.leaseDuration",
            "at least 3 times ledger.heartbeatInterval (11s)"),
        Arguments.of(
            with("recoveryInterval", Duration.ZERO), "ledger.recoveryInterval", "positive"),
        Arguments.of(
            with("followInterval", Duration.ofSeconds(-30)), "ledger.followInterval", "positive"),
        Arguments.of(with("followJitter", -0.1), "ledger.followJitter", "fraction"),
        Arguments.of(with("followJitter", 1.0), "ledger.followJitter", "below 1"),
        Arguments.of(with("followJitter", Double.NaN), "ledger.followJitter", "fraction"),
        Arguments.of(
            with("cancelRetryInitialBackoff", Duration.ZERO),
            "ledger.cancelRetryInitialBackoff",
            "positive"),
        Arguments.of(
            with("cancelRetryMaxBackoff", Duration.ofMillis(500)),
            "ledger.cancelRetryMaxBackoff",
            "ledger.cancelRetryInitialBackoff (1s)"),
        Arguments.of(with("batchSize", 0), "ledger.batchSize", "1 to 1000"),
        Arguments.of(with("batchSize", 1001), "ledger.batchSize", "1 to 1000"));
  }

  @ParameterizedTest
  @MethodSource("invalidSettings")
  void namesEveryInvalidSetting(LedgerConfig config, String setting, String problem) {
    assertThatThrownBy(config::validate)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageContaining(problem);
  }

  @Test
  void neitherToStringNorAMessageShowsAPassword() {
    LedgerConfig config =
        with(
            "url",
            "jdbc:mysql://db/x?user=gw&password=in-the-url",
            "username",
            "gw",
            "password",
            "the-password");

    assertThat(config.toString())
        .doesNotContain("the-password")
        .doesNotContain("in-the-url")
        .contains("password=***")
        .contains("username=gw");
    assertThat(config.loggableUrl()).isEqualTo("jdbc:mysql://db/x?user=gw&password=***");
    assertThatThrownBy(config::validate)
        .hasMessageNotContaining("in-the-url")
        .hasMessageContaining("password=***");
    assertThat(LedgerConfig.defaults().toString()).contains("password=null");
  }

  @Test
  void masksH2AndPostgresPasswordParameters() {
    assertThat(LedgerUrls.loggable("jdbc:h2:file:./x;PASSWORD=abc;WRITE_DELAY=0"))
        .isEqualTo("jdbc:h2:file:./x;PASSWORD=***;WRITE_DELAY=0");
    assertThat(LedgerUrls.loggable("jdbc:postgresql://h/d?password=a%26b&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/d?password=***&ssl=true");
    assertThat(LedgerUrls.loggable("jdbc:postgresql://h/d")).isEqualTo("jdbc:postgresql://h/d");
  }

  @Test
  void cancelRetriesBackOffByDoublingUpToTheMaximum() {
    LedgerConfig config = LedgerConfig.defaults();

    assertThat(config.cancelRetryDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.cancelRetryDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.cancelRetryDelay(9)).isEqualTo(Duration.ofSeconds(256));
    assertThat(config.cancelRetryDelay(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.cancelRetryDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> config.cancelRetryDelay(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
