package dev.avatargateway.example;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorConfig;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Lets the example run on a fresh machine: when {@code runway.api-secret} is not set, starts an
 * in-process {@link RunwaySimulator} on a free loopback port and points the starter at it ({@code
 * runway.base-url}, {@code runway.api-secret} and {@code runway.simulated=true}), as the standalone
 * gateway does without {@code RUNWAYML_API_SECRET}. The simulator is the context's bean {@value
 * #BEAN}, stopped after every other bean when the context closes, so that the gateway's shutdown
 * can still cancel its sessions.
 *
 * <p>An initializer rather than a bean: the environment must be complete before any bean reads
 * {@code runway.*}. Only {@link ExampleApplication#main} adds it; tests use the starter-test's
 * {@code @AutoConfigureRunwaySimulator} instead. Your own application needs none of this: it sets
 * the secret.
 */
final class SimulatedRunway
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  /** Logged at start-up, so that nobody mistakes the simulator for Runway. */
  static final String BANNER = "SIMULATED RUNWAY: no credits are used";

  /** The simulator's bean name. */
  static final String BEAN = "simulatedRunway";

  /** 128 bits: the simulator's API key cannot be guessed from outside the process. */
  private static final int KEY_BYTES = 16;

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedRunway.class);

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ConfigurableEnvironment environment = context.getEnvironment();
    String secret = environment.getProperty("runway.api-secret");
    if (secret != null && !secret.isBlank()) {
      return;
    }
    byte[] random = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(random);
    String key = "key_simulated_" + HexFormat.of().formatHex(random);
    RunwaySimulator simulator =
        RunwaySimulator.start(SimulatorConfig.builder().apiKeys(Set.of(key)).build());
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                BEAN,
                Map.of(
                    "runway.base-url",
                    simulator.baseUrl().toString(),
                    "runway.api-secret",
                    key,
                    "runway.simulated",
                    "true")));
    DefaultListableBeanFactory beans = (DefaultListableBeanFactory) context.getBeanFactory();
    beans.registerSingleton(BEAN, simulator);
    // Registered before any other bean, so destroyed after all of them.
    beans.registerDisposableBean(BEAN, simulator::close);
    LOG.warn(
        "{} (runway.api-secret is not set; the simulator listens on {})",
        BANNER,
        simulator.baseUrl());
  }
}
