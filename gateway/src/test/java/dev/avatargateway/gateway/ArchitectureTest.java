package dev.avatargateway.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The server's shape: an adapter over gateway-core's API, with no cycles between its packages, the
 * Runway client and the simulator used only through their public APIs, and the web framework kept
 * to the HTTP layer and the class that assembles the server.
 */
class ArchitectureTest {
  private static final String CORE = "dev.avatargateway.gateway.core..";

  /**
   * The server module's own classes. gateway-core shares the package prefix, and in a reactor build
   * its classes are a directory rather than a jar, so it is left out by package.
   */
  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.avatargateway.gateway")
          .that(not(resideInAPackage(CORE)));

  @Test
  void packagesHaveNoCycles() {
    // (**) names the root package "gateway", so the app and its configuration are a slice too.
    slices().matching("dev.avatargateway.(**)").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void usesOnlyTheApiOfGatewayCore() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.avatargateway.gateway.core.internal..")
        .check(SERVER);
  }

  @Test
  void usesOnlyThePublicApisOfTheClientAndTheSimulator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.avatargateway.runway.internal..", "dev.avatargateway.simulator.internal..")
        .check(SERVER);
  }

  @Test
  void onlyTheAppAndItsConfigurationUseTheSimulator() {
    noClasses()
        .that()
        .resideInAPackage("dev.avatargateway.gateway.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.avatargateway.simulator..")
        .check(SERVER);
  }

  @Test
  void theWebFrameworkStaysInTheHttpLayerAndTheApp() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.avatargateway.gateway.internal.http..")
        .and(not(belongToAnyOf(GatewayApp.class)))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
        .check(SERVER);
  }
}
