package dev.avatargateway.gateway.internal.observability;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.gateway.core.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
  @Test
  void acceptsUnsetAndValidValuesInAnyCase() {
    assertThatCode(() -> LogSettings.validate(Map.<String, String>of()::get))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> LogSettings.validate(Map.of("LOG_FORMAT", "Text", "LOG_LEVEL", "warn")::get))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesAnUnknownFormatNamingTheSetting() {
    assertThatThrownBy(() -> LogSettings.validate(Map.of("LOG_FORMAT", "xml")::get))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid setting LOG_FORMAT: must be json or text, was \"xml\"");
  }

  @Test
  void refusesAnUnknownLevelNamingTheSetting() {
    assertThatThrownBy(() -> LogSettings.validate(Map.of("LOG_LEVEL", "verbose")::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LOG_LEVEL")
        .hasMessageContaining("TRACE, DEBUG, INFO, WARN or ERROR");
  }
}
