package dev.avatargateway.simulator.junit;

import dev.avatargateway.simulator.RunwaySimulator;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorConfig;
import java.net.URI;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link RunwaySimulator} for JUnit Jupiter tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RunwaySimulatorExtension SIMULATOR =
 *     RunwaySimulatorExtension.withConfig(SimulatorConfig.defaults());
 *
 * @Test
 * void createsASession(URI baseUrl, SimulatorAdmin admin) { ... }
 * }</pre>
 *
 * <p>Registered on a static field or with {@code @ExtendWith(RunwaySimulatorExtension.class)}, one
 * simulator serves the whole test class (started before all, closed after all; nested classes share
 * it). Registered on an instance field, each test gets its own. Before every test the simulator is
 * {@linkplain SimulatorAdmin#reset() reset}, so tests cannot see each other's sessions, faults or
 * clock moves; seed avatars in {@code @BeforeEach}, not {@code @BeforeAll}.
 *
 * <p>Test constructors and methods may declare parameters of type {@link RunwaySimulator}, {@link
 * SimulatorAdmin} and {@link URI} (the base URL).
 */
public final class RunwaySimulatorExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  private final SimulatorConfig config;
  private RunwaySimulator simulator;
  // How many class-level scopes (a class and its @Nested classes) currently share the simulator.
  private int classScopes;
  private boolean perTest;

  /** An extension with {@link SimulatorConfig#defaults()}; what {@code @ExtendWith} uses. */
  public RunwaySimulatorExtension() {
    this(SimulatorConfig.defaults());
  }

  private RunwaySimulatorExtension(SimulatorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** An extension that starts its simulator with the given configuration. */
  public static RunwaySimulatorExtension withConfig(SimulatorConfig config) {
    return new RunwaySimulatorExtension(config);
  }

  /**
   * The running simulator.
   *
   * @throws IllegalStateException outside a test's lifetime
   */
  public RunwaySimulator simulator() {
    if (simulator == null) {
      throw new IllegalStateException("The Runway simulator runs only while tests run");
    }
    return simulator;
  }

  /** The running simulator's base URL, e.g. {@code http://127.0.0.1:54321}. */
  public URI baseUrl() {
    return simulator().baseUrl();
  }

  /** The running simulator's admin interface. */
  public SimulatorAdmin admin() {
    return simulator().admin();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (classScopes++ == 0) {
      simulator = RunwaySimulator.start(config);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (--classScopes == 0) {
      stop();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (simulator == null) {
      // Registered on an instance field: JUnit skips class callbacks, so run one per test.
      perTest = true;
      simulator = RunwaySimulator.start(config);
    }
    simulator.admin().reset();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      perTest = false;
      stop();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == RunwaySimulator.class || type == SimulatorAdmin.class || type == URI.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (simulator == null) {
      throw new ParameterResolutionException(
          "The Runway simulator is not running yet (instance-field registration cannot inject"
              + " constructor parameters)");
    }
    Class<?> type = parameter.getParameter().getType();
    if (type == RunwaySimulator.class) {
      return simulator;
    }
    if (type == SimulatorAdmin.class) {
      return simulator.admin();
    }
    return simulator.baseUrl();
  }

  private void stop() {
    if (simulator != null) {
      simulator.close();
      simulator = null;
    }
  }
}
