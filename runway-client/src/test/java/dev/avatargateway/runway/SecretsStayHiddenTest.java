package dev.avatargateway.runway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.runway.internal.Redactor;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** No toString of a value that holds a secret shows it; upstream text is cleaned. */
class SecretsStayHiddenTest {
  private static final String SESSION_KEY = "stk_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6e319.c2lnbmF0dXJl";

  @Test
  void valuesHideTheirSecrets() {
    Instant now = Instant.now();
    assertThat(new RealtimeSession.Ready("id", now, SESSION_KEY, now).toString())
        .doesNotContain(SESSION_KEY);
    assertThat(new SessionCredentials("wss://lk", TOKEN, "room").toString()).doesNotContain(TOKEN);
    assertThat(new StartedSession("id", "wss://lk", TOKEN, "room").toString())
        .doesNotContain(TOKEN);
    assertThat(new Integration.LiveKit(URI.create("wss://lk"), TOKEN, "room", null).toString())
        .doesNotContain(TOKEN);
    assertThat(new Integration.ElevenLabs(URI.create("wss://el/?token=" + TOKEN)).toString())
        .doesNotContain(TOKEN);
    RunwayClient client =
        RunwayClient.builder().apiKey("key_secret_value").baseUrl("http://127.0.0.1:1").build();
    assertThat(client.toString()).doesNotContain("key_secret_value");
  }

  @Test
  void redactorRemovesEveryKindOfCredential() {
    Redactor redactor = new Redactor("my-odd-shaped-secret");
    String text =
        "key my-odd-shaped-secret, api key_"
            + "a".repeat(128)
            + ", session "
            + SESSION_KEY
            + ", token "
            + TOKEN
            + ", header Authorization: Bearer abc.def";
    String cleaned = redactor.redact(text);
    assertThat(cleaned)
        .doesNotContain("my-odd-shaped-secret", "key_a", SESSION_KEY, TOKEN, "abc.def")
        .contains("***");
  }

  @Test
  void upstreamErrorTextIsCleanedBeforeItReachesAnException() {
    Redactor redactor = new Redactor("key_live");
    RunwayApiException e =
        new RunwayApiException(
            500, redactor.redact("boom for key_live and " + SESSION_KEY), "{}", "req-1");
    assertThat(e.getMessage()).doesNotContain("key_live", SESSION_KEY).contains("req-1");
  }
}
