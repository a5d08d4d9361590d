package dev.avatargateway.spring.test;

import dev.avatargateway.simulator.RunwaySimulator;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the simulator and puts its address first among the environment's property sources, before
 * any bean reads {@code runway.*}, its first accepted API key as {@code runway.api-secret}.
 * Registered as the {@link RunwaySimulator} bean, closed with the context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RunwaySimulatorConfiguration {
  /** The property source's name, to find or replace it. */
  public static final String PROPERTY_SOURCE = "avatarGatewayRunwaySimulator";

  /**
   * Starts the simulator while the bean factory is being prepared (so before any other bean is
   * created) and points {@code runway.*} at it.
   */
  @Bean
  static SimulatorStarter avatarGatewayRunwaySimulatorStarter() {
    return new SimulatorStarter();
  }

  /** See {@link RunwaySimulatorConfiguration#avatarGatewayRunwaySimulatorStarter()}. */
  static final class SimulatorStarter implements BeanFactoryPostProcessor, EnvironmentAware {
    private ConfigurableEnvironment environment;

    @Override
    public void setEnvironment(Environment environment) {
      this.environment = (ConfigurableEnvironment) environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory)
        throws BeansException {
      RunwaySimulator simulator = RunwaySimulator.start();
      environment
          .getPropertySources()
          .addFirst(
              new MapPropertySource(
                  PROPERTY_SOURCE,
                  Map.of(
                      "runway.base-url",
                      simulator.baseUrl().toString(),
                      "runway.api-secret",
                      simulator.config().apiKeys().iterator().next(),
                      "runway.simulated",
                      "true")));
      // A singleton the context closes (RunwaySimulator is AutoCloseable) when it is closed.
      beanFactory.registerSingleton("runwaySimulator", simulator);
      if (beanFactory
          instanceof org.springframework.beans.factory.support.DefaultListableBeanFactory factory) {
        factory.registerDisposableBean("runwaySimulator", simulator::close);
      }
    }
  }
}
