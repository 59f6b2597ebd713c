package dev.sparknn;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure that the package-info files describe, checked on the compiled main classes of every
 * module: dependencies run one way, from the command line down to the math, and no package cycle exists. The round
 * engine ({@code train.round}) is a layer of its own above the training configuration ({@code train}).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.sparknn");
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.sparknn.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersDependDownwardOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("dev.sparknn.cli..")
                .layer("ml").definedBy("dev.sparknn.ml..")
                .layer("export").definedBy("dev.sparknn.export..")
                .layer("run").definedBy("dev.sparknn.run..")
                .layer("report").definedBy("dev.sparknn.report..")
                .layer("store").definedBy("dev.sparknn.store..")
                .layer("round").definedBy("dev.sparknn.train.round..")
                .layer("train").definedBy("dev.sparknn.train")
                .layer("data").definedBy("dev.sparknn.data..")
                .layer("ops").definedBy("dev.sparknn.ops..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("ml").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("export").mayOnlyBeAccessedByLayers("ml", "cli")
                .whereLayer("run").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("report").mayOnlyBeAccessedByLayers("run", "cli")
                .whereLayer("store").mayOnlyBeAccessedByLayers("report", "run", "export", "ml", "cli")
                .whereLayer("round").mayOnlyBeAccessedByLayers("store", "report", "run", "export", "ml", "cli")
                .whereLayer("train").mayOnlyBeAccessedByLayers("round", "store", "report", "run", "export", "ml",
                        "cli")
                .whereLayer("data").mayOnlyBeAccessedByLayers("round", "train", "store", "report", "run", "export", "ml",
                        "cli")
                .check(classes);
    }
}
