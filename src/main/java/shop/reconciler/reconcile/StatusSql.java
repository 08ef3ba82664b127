package shop.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * How order and task statuses are compared: exactly. MySQL and MariaDB compare strings by the
 * column's collation, usually case-insensitive and blind to trailing spaces, so on a shop whose
 * status columns are VARCHARs, {@code 'COMPLETED '} would pass for {@code 'completed'} and
 * {@code 'Processing'} for {@code 'processing'}. There the queries add a binary comparison; the
 * plain one stays in front of it so that {@code idx_orders_status_id} still serves the range. (H2,
 * the demo's database, compares exactly already.)
 *
 * <p>Queries use {@code {status}} for the task's status ({@code t.status}) and
 * {@code {processing}} for "the order {@code o} is processing". {@code mysql}: the database is
 * MySQL or MariaDB (not the demo's H2).
 */
record StatusSql(String taskStatus, String orderIsProcessing, String shareLock, boolean mysql) {

    /** The statuses the shop defines for tasks ({@code download_tasks.status}). */
    static final List<String> SHOP_STATUSES = List.of("pending", "processing", "enrolled", "completed", "failed");

    static StatusSql forDatabase(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            boolean mysql = product.contains("mysql") || product.contains("mariadb");
            return mysql
                    ? new StatusSql(
                            "BINARY t.status",
                            "o.order_status = 'processing' AND BINARY o.order_status = 'processing'",
                            "LOCK IN SHARE MODE",
                            true)
                    : new StatusSql("t.status", "o.order_status = 'processing'", null, false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
    }

    /** Whether the database takes shared row locks ({@code LOCK IN SHARE MODE}); H2 does not. */
    boolean hasShareLock() {
        return shareLock != null;
    }

    /** The query with its placeholders replaced. */
    String apply(String sql) {
        return sql.replace("{status}", taskStatus)
                .replace("{processing}", orderIsProcessing)
                .replace("{shareLock}", shareLock == null ? "" : shareLock);
    }

    static List<String> known(List<String> terminal) {
        Set<String> known = new LinkedHashSet<>(SHOP_STATUSES);
        known.addAll(terminal);
        return List.copyOf(known);
    }
}
