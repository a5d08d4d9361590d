package dev.avatargateway.runway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/** The module's shape: a small framework-free public API, everything else internal. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.avatargateway.runway");

  @Test
  void dependsOnTheJdkAndJacksonOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.avatargateway.runway..", "java..", "tools.jackson..")
        .check(CLASSES);
  }

  @Test
  void knowsNothingOfTheSimulatorOrTheGateway() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.avatargateway.simulator..", "dev.avatargateway.gateway..")
        .check(CLASSES);
  }

  @Test
  void jacksonStaysInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.avatargateway.runway")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("tools.jackson..")
        .check(CLASSES);
  }

  @Test
  void thePublicApiDoesNotExposeInternalTypes() {
    classes()
        .that()
        .resideInAPackage("dev.avatargateway.runway")
        .and()
        .arePublic()
        .should(exposeNoInternalTypes())
        .check(CLASSES);
  }

  private static ArchCondition<JavaClass> exposeNoInternalTypes() {
    return new ArchCondition<>("expose no internal types in public signatures") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        for (JavaCodeUnit unit : type.getCodeUnits()) {
          if (!unit.getModifiers().contains(JavaModifier.PUBLIC)) {
            continue;
          }
          boolean leaks =
              unit.getRawReturnType().getPackageName().contains(".internal")
                  || unit.getRawParameterTypes().stream()
                      .anyMatch(p -> p.getPackageName().contains(".internal"));
          if (leaks) {
            events.add(
                SimpleConditionEvent.violated(
                    unit, unit.getFullName() + " exposes an internal type"));
          }
        }
      }
    };
  }
}
