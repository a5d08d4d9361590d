package dev.avatargateway.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The starter is an adapter over gateway-core's and runway-client's public APIs only: never the
 * standalone server, the simulator, or anyone's internals. (The test support, {@code
 * dev.avatargateway.spring.test}, is another module, and the simulator is its point.)
 */
@AnalyzeClasses(
    packages = "dev.avatargateway.spring",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule onlyTheCoreAndTheClient =
      classes()
          .that()
          .resideOutsideOfPackage("dev.avatargateway.spring.test..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "dev.avatargateway.spring..",
              "dev.avatargateway.gateway.core",
              "dev.avatargateway.runway",
              "java..",
              "javax..",
              "jakarta..",
              "org.springframework..",
              "io.micrometer..",
              "org.slf4j..",
              "tools.jackson..");

  @ArchTest
  static final ArchRule internalsStayBehindThePublicPackage =
      classes()
          .that()
          .resideInAPackage("dev.avatargateway.spring.internal..")
          .should()
          .onlyBeAccessed()
          .byClassesThat()
          .resideInAnyPackage("dev.avatargateway.spring", "dev.avatargateway.spring.internal..");
}
