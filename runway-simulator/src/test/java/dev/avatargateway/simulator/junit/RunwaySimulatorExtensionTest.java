package dev.avatargateway.simulator.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension registered on a static field, plus its lifecycle driven by hand. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunwaySimulatorExtensionTest {
  @RegisterExtension
  static final RunwaySimulatorExtension SIMULATOR =
      RunwaySimulatorExtension.withConfig(
          SimulatorConfig.builder()
              .readyAfter(DelayDistribution.fixed(Duration.ofSeconds(2)))
              .build());

  private static int firstPort;

  @Test
  @Order(1)
  void resolvesTheSimulatorItsAdminAndTheBaseUrl(
      RunwaySimulator simulator, SimulatorAdmin admin, URI baseUrl) {
    assertThat(simulator).isSameAs(SIMULATOR.simulator());
    assertThat(admin).isSameAs(simulator.admin());
    assertThat(baseUrl).isEqualTo(simulator.baseUrl()).isEqualTo(SIMULATOR.baseUrl());
    assertThat(simulator.config().readyAfter().toString()).isEqualTo("2s");
    firstPort = simulator.port();
    admin.createAvatar("Leftover", AvatarStatus.READY);
    admin.setConcurrencyCap(1);
  }

  @Test
  @Order(2)
  void theSameSimulatorIsResetBeforeEachTest(RunwaySimulator simulator) {
    assertThat(simulator.port()).isEqualTo(firstPort);
    assertThat(simulator.config().concurrencyCap()).isEqualTo(SimulatorConfig.UNLIMITED);
    assertThat(simulator.admin().stats().requests()).isZero();
  }

  @Nested
  class NestedTests {
    @Test
    void shareTheOuterSimulator(RunwaySimulator simulator) {
      assertThat(simulator.port()).isEqualTo(SIMULATOR.simulator().port());
    }
  }

  @Test
  void classScopeLifecycleByHand() {
    RunwaySimulatorExtension ext = new RunwaySimulatorExtension();
    assertThatThrownBy(ext::simulator).isInstanceOf(IllegalStateException.class);

    ext.beforeAll(null);
    int port = ext.simulator().port();
    ext.beforeAll(null); // a @Nested class
    assertThat(ext.simulator().port()).isEqualTo(port);
    ext.afterAll(null);
    assertThat(isListening(port)).isTrue();
    ext.beforeEach(null);
    ext.afterEach(null);
    assertThat(isListening(port)).isTrue();
    ext.afterAll(null);

    assertThat(isListening(port)).isFalse();
    assertThatThrownBy(ext::admin).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void perTestLifecycleByHand() {
    RunwaySimulatorExtension ext = RunwaySimulatorExtension.withConfig(SimulatorConfig.defaults());
    ext.beforeEach(null);
    int port = ext.simulator().port();
    assertThat(isListening(port)).isTrue();
    ext.afterEach(null);
    assertThat(isListening(port)).isFalse();
  }

  static boolean isListening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return s.isConnected();
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
