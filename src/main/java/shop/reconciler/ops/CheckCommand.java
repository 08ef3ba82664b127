package shop.reconciler.ops;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.ShopIndexes;
import shop.reconciler.mail.ConnectFailure;
import shop.reconciler.mail.MailTransport;
import shop.reconciler.monitor.Redaction;

/**
 * {@code check}: one line per check, {@code PASS} or {@code FAIL} with what to do. It changes
 * nothing: Flyway does not migrate when the command is {@code check}, it only reports.
 */
@Component
class CheckCommand {

    /** The shop's two indexes (README, "Tables"), by table: their leading columns and the statement that adds them. */
    static final Map<String, List<String>> INDEXES = Map.of(
            "orders", List.of("order_status", "id", "CREATE INDEX idx_orders_status_id ON orders (order_status, id)"),
            "download_tasks",
                    List.of(
                            "order_id",
                            "status",
                            "CREATE INDEX idx_download_tasks_order_status ON download_tasks (order_id, status)"));

    private final DataSource dataSource;
    private final Environment environment;
    private final MailTransport outbox;
    private final Dialect dialect;

    CheckCommand(DataSource dataSource, Environment environment, MailTransport outbox, Dialect dialect) {
        this.dataSource = dataSource;
        this.environment = environment;
        this.outbox = outbox;
        this.dialect = dialect;
    }

    /** The same migrations the application applies, to compare with the database's history. */
    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .table(environment.getProperty("spring.flyway.table", "reconciler_schema_history"))
                .locations("classpath:db/migration", dialect.platformMigrations())
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }

    int execute(PrintStream out) {
        List<Boolean> results = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            results.add(line(
                    out,
                    true,
                    "database",
                    meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " at "
                            + Redaction.redact(meta.getURL())));
            Flyway flyway = flyway();
            MigrationInfo current = flyway.info().current();
            int pending = flyway.info().pending().length;
            results.add(line(
                    out,
                    current != null && pending == 0,
                    "schema",
                    current == null
                            ? "no migration applied (table "
                                    + flyway.getConfiguration().getTable() + "); any other command applies them"
                            : "version " + current.getVersion() + " in "
                                    + flyway.getConfiguration().getTable()
                                    + (pending == 0 ? "" : ", " + pending + " pending")));
            for (String table :
                    List.of("orders", "download_tasks", "order_notifications", "shedlock", "BATCH_JOB_INSTANCE")) {
                boolean exists = tableExists(meta, table);
                results.add(line(out, exists, "table " + table, exists ? "present" : "missing"));
            }
            for (Map.Entry<String, List<String>> index : new TreeMap<>(INDEXES).entrySet()) {
                List<String> spec = index.getValue();
                boolean found = hasIndex(meta, index.getKey(), spec.get(0), spec.get(1));
                results.add(line(
                        out,
                        found,
                        "index " + index.getKey() + "(" + spec.get(0) + ", " + spec.get(1) + ")",
                        found ? "present" : "missing: the job stays correct but slow; add it with: " + spec.get(2)));
            }
        } catch (SQLException | RuntimeException e) {
            results.add(line(
                    out,
                    false,
                    "database",
                    JobRunner.firstLine(JobRunner.rootMessage(e))
                            + "; check SPRING_DATASOURCE_URL, _USERNAME, _PASSWORD and that the server is reachable"));
        }
        try (MailTransport.Connection connection = outbox.open()) {
            String security = connection.security();
            results.add(line(
                    out,
                    true,
                    "mail",
                    "connected to " + outbox.describe() + (security == null ? "" : ", " + security)));
        } catch (Exception e) {
            // what failed (unreachable, certificate, STARTTLS, password, ...) and what to do about it
            ConnectFailure failure = ConnectFailure.of(e);
            results.add(line(
                    out,
                    false,
                    "mail",
                    outbox.describe() + ": " + failure.what() + ": " + JobRunner.firstLine(failure.reason()) + "; "
                            + failure.advice()));
        }
        return results.contains(false) ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private static boolean line(PrintStream out, boolean pass, String what, String detail) {
        out.println((pass ? "PASS " : "FAIL ") + what + ": " + detail);
        return pass;
    }

    private static boolean tableExists(DatabaseMetaData meta, String table) throws SQLException {
        for (String name : List.of(table, table.toLowerCase(), table.toUpperCase())) {
            try (ResultSet rs = meta.getTables(meta.getConnection().getCatalog(), null, name, null)) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether some index of {@code table} starts with {@code first, second}. */
    private static boolean hasIndex(DatabaseMetaData meta, String table, String first, String second)
            throws SQLException {
        return ShopIndexes.find(meta, table, first, second).isPresent();
    }
}
