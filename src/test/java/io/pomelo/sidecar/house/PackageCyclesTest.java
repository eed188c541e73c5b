package io.pomelo.sidecar.house;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The shape of src/main: no package depends on itself through others, and the edge's parts know no orchestrator. */
final class PackageCyclesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
    .importPackages("io.pomelo.sidecar");

  @Test
  void noPackageCycle() {
    slices().matching("io.pomelo.sidecar.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void nothingButTheCommandLineKnowsTheOrchestration() {
    noClasses().that().resideOutsideOfPackages("io.pomelo.sidecar.run..", "io.pomelo.sidecar.cli..")
      .should().dependOnClassesThat().resideInAPackage("io.pomelo.sidecar.run..").check(MAIN);
  }

  @Test
  void nothingLivesInTheRootPackage() {
    noClasses().should().resideInAPackage("io.pomelo.sidecar").check(MAIN);
  }
}
