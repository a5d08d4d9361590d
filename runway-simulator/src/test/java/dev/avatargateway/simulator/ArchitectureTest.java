package dev.avatargateway.simulator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The module's shape: independent of the client, a small public API over an internal core. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.avatargateway.simulator");

  @Test
  void theSimulatorNeverDependsOnTheClient() {
    noClasses()
        .that()
        .resideInAPackage("dev.avatargateway.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.avatargateway.runway..")
        .check(MAIN);
  }

  @Test
  void thePublicApiDoesNotExposeInternalTypes() {
    members()
        .that()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage("..internal..")
        .and()
        .arePublic()
        .should(notMentionInternalTypesInTheirSignature())
        .check(MAIN);
  }

  @Test
  void onlyTheApiPackagesAreOutsideInternal() {
    classes()
        .that()
        .arePublic()
        .and()
        .resideOutsideOfPackage("..internal..")
        .should()
        .resideInAnyPackage("dev.avatargateway.simulator", "dev.avatargateway.simulator.junit")
        .check(MAIN);
  }

  @Test
  void thePublicApiStaysSmall() {
    Set<String> publicTopLevel = new HashSet<>();
    for (JavaClass c : MAIN) {
      if (c.getModifiers().contains(JavaModifier.PUBLIC)
          && c.isTopLevelClass()
          && !c.getPackageName().contains(".internal")) {
        publicTopLevel.add(c.getSimpleName());
      }
    }
    org.assertj.core.api.Assertions.assertThat(publicTopLevel)
        .containsExactlyInAnyOrder(
            "RunwaySimulator",
            "SimulatorConfig",
            "SimulatorAdmin",
            "SessionRecord",
            "SimulatorStats",
            "RecordedRequest",
            "DelayDistribution",
            "FaultRule",
            "AvatarStatus",
            "SimulatorException",
            "RunwaySimulatorExtension");
  }

  @Test
  void onlyTheExtensionUsesJunit() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.avatargateway.simulator.junit")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.junit..")
        .check(MAIN);
  }

  private static ArchCondition<JavaMember> notMentionInternalTypesInTheirSignature() {
    DescribedPredicate<JavaClass> internal =
        DescribedPredicate.describe(
            "internal", c -> c.getPackageName().startsWith("dev.avatargateway.simulator.internal"));
    return new ArchCondition<>("not mention internal types in their signature") {
      @Override
      public void check(JavaMember member, ConditionEvents events) {
        Set<JavaClass> types = new HashSet<>();
        if (member instanceof JavaField f) {
          types.addAll(f.getType().getAllInvolvedRawTypes());
        } else if (member instanceof JavaCodeUnit code) {
          types.addAll(code.getReturnType().getAllInvolvedRawTypes());
          code.getParameterTypes().forEach(p -> types.addAll(p.getAllInvolvedRawTypes()));
        }
        types.stream()
            .filter(internal)
            .forEach(
                t ->
                    events.add(
                        SimpleConditionEvent.violated(
                            member, member.getFullName() + " exposes " + t.getName())));
      }
    };
  }
}
