package shop.reconciler.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a migration that was cut off half-way safe to apply again. MySQL's DDL is not
 * transactional: a version that lost its connection (a socket timeout during a long rebuild, a
 * killed process) keeps the statements that ran before, and Flyway, once {@code repair} has
 * cleared its failed entry (or when the process died before it could write one), applies it again
 * from its first statement. The versions' texts cannot change (their checksums are in every
 * install's history), so before a version runs this removes what an earlier attempt of that same
 * version left and that would make it fail:
 *
 * <ul>
 *   <li>V4: {@code ALTER TABLE ... CONVERT TO CHARACTER SET} is harmless to repeat; its
 *       {@code CREATE TABLE reconcile_failures} is not: a table of that name with exactly V4's
 *       columns and no row is dropped (no run can have used it: a start with a pending migration
 *       runs nothing). Any other table of that name is left alone and the migration fails as
 *       before.
 *   <li>V5: the columns it adds ({@code ADD COLUMN} cannot be repeated) are dropped if present:
 *       no released version reads or writes them before V5 is recorded.
 * </ul>
 *
 * Only on MySQL and MariaDB: H2's DDL (the demo) runs in a fresh in-memory database.
 */
final class HalfAppliedMigrations implements Callback {

    private static final Logger log = LoggerFactory.getLogger(HalfAppliedMigrations.class);

    static final List<String> V4_FAILURES_COLUMNS = List.of(
            "order_id",
            "order_code",
            "last_error",
            "failures",
            "first_failed_at",
            "last_failed_at",
            "job_execution_id");

    static final List<String> V5_COLUMNS = List.of("delivery_started_at", "claim_execution_id", "uncertain_deliveries");

    private final TableNames tables;
    private final Dialect dialect;

    HalfAppliedMigrations(TableNames tables, Dialect dialect) {
        this.tables = tables;
        this.dialect = dialect;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE && dialect.isMySqlFamily();
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        MigrationVersion version = context.getMigrationInfo().getVersion();
        if (version == null) {
            return;
        }
        try {
            Connection connection = context.getConnection();
            if (version.equals(MigrationVersion.fromVersion("4"))) {
                dropEmptyFailuresTable(connection);
            } else if (version.equals(MigrationVersion.fromVersion("5"))) {
                dropColumns(connection, tables.notifications(), V5_COLUMNS);
            }
        } catch (SQLException e) {
            throw new FlywayException(
                    "cannot undo an earlier, unfinished attempt of version " + version + ": " + e.getMessage(), e);
        }
    }

    private void dropEmptyFailuresTable(Connection connection) throws SQLException {
        String table = tables.failures();
        List<String> columns = columns(connection, table);
        if (columns.isEmpty() || !columns.equals(V4_FAILURES_COLUMNS)) {
            return;
        }
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
            if (rs.next()) {
                return;
            }
        }
        log.warn("version 4 is applied again: dropping the empty {} an unfinished attempt created", table);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE " + table);
        }
    }

    private void dropColumns(Connection connection, String table, List<String> added) throws SQLException {
        List<String> present = new ArrayList<>(columns(connection, table));
        present.retainAll(added);
        for (String column : present) {
            log.warn("version 5 is applied again: dropping {}.{} an unfinished attempt added", table, column);
            try (Statement statement = connection.createStatement()) {
                statement.execute("ALTER TABLE " + table + " DROP COLUMN " + column);
            }
        }
    }

    /** The table's columns in order, none if it does not exist (in the connection's schema). */
    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position")) {
            query.setString(1, table);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return columns;
    }

    @Override
    public String getCallbackName() {
        return "half-applied migrations";
    }
}
