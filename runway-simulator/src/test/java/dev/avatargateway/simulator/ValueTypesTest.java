package dev.avatargateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.FaultRule.Kind;
import dev.avatargateway.simulator.FaultRule.RetryAfter;
import dev.avatargateway.simulator.FaultRule.Route;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DelayDistribution, FaultRule and SimulatorConfig as plain values. */
class ValueTypesTest {

  @Test
  void parsesDistributions() {
    assertThat(DelayDistribution.parse("1500ms"))
        .isEqualTo(DelayDistribution.fixed(Duration.ofMillis(1500)));
    assertThat(DelayDistribution.parse("2s"))
        .isEqualTo(DelayDistribution.fixed(Duration.ofSeconds(2)));
    assertThat(DelayDistribution.parse("1.5s"))
        .isEqualTo(DelayDistribution.fixed(Duration.ofMillis(1500)));
    assertThat(DelayDistribution.parse("PT3S"))
        .isEqualTo(DelayDistribution.fixed(Duration.ofSeconds(3)));
    assertThat(DelayDistribution.parse("5m"))
        .isEqualTo(DelayDistribution.fixed(Duration.ofMinutes(5)));
    assertThat(DelayDistribution.parse("uniform(1s, 3s)"))
        .isEqualTo(DelayDistribution.uniform(Duration.ofSeconds(1), Duration.ofSeconds(3)));
    assertThat(DelayDistribution.parse("lognormal(1500ms,0.5)"))
        .isEqualTo(DelayDistribution.logNormal(Duration.ofMillis(1500), 0.5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1500ms", "2s", "uniform(1s,3s)", "lognormal(1500ms,0.5)"})
  void toStringRoundTrips(String text) {
    DelayDistribution d = DelayDistribution.parse(text);
    assertThat(DelayDistribution.parse(d.toString())).isEqualTo(d);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "fast", "1500", "-1s", "uniform(3s,1s)", "lognormal(1s,x)", "gauss(1s,2s)"})
  void rejectsBadDistributions(String text) {
    assertThatThrownBy(() -> DelayDistribution.parse(text)).isInstanceOf(SimulatorException.class);
  }

  @Test
  void samplesStayInRange() {
    SplittableRandom random = new SplittableRandom(1);
    DelayDistribution uniform =
        DelayDistribution.uniform(Duration.ofSeconds(1), Duration.ofSeconds(3));
    DelayDistribution logNormal = DelayDistribution.logNormal(Duration.ofMillis(1500), 0.5);
    long below = 0;
    for (int i = 0; i < 2_000; i++) {
      assertThat(uniform.sample(random)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
      Duration d = logNormal.sample(random);
      assertThat(d).isPositive();
      if (d.compareTo(Duration.ofMillis(1500)) < 0) {
        below++;
      }
    }
    // The median is the median: about half the samples fall below it.
    assertThat(below).isBetween(850L, 1_150L);
    assertThat(DelayDistribution.fixed(Duration.ofSeconds(2)).sample(random))
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void parsesCompactFaultSpecs() {
    FaultRule r = FaultRule.parse("create:500:0.1");
    assertThat(r.route()).isEqualTo(Route.CREATE);
    assertThat(r.kind()).isEqualTo(Kind.STATUS);
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.probability()).isEqualTo(0.1);
    assertThat(r.times()).isEqualTo(FaultRule.UNLIMITED);

    FaultRule full =
        FaultRule.parse(
            "connect-backend:429:p=0.5,times=2,retry-after=3,should-retry=false,after-commit");
    assertThat(full)
        .isEqualTo(
            FaultRule.builder()
                .route(Route.CONNECT_BACKEND)
                .status(429)
                .probability(0.5)
                .times(2)
                .retryAfter(RetryAfter.seconds(3))
                .shouldRetry(false)
                .afterCommit(true)
                .build());
    assertThat(FaultRule.parse("any:reset").kind()).isEqualTo(Kind.RESET);
    assertThat(FaultRule.parse("RETRIEVE:hang:times=1").kind()).isEqualTo(Kind.HANG);
    assertThat(FaultRule.parse("retrieve:hang").status()).isZero();
    assertThat(FaultRule.parse("create:503:retry-after-ms=250").retryAfter())
        .isEqualTo(RetryAfter.millis(250));
    assertThat(FaultRule.parse("create:503:retry-after-date=3s").retryAfter())
        .isEqualTo(RetryAfter.httpDate(Duration.ofSeconds(3)));
    assertThat(FaultRule.parse("conversation-list:503").route()).isEqualTo(Route.CONVERSATION_LIST);
    assertThat(FaultRule.parse("conversation-retrieve:reset").route())
        .isEqualTo(Route.CONVERSATION_RETRIEVE);
    assertThat(FaultRule.parse("conversation-delete:hang").route())
        .isEqualTo(Route.CONVERSATION_DELETE);
    assertThat(FaultRule.parse("usage:429:retry-after=1").route()).isEqualTo(Route.USAGE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "create",
        "nowhere:500",
        "create:200",
        "create:600",
        "create:abc",
        "create:500:p=1.5",
        "create:500:times=0",
        "create:500:colour=red",
        "create:500:should-retry=maybe",
        "create:500:retry-after=-1"
      })
  void rejectsBadFaultSpecs(String spec) {
    assertThatThrownBy(() -> FaultRule.parse(spec)).isInstanceOf(SimulatorException.class);
  }

  @Test
  void faultRuleDefaultsAndToBuilder() {
    FaultRule r = FaultRule.builder().build();
    assertThat(r.route()).isEqualTo(Route.ANY);
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.probability()).isEqualTo(1.0);
    assertThat(r.retryAfter()).isEqualTo(RetryAfter.none());
    assertThat(r.shouldRetry()).isNull();
    assertThat(r.afterCommit()).isFalse();
    assertThat(r.toBuilder().build()).isEqualTo(r);
    assertThat(r.appliesTo(Route.CONSUME)).isTrue();
    assertThat(FaultRule.parse("create:500").appliesTo(Route.RETRIEVE)).isFalse();
  }

  @Test
  void configDefaults() {
    SimulatorConfig c = SimulatorConfig.defaults();
    assertThat(c.port()).isZero();
    assertThat(c.apiKeys()).containsExactly("key_simulator");
    assertThat(c.readyAfter()).isEqualTo(DelayDistribution.fixed(Duration.ofMillis(1_500)));
    assertThat(c.readyWindow()).isEqualTo(Duration.ofSeconds(25));
    assertThat(c.sessionKeyTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.concurrencyCap()).isEqualTo(Integer.MAX_VALUE);
    assertThat(c.maxSessionDuration()).isEqualTo(Duration.ofMinutes(5)); // 300 s
    assertThat(c.creditsExhausted()).isFalse();
    assertThat(c.secondConsumeStatus()).isEqualTo(409);
    assertThat(c.livekitUrl()).isEqualTo("wss://livekit.simulator.invalid");
    assertThat(c.tokenSecret()).hasSize(64);
    assertThat(c.faults()).isEmpty();
    assertThat(c.maxHang()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.conversationsForUnstartedSessions()).isFalse();
    assertThat(c.conversationRecordDelay()).isEqualTo(Duration.ZERO);
    assertThat(SimulatorConfig.defaults().tokenSecret()).isNotEqualTo(c.tokenSecret());
  }

  @Test
  void apiKeyAddsAndApiKeysReplaces() {
    assertThat(SimulatorConfig.builder().apiKey("key_b").build().apiKeys())
        .containsExactlyInAnyOrder("key_simulator", "key_b");
    assertThat(SimulatorConfig.builder().apiKeys(Set.of("key_c")).build().apiKeys())
        .containsExactly("key_c");
  }

  @Test
  void toStringHidesSecrets() {
    SimulatorConfig c =
        SimulatorConfig.builder().apiKey("key_topsecret").tokenSecret("s".repeat(40)).build();
    assertThat(c.toString()).doesNotContain("key_topsecret", "key_simulator", "s".repeat(40));
  }

  @Test
  void toBuilderCopiesEverything() {
    SimulatorConfig c =
        SimulatorConfig.builder()
            .port(8089)
            .concurrencyCap(3)
            .faults(List.of(FaultRule.parse("create:500")))
            .seed(7)
            .conversationsForUnstartedSessions(true)
            .conversationRecordDelay(Duration.ofSeconds(3))
            .build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toString())
        .contains("conversationsForUnstartedSessions=true", "conversationRecordDelay=PT3S");
  }

  @Test
  void rejectsBadConfig() {
    assertThatThrownBy(() -> SimulatorConfig.builder().port(70_000).build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().apiKeys(Set.of()).build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().concurrencyCap(0).build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().tokenSecret("short").build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().secondConsumeStatus(200).build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().readyWindow(Duration.ofSeconds(-1)).build())
        .isInstanceOf(SimulatorException.class);
    assertThatThrownBy(
            () -> SimulatorConfig.builder().conversationRecordDelay(Duration.ofSeconds(-1)).build())
        .isInstanceOf(SimulatorException.class);
  }
}
