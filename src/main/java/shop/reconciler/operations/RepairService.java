package shop.reconciler.operations;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.RepairResult;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.Migrations;
import shop.reconciler.db.TableNames;

/**
 * {@code repair}: clears a failed migration from the schema history with Flyway's own
 * {@code repair()}, so that the next start applies it again from its first statement (see
 * {@code db/HalfAppliedMigrations} for why that is safe). Nothing else in the database changes;
 * the start-up does not migrate for this command.
 */
@Component
public class RepairService {

    /** The command that clears a failed migration from the history, as a refused start names it. */
    public static final String COMMAND = Migrations.REPAIR_COMMAND;

    private final DataSource dataSource;
    private final Environment environment;
    private final Dialect dialect;
    private final TableNames tables;
    private final List<JavaMigration> javaMigrations;

    RepairService(
            DataSource dataSource,
            Environment environment,
            Dialect dialect,
            TableNames tables,
            ObjectProvider<JavaMigration> javaMigrations) {
        this.dataSource = dataSource;
        this.environment = environment;
        this.dialect = dialect;
        this.tables = tables;
        this.javaMigrations = javaMigrations.orderedStream().toList();
    }

    /** Repairs the schema history; the line that says what it did. */
    public String repair() {
        Flyway flyway = Migrations.standalone(tables, dialect, dataSource, environment, javaMigrations);
        String history = flyway.getConfiguration().getTable();
        List<MigrationInfo> failed = Arrays.stream(flyway.info().all())
                .filter(m -> m.getState().isFailed())
                .toList();
        RepairResult result = flyway.repair();
        if (failed.isEmpty()) {
            return "nothing to repair: " + history + " records no failed migration";
        }
        return "repaired: removed the failed "
                + failed.stream().map(Migrations::name).collect(Collectors.joining(", "))
                + " from " + history + " (" + result.migrationsRemoved.size()
                + " entry removed); the next start applies it again";
    }

    /**
     * The one line of a start refused over the schema's history (a failed migration, which
     * {@link #COMMAND} clears), if that is what stopped it; anywhere in the causes.
     */
    public static Optional<String> refusal(Throwable startFailure) {
        for (Throwable t = startFailure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Migrations.Refused refused) {
                return Optional.of(refused.getMessage());
            }
        }
        return Optional.empty();
    }
}
