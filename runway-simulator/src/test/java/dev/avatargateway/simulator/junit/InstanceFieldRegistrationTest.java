package dev.avatargateway.simulator.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.avatargateway.simulator.RunwaySimulator;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance field gives every test its own simulator. */
class InstanceFieldRegistrationTest {
  // RunwaySimulator has identity equality, so this counts distinct instances.
  private static final Set<RunwaySimulator> SEEN = new HashSet<>();

  @RegisterExtension final RunwaySimulatorExtension simulator = new RunwaySimulatorExtension();

  @RepeatedTest(2)
  void eachTestHasItsOwnSimulator(RunwaySimulator injected) {
    assertThat(injected).isSameAs(simulator.simulator());
    SEEN.add(injected);
  }

  @AfterAll
  static void twoDifferentSimulatorsRan() {
    assertThat(SEEN).hasSize(2);
  }
}
