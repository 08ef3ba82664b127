package shop.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * How a task's status is compared: exactly. MySQL and MariaDB compare strings by the column's
 * collation, usually case-insensitive and blind to trailing spaces, so on a shop whose
 * {@code status} is a VARCHAR, {@code 'COMPLETED '} would pass for {@code 'completed'}. Compared as
 * binary, an unexpected value is unknown and keeps its order open, as the contract wants. (H2,
 * the demo's database, compares exactly already.)
 */
record TaskStatusSql(String statusExpression) {

    /** The statuses the shop defines (contract section 2). */
    static final List<String> SHOP_STATUSES = List.of("pending", "processing", "enrolled", "completed", "failed");

    static TaskStatusSql forDatabase(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            boolean mysql = product.contains("mysql") || product.contains("mariadb");
            return new TaskStatusSql(mysql ? "BINARY t.status" : "t.status");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
    }

    /** The query with {@code {status}} replaced by the exact comparison's expression. */
    String apply(String sql) {
        return sql.replace("{status}", statusExpression);
    }

    static List<String> known(List<String> terminal) {
        Set<String> known = new LinkedHashSet<>(SHOP_STATUSES);
        known.addAll(terminal);
        return List.copyOf(known);
    }
}
