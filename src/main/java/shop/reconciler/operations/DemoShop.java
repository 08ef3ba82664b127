package shop.reconciler.operations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.ShopSchema;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderRules;

/**
 * {@code demo}: a small shop in an embedded database with one order for every rule of the README's
 * "Guarantees", one run of the job, a summary, and the emails as .eml files.
 */
@Component
public class DemoShop {

    /** code, email, order status, minutes since the tasks last changed, task statuses ("-" = no task). */
    private record DemoOrder(String code, String email, String status, long ageMinutes, String tasks, String story) {}

    private static final List<DemoOrder> ORDERS = List.of(
            new DemoOrder("DEMO-1001", "an@example.com", "processing", 5, "completed", "one course, done"),
            new DemoOrder(
                    "DEMO-1002",
                    "binh@example.com",
                    "processing",
                    5,
                    "completed,completed,completed",
                    "three courses, all done"),
            new DemoOrder(
                    "DEMO-1003",
                    "chi@example.com",
                    "processing",
                    5,
                    "completed,completed,processing",
                    "third course still running"),
            new DemoOrder(
                    "DEMO-1004",
                    "dung@example.com",
                    "processing",
                    5,
                    "completed,failed",
                    "one course failed: still finished"),
            new DemoOrder("DEMO-1005", "giang@example.com", "processing", 5, "-", "no task at all: anomaly"),
            new DemoOrder("DEMO-1006", "hoa@example.com", "pending", 5, "completed", "not paid yet: untouched"),
            new DemoOrder(
                    "DEMO-1007", "khanh@example.com", "completed", 5, "completed", "already completed: untouched"),
            new DemoOrder("DEMO-1008", null, "processing", 5, "completed", "no email address"),
            new DemoOrder("DEMO-1009", "not-an-address", "processing", 5, "completed", "invalid email address"),
            new DemoOrder(
                    "DEMO-1010",
                    "lan@example.com",
                    "processing",
                    60 * 24 * 30,
                    "completed,failed",
                    "stuck for a month: completed quietly"),
            new DemoOrder(
                    "DEMO-1011",
                    "Minh Tran <minh@example.com>",
                    "processing",
                    5,
                    "completed,completed",
                    "display name in the address"),
            new DemoOrder(
                    "DEMO-1012", "nga@example.com", "processing", 5, "completed,enrolled", "one course only enrolled"));

    private final JdbcTemplate jdbc;
    private final JobRunner jobRunner;
    private final ReconcilerProperties properties;
    private final NotificationStore notificationStore;
    private final OrderRules rules;

    DemoShop(
            JdbcTemplate jdbc,
            JobRunner jobRunner,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            OrderRules rules) {
        this.jdbc = jdbc;
        this.jobRunner = jobRunner;
        this.properties = properties;
        this.notificationStore = notificationStore;
        this.rules = rules;
    }

    /** Seeds the demo shop, runs the job once, and tells what became of every order, a line at a time. */
    public RunResult run(Consumer<String> out) {
        Path mailDir = Path.of(
                properties.mail().emlDirectory() == null
                        ? "target/demo-mail"
                        : properties.mail().emlDirectory());
        clear(mailDir);
        seed();
        out.accept("demo shop: " + ORDERS.size() + " orders, 2 tasks without an order; running "
                + "orderCompletionJob once");
        RunResult exit = jobRunner.runNewInstance(Launch.by(Launch.Trigger.DEMO), out);
        out.accept("");
        out.accept(String.format("%-10s %-36s %-11s %-11s %s", "order", "story", "before", "after", "notification"));
        for (DemoOrder order : ORDERS) {
            String after = jdbc.queryForObject(
                    "SELECT order_status FROM orders WHERE order_code = ?", String.class, order.code());
            String note = notificationStore
                    .ofOrder(order.code())
                    .map(n -> n.status() + (n.lastError() == null ? "" : " (" + n.lastError() + ")"))
                    .orElse("-");
            out.accept(String.format(
                    "%-10s %-36s %-11s %-11s %s",
                    order.code(), shorten(order.story(), 36), order.status(), after, shorten(note, 80)));
        }
        out.accept("");
        Map<String, Object> totals = jdbc.queryForMap(rules.fill("""
                SELECT
                  (SELECT COUNT(*) FROM orders o WHERE {{orderIsCandidate}}) AS left_processing,
                  (SELECT COUNT(*) FROM orders o WHERE {{orderIsCandidate}} AND {{orderHasNoTask}}) AS anomalies
                """));
        Map<String, Long> notifications = notificationStore.countsByStatus();
        out.accept("summary");
        out.accept(String.format(
                "  orders completed by this run  %s",
                notifications.values().stream().mapToLong(Long::longValue).sum()));
        out.accept(String.format(
                "  orders left processing        %s (of which anomalies: %s)",
                totals.get("left_processing"), totals.get("anomalies")));
        out.accept(String.format(
                "  emails queued / sent / skipped / failed   %s / %s / %s / %s",
                notifications.get(NotificationStatus.QUEUED.code()),
                notifications.get(NotificationStatus.SENT.code()),
                notifications.get(NotificationStatus.SKIPPED.code()),
                notifications.get(NotificationStatus.FAILED.code())));
        out.accept("  emails written to " + mailDir.toAbsolutePath() + ": " + list(mailDir));
        return exit;
    }

    private void seed() {
        if (jdbc.queryForObject(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) = 'orders'",
                        Integer.class)
                == 0) {
            ShopSchema.create(jdbc);
        }
        LocalDateTime now = LocalDateTime.now();
        for (DemoOrder order : ORDERS) {
            jdbc.update(
                    "INSERT INTO orders (order_code, user_email, total_amount, payment_status, order_status) VALUES (?, ?, ?, ?, ?)",
                    order.code(),
                    order.email(),
                    49.00,
                    order.status().equals("pending") ? "pending" : "paid",
                    order.status());
            Long orderId = jdbc.queryForObject("SELECT id FROM orders WHERE order_code = ?", Long.class, order.code());
            if (order.tasks().equals("-")) {
                continue;
            }
            String[] statuses = order.tasks().split(",");
            for (int i = 0; i < statuses.length; i++) {
                String status = statuses[i];
                String title =
                        i == 0 ? "Spring Batch <from zero> & beyond" : "Course " + (i + 1) + " of " + order.code();
                jdbc.update(
                        """
                        INSERT INTO download_tasks (order_id, email, course_title, course_url, status, drive_link, error_message, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                        orderId,
                        order.email(),
                        i == 2 ? null : title,
                        "https://courses.example.com/c/" + order.code() + "-" + i,
                        status,
                        status.equals("completed") ? "https://drive.example.com/d/" + order.code() + "-" + i : null,
                        status.equals("failed") ? "Upload failed:\nquota exceeded on drive" : null,
                        now.minusMinutes(order.ageMinutes()));
            }
        }
        jdbc.update(
                "INSERT INTO download_tasks (order_id, course_url, status) VALUES (NULL, ?, 'completed')",
                "https://courses.example.com/c/orphan-1");
        jdbc.update(
                "INSERT INTO download_tasks (order_id, course_url, status) VALUES (NULL, ?, 'failed')",
                "https://courses.example.com/c/orphan-2");
    }

    private static void clear(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "none";
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".eml"))
                    .sorted()
                    .toList();
            return names.size() + " file(s) " + names;
        } catch (IOException e) {
            return "cannot list: " + e.getMessage();
        }
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
