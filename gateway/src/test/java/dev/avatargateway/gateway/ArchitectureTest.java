package dev.avatargateway.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's shape: packages per feature with no cycles between them, the Runway client and the
 * simulator used only through their public APIs, and the web framework kept to the HTTP layer.
 */
class ArchitectureTest {
  private static final JavaClasses GATEWAY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.avatargateway.gateway");

  @Test
  void featurePackagesHaveNoCycles() {
    slices().matching("dev.avatargateway.gateway.(*)..").should().beFreeOfCycles().check(GATEWAY);
  }

  @Test
  void usesOnlyThePublicApisOfTheClientAndTheSimulator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.avatargateway.runway.internal..", "dev.avatargateway.simulator.internal..")
        .check(GATEWAY);
  }

  @Test
  void onlyTheAppStartsTheSimulator() {
    noClasses()
        .that()
        .resideInAPackage("dev.avatargateway.gateway.(*)..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.avatargateway.simulator..")
        .check(GATEWAY);
  }

  @Test
  void theWebFrameworkStaysInTheHttpLayerAndTheApp() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.avatargateway.gateway.connect..",
            "dev.avatargateway.gateway.auth..",
            "dev.avatargateway.gateway.avatars..",
            "dev.avatargateway.gateway.ratelimit..",
            "dev.avatargateway.gateway.errors..",
            "dev.avatargateway.gateway.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
        .check(GATEWAY);
  }

  @Test
  void errorsDependOnNothingElseOfTheGateway() {
    noClasses()
        .that()
        .resideInAPackage("dev.avatargateway.gateway.errors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.avatargateway.gateway.auth..",
            "dev.avatargateway.gateway.connect..",
            "dev.avatargateway.gateway.http..",
            "dev.avatargateway.gateway.config..",
            "dev.avatargateway.gateway.ratelimit..",
            "dev.avatargateway.gateway.avatars..",
            "dev.avatargateway.gateway.observability..")
        .check(GATEWAY);
  }
}
