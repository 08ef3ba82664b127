package shop.reconciler.support;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.reconciler.db.ShopSchema;
import shop.reconciler.db.TableNames;

/**
 * Inserts shop rows the way the shop backend would. The schema is the project's copy of the
 * contract's DDL ({@code demo/shop-schema.sql}).
 */
public final class ShopFixture {

    private final JdbcTemplate jdbc;

    public ShopFixture(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    public ShopFixture createSchema() {
        ShopSchema.create(jdbc);
        return this;
    }

    /** The reconciler's own tables, as the application's Flyway creates them on MySQL/MariaDB. */
    public ShopFixture migrateReconcilerTables() {
        Flyway.configure()
                .dataSource(jdbc.getDataSource())
                .table("reconciler_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .locations(
                        "classpath:db/migration",
                        "classpath:db/by-platform/mysql",
                        "classpath:db/original",
                        "classpath:db/platform/mysql")
                .placeholders(TableNames.DEFAULT.placeholders())
                .load()
                .migrate();
        return this;
    }

    /** Empties the shop and the outbox (not the job repository) between tests. */
    public void clear() {
        jdbc.execute("DELETE FROM order_notifications");
        jdbc.execute("DELETE FROM download_tasks");
        jdbc.execute("DELETE FROM orders");
        jdbc.execute("DELETE FROM shedlock");
    }

    public long order(String code, String email, String orderStatus) {
        jdbc.update(
                "INSERT INTO orders (order_code, user_email, total_amount, payment_status, order_status)"
                        + " VALUES (?, ?, 10.00, 'paid', ?)",
                code,
                email,
                orderStatus);
        return jdbc.queryForObject("SELECT id FROM orders WHERE order_code = ?", Long.class, code);
    }

    /** A {@code processing} order with one task per status given, changed a minute ago. */
    public long processingOrder(String code, String email, String... taskStatuses) {
        long id = order(code, email, "processing");
        for (int i = 0; i < taskStatuses.length; i++) {
            task(id, "Course " + (i + 1) + " of " + code, taskStatuses[i]);
        }
        return id;
    }

    public long task(Long orderId, String title, String status) {
        jdbc.update(
                """
                INSERT INTO download_tasks (order_id, email, course_title, course_url, status, drive_link, error_message)
                VALUES (?, 'buyer@example.com', ?, ?, ?, ?, ?)""",
                orderId,
                title,
                "https://courses.example.com/" + Math.abs(title == null ? 0 : title.hashCode()),
                status,
                "completed".equals(status)
                        ? "https://drive.example.com/"
                                + Math.abs(String.valueOf(title).hashCode())
                        : null,
                "failed".equals(status) ? "enrolment refused by the course site" : null);
        return jdbc.queryForObject("SELECT MAX(id) FROM download_tasks", Long.class);
    }

    /** Moves every task of the order back in time, on the database's clock. */
    public void ageTasks(long orderId, int days) {
        jdbc.update("UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL ? DAY WHERE order_id = ?", days, orderId);
    }

    public void setTaskStatus(long taskId, String status) {
        jdbc.update("UPDATE download_tasks SET status = ? WHERE id = ?", status, taskId);
    }

    public String orderStatus(String code) {
        return jdbc.queryForObject("SELECT order_status FROM orders WHERE order_code = ?", String.class, code);
    }

    public Map<String, Object> notification(String code) {
        List<Map<String, Object>> rows =
                jdbc.queryForList("SELECT * FROM order_notifications WHERE order_code = ?", code);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The first column of every row, as text (order codes, say). */
    public List<String> codes(String sql, Object... args) {
        return jdbc.queryForList(sql, String.class, args);
    }

    public int count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Integer.class, args);
    }

    /**
     * Does {@code what} (a run, say) while the database refuses to insert the notification of this
     * order (a trigger that signals 'injected failure for ...'), so that the run fails in the
     * database; what it returned.
     */
    public <T> T refusingNotificationOf(String orderCode, Supplier<T> what) {
        String trigger = "refuse_" + orderCode.replaceAll("[^A-Za-z0-9]", "_");
        jdbc.execute("CREATE TRIGGER " + trigger + """
                 BEFORE INSERT ON order_notifications FOR EACH ROW
                BEGIN
                  IF NEW.order_code = '%s' THEN
                    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure for %s';
                  END IF;
                END""".formatted(orderCode, orderCode));
        try {
            return what.get();
        } finally {
            jdbc.execute("DROP TRIGGER " + trigger);
        }
    }
}
