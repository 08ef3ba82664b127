package shop.reconciler;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.audit.Actor;
import shop.reconciler.audit.AuditEntry;

/**
 * The packages' allowed dependencies (issue 23): the operations are services in the middle, the
 * command line ({@code cli}) and the web console are two renderers of them at the edge, and the
 * packages below (the job, the outbox, delivery, the lease, the database...) know neither.
 */
class ArchitectureTest {

    private static final String CLI = "shop.reconciler.cli..";
    private static final String CONSOLE = "shop.reconciler.console..";
    private static final String OPERATIONS = "shop.reconciler.operations..";
    /** Formatting of values for people: escapes, durations, ages. */
    private static final String TEXT = "shop.reconciler.text..";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("shop.reconciler");
    }

    @Test
    void noCycleBetweenPackages() {
        slices().matching("shop.reconciler.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyTheApplicationStartsTheCommandLine() {
        noClasses()
                .that()
                .resideOutsideOfPackage(CLI)
                .and()
                .doNotHaveFullyQualifiedName(OrderReconcilerApplication.class.getName())
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI)
                .check(classes);
    }

    @Test
    void operationsKnowNoRenderer() {
        noClasses()
                .that()
                .resideInAPackage(OPERATIONS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI, CONSOLE)
                .check(classes);
    }

    @Test
    void theConsoleRendersTheOperationsNotTheCommandLine() {
        noClasses()
                .that()
                .resideInAPackage(CONSOLE)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI)
                .check(classes);
    }

    @Test
    void thePackagesBelowKnowNeitherOperationsNorRenderers() {
        noClasses()
                .that()
                .resideOutsideOfPackages(CLI, CONSOLE, OPERATIONS)
                .and()
                .resideOutsideOfPackage("shop.reconciler")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI, CONSOLE, OPERATIONS)
                .check(classes);
    }

    @Test
    void renderersReachTheDatabaseAndTheJobRepositoryThroughTheOperations() {
        noClasses()
                .that()
                .resideInAnyPackage(CLI, CONSOLE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "javax.sql..",
                        "org.springframework.jdbc..",
                        "org.springframework.batch.core.launch..",
                        "org.springframework.batch.core.repository..")
                .check(classes);
    }

    /**
     * The command line renders the operations' own view models: of the project's packages it knows
     * only {@code operations}, {@code text}, the audit trail's values ({@link Actor}, who acts;
     * {@link AuditEntry}, what was recorded),
     * {@code config} (a configuration error is its own exit path, before any service exists) and the
     * application class that starts it.
     */
    @Test
    void theCommandLineSeesOnlyTheOperationsViewModels() {
        classes()
                .that()
                .resideInAPackage(CLI)
                .should()
                .onlyDependOnClassesThat(not(resideInAPackage("shop.reconciler.."))
                        .or(resideInAnyPackage(CLI, OPERATIONS, TEXT, "shop.reconciler.config.."))
                        .or(belongToAnyOf(Actor.class, AuditEntry.class, OrderReconcilerApplication.class)))
                .check(classes);
    }

    /**
     * The console likewise: {@code operations}, {@code text}, the audit trail's values, and {@code security}
     * (its sign-in and roles).
     */
    @Test
    void theConsoleSeesOnlyTheOperationsViewModels() {
        classes()
                .that()
                .resideInAPackage(CONSOLE)
                .should()
                .onlyDependOnClassesThat(not(resideInAPackage("shop.reconciler.."))
                        .or(resideInAnyPackage(CONSOLE, OPERATIONS, TEXT, "shop.reconciler.security.."))
                        .or(belongToAnyOf(Actor.class, AuditEntry.class)))
                .check(classes);
    }
}
