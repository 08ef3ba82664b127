package shop.reconciler.monitor;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.Migrations;
import shop.reconciler.db.TableNames;
import shop.reconciler.reconcile.OrderRules;

/**
 * The monitoring views over the shop's orders, made from the reconciler's own rules
 * ({@link OrderRules}) rather than spelled again in SQL: {@code reconciler_completable_orders},
 * {@code reconciler_anomalies} and {@code reconciler_stuck_orders}. Migration V7 created them with
 * the default terminal statuses and stuck-after written in; V7's text cannot change (every
 * install's history checksums it), so this repeatable migration re-creates them after it.
 *
 * <ol>
 *   <li>The statements are built from the rules' SQL fragments, so they carry the configured
 *       {@code reconciler.terminal-task-statuses} and {@code reconciler.stuck-task-after}, and the
 *       table prefix.
 *   <li>The checksum is the CRC32 of that text: Flyway applies the migration again exactly when the
 *       rules or their configuration changed since it last ran, and {@code check} reports it
 *       pending until then.
 *   <li>Each view is {@code CREATE OR REPLACE}d: running it again is harmless. Its columns are
 *       V7's, a stable interface.
 * </ol>
 *
 * Only MySQL and MariaDB have the views; on the demo's H2 the migration does nothing. Re-creating
 * a view needs {@code CREATE VIEW} and {@code DROP} on it, besides {@code SELECT} on the shop's
 * tables: the installing user has them; a start as the day-to-day user after a change of those
 * settings is refused with a line that says so (Flyway records the attempt as failed, so
 * {@code repair} comes first).
 */
@Component
public class MonitoringViews implements JavaMigration {

    static final String DESCRIPTION = "monitoring views";

    /** MySQL's and MariaDB's errors for a statement the user has no privilege for. */
    private static final Set<Integer> DENIED = Set.of(1044, 1142, 1143, 1227);

    /** The orders a run would complete now; the reconcile step re-checks each under locks. */
    static final String COMPLETABLE_ORDERS = """
            CREATE OR REPLACE VIEW {{prefix}}reconciler_completable_orders AS
            SELECT o.id AS order_id,
                   o.order_code,
                   o.created_at AS order_created_at,
                   (SELECT COUNT(*) FROM download_tasks t WHERE t.order_id = o.id) AS tasks,
                   (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id) AS last_task_update,
                   TIMESTAMPDIFF(SECOND, (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id), NOW(3))
                       AS finished_for_seconds
              FROM orders o
             WHERE {{orderIsCandidate}}
               AND {{orderIsFinished}}
            """;

    /** Anomalies: processing orders without any task. The reconciler leaves them as they are. */
    static final String ANOMALIES = """
            CREATE OR REPLACE VIEW {{prefix}}reconciler_anomalies AS
            SELECT o.id AS order_id,
                   o.order_code,
                   o.created_at AS order_created_at,
                   TIMESTAMPDIFF(SECOND, o.created_at, NOW(3)) AS age_seconds
              FROM orders o
             WHERE {{orderIsCandidate}}
               AND {{orderHasNoTask}}
            """;

    /** Processing orders waiting on a task that is not terminal and unchanged past stuck-task-after. */
    static final String STUCK_ORDERS = """
            CREATE OR REPLACE VIEW {{prefix}}reconciler_stuck_orders AS
            SELECT o.id AS order_id,
                   o.order_code,
                   COUNT(*) AS stuck_tasks,
                   MIN(t.updated_at) AS oldest_task_update,
                   TIMESTAMPDIFF(SECOND, MIN(t.updated_at), NOW(3)) AS stuck_for_seconds
              FROM orders o
              JOIN download_tasks t ON t.order_id = o.id
             WHERE {{orderIsCandidate}}
               AND {{taskIsStuck}}
             GROUP BY o.id, o.order_code
            """;

    private final OrderRules rules;
    private final TableNames tables;
    private final Dialect dialect;
    private volatile List<String> statements;

    public MonitoringViews(OrderRules rules, TableNames tables, Dialect dialect) {
        this.rules = rules;
        this.tables = tables;
        this.dialect = dialect;
    }

    /** The statements that (re)create the views; none on H2. */
    public List<String> statements() {
        List<String> built = statements;
        if (built == null) {
            built = dialect.isMySqlFamily()
                    ? List.of(COMPLETABLE_ORDERS, ANOMALIES, STUCK_ORDERS).stream()
                            .map(sql -> rules.fill(sql.replace("{{prefix}}", tables.prefix()))
                                    .strip())
                            .toList()
                    : List.of();
            statements = built;
        }
        return built;
    }

    /** Repeatable: no version. */
    @Override
    public MigrationVersion getVersion() {
        return null;
    }

    @Override
    public String getDescription() {
        return DESCRIPTION;
    }

    /** The CRC32 of the statements: another configuration, another checksum, another application. */
    @Override
    public Integer getChecksum() {
        CRC32 crc = new CRC32();
        crc.update(String.join(";\n", statements()).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        try (Statement statement = context.getConnection().createStatement()) {
            for (String sql : statements()) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    if (!DENIED.contains(e.getErrorCode())) {
                        throw e;
                    }
                    throw new Migrations.Refused(
                            "the monitoring views are made again for reconciler.terminal-task-statuses and"
                                    + " reconciler.stuck-task-after (after an upgrade or a change of either), and this"
                                    + " database user may not make them again (" + e.getMessage() + "): run '"
                                    + Migrations.REPAIR_COMMAND
                                    + "', then start once as the user that installs and upgrades the reconciler, or"
                                    + " grant this one CREATE VIEW and DROP on " + String.join(", ", viewNames()),
                            e);
                }
            }
        }
    }

    /** The views this migration makes, with the table prefix. */
    List<String> viewNames() {
        return List.of("reconciler_completable_orders", "reconciler_anomalies", "reconciler_stuck_orders").stream()
                .map(view -> tables.prefix() + view)
                .toList();
    }
}
