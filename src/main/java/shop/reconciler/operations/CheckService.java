package shop.reconciler.operations;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.Migrations;
import shop.reconciler.db.ShopIndexes;
import shop.reconciler.db.TableNames;
import shop.reconciler.mail.ConnectFailure;
import shop.reconciler.mail.MailTransport;
import shop.reconciler.text.Durations;
import shop.reconciler.text.Redaction;

/**
 * {@code check}: one line per check, {@code PASS} or {@code FAIL} with what to do. It changes
 * nothing: Flyway does not migrate when the command is {@code check}, it only reports.
 */
@Component
public class CheckService {

    /** The shop's two indexes (README, "Tables"), by table: their leading columns and the statement that adds them. */
    static final Map<String, List<String>> INDEXES = Map.of(
            "orders", List.of("order_status", "id", "CREATE INDEX idx_orders_status_id ON orders (order_status, id)"),
            "download_tasks",
                    List.of(
                            "order_id",
                            "status",
                            "CREATE INDEX idx_download_tasks_order_status ON download_tasks (order_id, status)"));

    /**
     * Indexes on the shop's tables that the operator's reads need on a big shop, by
     * table: their leading columns, what goes slow without them, the statement that adds them. Their
     * absence fails nothing; check names them.
     */
    static final List<List<String>> READ_INDEXES = List.of(
            List.of(
                    "orders",
                    "order_code",
                    "explain and the console's order page find an order by its code by reading every order",
                    "CREATE UNIQUE INDEX uk_orders_code ON orders (order_code)"),
            List.of(
                    "download_tasks",
                    "order_id,status,updated_at",
                    "status and plan read each open task's row for its age (stuck orders)",
                    "CREATE INDEX idx_download_tasks_order_status_updated ON download_tasks (order_id, status, updated_at)"
                            + " (it serves everything idx_download_tasks_order_status does: that one can go then)"));

    /** One line of {@code check}: a check that passed or failed ({@code what: detail}), or a note. */
    public record Finding(Result result, String text) {
        public enum Result {
            PASS,
            FAIL,
            NOTE
        }
    }

    /** Every line, in order, and whether every check passed. */
    public record Report(List<Finding> findings, boolean passed) {}

    private final DataSource dataSource;
    private final Environment environment;
    private final MailTransport outbox;
    private final Dialect dialect;
    private final TableNames tables;
    private final List<JavaMigration> javaMigrations;

    CheckService(
            DataSource dataSource,
            Environment environment,
            MailTransport outbox,
            Dialect dialect,
            TableNames tables,
            ObjectProvider<JavaMigration> javaMigrations) {
        this.dataSource = dataSource;
        this.environment = environment;
        this.outbox = outbox;
        this.dialect = dialect;
        this.tables = tables;
        this.javaMigrations = javaMigrations.orderedStream().toList();
    }

    /**
     * Rows a table rebuild copies per second, for the estimate of a pending rebuild: V4 over 600,000
     * rows of a job repository took 18 to 38 s with the start (MigrationRepairIntegrationTest, the
     * tests' MariaDB 11.4 on a busy 2-core machine), rounded down.
     */
    static final long REBUILT_ROWS_PER_SECOND = 20_000;

    /** The same migrations the application applies, to compare with the database's history. */
    private Flyway flyway() {
        return Migrations.standalone(tables, dialect, dataSource, environment, javaMigrations);
    }

    /** Every check, in order: database, schema (and the migrations pending), tables, indexes, mail. */
    public Report check() {
        List<Finding> out = new ArrayList<>();
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
            for (MigrationInfo migration : flyway.info().pending()) {
                out.add(new Finding(Finding.Result.NOTE, pendingLine(connection, migration)));
            }
            for (String table : List.of(
                    "orders",
                    "download_tasks",
                    tables.notifications(),
                    tables.shedlock(),
                    tables.batch("JOB_INSTANCE"))) {
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
            for (List<String> index : READ_INDEXES) {
                List<String> columns = List.of(index.get(1).split(","));
                String what = "index " + index.get(0) + "(" + String.join(", ", columns) + ")";
                if (ShopIndexes.find(meta, index.get(0), columns).isPresent()) {
                    results.add(line(out, true, what, "present"));
                } else {
                    out.add(new Finding(
                            Finding.Result.NOTE,
                            what + ": missing (optional): " + index.get(2) + "; add it with: " + index.get(3)));
                }
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
        return new Report(List.copyOf(out), !results.contains(false));
    }

    /**
     * A migration the next start applies, and, for one that rebuilds tables by copy, their rows
     * (the server's estimate) and how long that may take: {@code NOTE migration 4 (...): rebuilds
     * 11 tables, about 1200000 rows (order_notifications 1200000, ...), about 12 s}.
     */
    private String pendingLine(Connection connection, MigrationInfo migration) throws SQLException {
        String line = (migration.getVersion() == null ? "repeatable migration" : "migration " + migration.getVersion())
                + " (" + migration.getDescription() + ") is pending: the next start of any other command applies it";
        List<String> rebuilt = Migrations.rebuiltBy(migration, tables, dialect);
        if (rebuilt.isEmpty()) {
            return line;
        }
        Map<String, Long> rows = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    if (rebuilt.contains(rs.getString(1))) {
                        rows.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        long seconds = Math.max(1, total / REBUILT_ROWS_PER_SECOND);
        StringBuilder largest = new StringBuilder();
        rows.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(3)
                .forEach(e -> largest.append(largest.isEmpty() ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(e.getValue()));
        return line + "; it rebuilds " + rows.size() + " tables by copy, about " + total + " rows"
                + (largest.isEmpty() ? "" : " (" + largest + ")") + ": about "
                + Durations.format(Duration.ofSeconds(seconds))
                + " (reconciler.db.migration-timeout is " + Durations.format(Migrations.timeout(environment))
                + "; a cut-off migration is fixed with 'repair')";
    }

    private static boolean line(List<Finding> out, boolean pass, String what, String detail) {
        out.add(new Finding(pass ? Finding.Result.PASS : Finding.Result.FAIL, what + ": " + detail));
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
