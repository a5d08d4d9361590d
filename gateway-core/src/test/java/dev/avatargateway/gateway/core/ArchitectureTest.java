package dev.avatargateway.gateway.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core's shape: free of any web framework, server, command-line library and the simulator (so
 * that every host can embed it); packages per feature under {@code internal} with no cycles; the
 * Runway client used through its public API only.
 */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.avatargateway.gateway.core");

  @Test
  void dependsOnNoWebFrameworkServerCliOrSimulator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.javalin..",
            "org.eclipse.jetty..",
            "jakarta.servlet..",
            "org.springframework..",
            "picocli..",
            "dev.avatargateway.simulator..",
            "dev.avatargateway.gateway.internal..")
        .check(CORE);
  }

  @Test
  void usesOnlyTheClientsPublicApi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.avatargateway.runway.internal..")
        .check(CORE);
  }

  @Test
  void featurePackagesHaveNoCycles() {
    slices()
        .matching("dev.avatargateway.gateway.core.internal.(*)..")
        .should()
        .beFreeOfCycles()
        .check(CORE);
  }
}
