package shop.reconciler.bench;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * {@code EXPLAIN} of every query on the job's hot path, read from the application's own
 * {@code static final} SQL fields, with the contract's two indexes, with neither of them (the
 * foreign key then keeps a plain index on {@code download_tasks.order_id}, as MySQL and MariaDB
 * require one), and with no index on {@code download_tasks.order_id} at all. Each query is also
 * run (statements that write inside a transaction that is rolled back), best of five, with a
 * 60 s cap per statement.
 */
final class ExplainReport {

    private ExplainReport() {}

    record Query(String step, String owner, String field, Map<String, Object> params, boolean writes) {
        String name() {
            return owner.substring(owner.lastIndexOf('.') + 1) + "." + field;
        }

        String sql() {
            try {
                Field f = Class.forName(owner).getDeclaredField(field);
                f.setAccessible(true);
                // The exact status comparisons the application uses on MySQL and MariaDB (db.Dialect).
                return ((String) f.get(null))
                        .replace("{status}", "BINARY t.status")
                        .replace("{shareLock}", "LOCK IN SHARE MODE")
                        // the writer inlines the chunk's ids as literals; here they are bound
                        .replace("{ids}", ":ids")
                        .replace(
                                "{processing}",
                                "o.order_status = 'processing' AND BINARY o.order_status = 'processing'");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + owner + "." + field, e);
            }
        }
    }

    static List<String> capture(BenchDb.Db db, long n, Consumer<String> say) throws SQLException {
        List<String> md = new ArrayList<>();
        try (Connection c = db.open()) {
            NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(new SingleConnectionDataSource(c, true));
            List<String> terminal = List.of("completed", "failed");
            List<String> known = List.of("pending", "processing", "enrolled", "completed", "failed");
            // The send step's queries need queued notifications: the floor's temporary table and
            // INSERT ... SELECT make them (the orders stay processing, so the reconcile step's queries still find
            // work).
            BenchDb.execute(c, ScenarioRunner.FLOOR_SESSION_SQL);
            try (var p = c.prepareStatement(ScenarioRunner.FLOOR_FINISHED_SQL)) {
                p.setString(1, ScenarioRunner.EMAIL_REGEXP);
                p.setString(2, ScenarioRunner.EMAIL_REGEXP);
                p.setLong(3, 7 * 86_400L);
                p.executeUpdate();
            }
            BenchDb.execute(c, ScenarioRunner.FLOOR_NOTIFY_SQL);
            BenchDb.execute(c, ScenarioRunner.FLOOR_DROP_SQL);
            BenchDb.analyze(db);
            long processing = BenchDb.queryLong(c, "SELECT COUNT(*) FROM orders WHERE order_status = 'processing'");
            long afterId = BenchDb.queryLong(
                    c,
                    "SELECT id FROM orders WHERE order_status = 'processing' ORDER BY id LIMIT 1 OFFSET "
                            + processing / 2);
            // the reader's page in the middle of the processing orders, as ProcessingOrderReader binds it
            Map<String, Object> page = Map.of(
                    "terminal",
                    terminal,
                    "known",
                    known,
                    "afterId",
                    afterId,
                    "upToId",
                    Long.MAX_VALUE,
                    "pageSize",
                    1000);
            List<Long> chunk = new ArrayList<>();
            jdbc.query(sql("shop.reconciler.reconcile.ProcessingOrderReader", "PAGE_SQL"), page, rs -> {
                if (rs.getLong("task_count") > 0 && rs.getLong("open_tasks") == 0) {
                    chunk.add(rs.getLong("id"));
                }
            });
            List<Long> notificationIds = new ArrayList<>();
            List<Long> notificationOrders = new ArrayList<>();
            jdbc.query(
                    sql("shop.reconciler.outbox.NotificationStore", "PAGE_SQL"),
                    Map.of("afterId", 0, "pageSize", 100, "queued", "queued"),
                    rs -> {
                        notificationIds.add(rs.getLong("id"));
                        notificationOrders.add(rs.getLong("order_id"));
                    });
            long queued = BenchDb.queryLong(c, "SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'");
            long notifications = BenchDb.queryLong(c, "SELECT COUNT(*) FROM order_notifications");

            String reader = "shop.reconciler.reconcile.ProcessingOrderReader";
            String writer = "shop.reconciler.reconcile.CompletionWriter";
            String sendReader = "shop.reconciler.outbox.NotificationStore";
            String courses = "shop.reconciler.mail.CourseQuery";
            String sender = "shop.reconciler.outbox.NotificationStore";
            long claimId = notificationIds.isEmpty() ? 0 : notificationIds.get(0);
            List<Query> queries = List.of(
                    new Query("reconcile", reader, "PAGE_SQL", page, false),
                    new Query("reconcile", writer, "TALLY_TASKS_SQL", Map.of("ids", chunk, "terminal", terminal), true),
                    new Query(
                            "reconcile", writer, "LOCK_SQL", Map.of("ids", chunk, "maxAgeSeconds", 7 * 86_400L), true),
                    new Query(
                            "reconcile",
                            writer,
                            "COMPLETE_UNDER_SHARE_LOCKS_SQL",
                            Map.of("ids", chunk, "terminal", terminal),
                            true),
                    new Query(
                            "send",
                            sendReader,
                            "PAGE_SQL",
                            Map.of("afterId", 0, "pageSize", 100, "queued", "queued"),
                            false),
                    new Query("send", courses, "COUNTS_SQL", Map.of("orderIds", notificationOrders), false),
                    new Query(
                            "send",
                            courses,
                            "LISTED_SQL",
                            Map.of(
                                    "orderIds",
                                    notificationOrders,
                                    "titleChars",
                                    600,
                                    "linkChars",
                                    1100,
                                    "errorChars",
                                    1000,
                                    "maxListed",
                                    200),
                            false),
                    new Query(
                            "send",
                            sender,
                            "CLAIM_SQL",
                            Map.of(
                                    "claimant",
                                    "bench",
                                    "executionId",
                                    0,
                                    "claimSeconds",
                                    600,
                                    "ids",
                                    List.of(claimId),
                                    "queued",
                                    "queued"),
                            true),
                    new Query(
                            "send",
                            sender,
                            "SETTLE_SQL",
                            Map.of(
                                    "claimant",
                                    "bench",
                                    "ids",
                                    List.of(claimId),
                                    "status",
                                    "sent",
                                    "error",
                                    "",
                                    "sentNow",
                                    1,
                                    "uncertain",
                                    0,
                                    "queued",
                                    "queued"),
                            true));

            md.add("## EXPLAIN of the hot-path queries (N = " + String.format(Locale.ROOT, "%,d", n) + ")");
            md.add("");
            md.add("State: a fresh copy of the shop (" + processing + " processing orders) plus " + notifications
                    + " notification rows (" + queued + " queued) written by the floor's INSERT ... SELECT, orders left"
                    + " processing. Parameters: the reader's page after order id " + afterId + " (the middle of the"
                    + " processing orders), 1000 orders; the writer's chunk: the " + chunk.size()
                    + " finished orders of"
                    + " that page; the send step: the first page of 100 queued notifications, their orders' tasks, the"
                    + " claim and the record of the first one. Times: the statement run on its own, best of 5 (writes"
                    + " inside a transaction rolled back; the writer's statements in their real order within it).");
            md.add("");
            md.add("### The queries");
            md.add("");
            for (Query q : queries) {
                md.add("`" + q.name() + "` (" + q.step() + "):");
                md.add("```sql");
                md.add(q.sql().stripTrailing());
                md.add("```");
            }
            md.add("");

            String[][] variants = {
                {"with the contract's two indexes (idx_orders_status_id, idx_download_tasks_order_status)"},
                {
                    "without the two contract indexes (the foreign key keeps a plain index on download_tasks.order_id)",
                    "ALTER TABLE orders DROP INDEX idx_orders_status_id",
                    "ALTER TABLE download_tasks ADD INDEX fk_download_tasks_order (order_id), DROP INDEX idx_download_tasks_order_status"
                },
                {
                    "with no index on download_tasks.order_id at all (foreign key dropped too)",
                    "ALTER TABLE download_tasks DROP FOREIGN KEY fk_download_tasks_order",
                    "ALTER TABLE download_tasks DROP INDEX fk_download_tasks_order"
                },
            };
            try {
                BenchDb.execute(c, "SET SESSION max_statement_time = 60");
            } catch (SQLException e) {
                // MySQL: no such variable (max_execution_time covers SELECTs only); run without a cap
            }
            Map<String, List<String>> summary = new LinkedHashMap<>();
            for (String[] variant : variants) {
                for (int i = 1; i < variant.length; i++) {
                    long t0 = System.nanoTime();
                    BenchDb.execute(c, variant[i]);
                    say.accept(String.format(
                            Locale.ROOT, "   explain: %s (%.1f s)", variant[i], (System.nanoTime() - t0) / 1e9));
                }
                BenchDb.analyze(db);
                md.add("### " + capitalize(variant[0]));
                md.add("");
                Map<String, Double> times = time(c, jdbc, queries);
                for (Query q : queries) {
                    Double ms = times.get(q.name());
                    String time = ms == null
                            ? "stopped after 60 s (max_statement_time)"
                            : String.format(Locale.ROOT, "%.1f ms", ms);
                    summary.computeIfAbsent(q.name(), k -> new ArrayList<>()).add(ms == null ? "> 60 s" : time);
                    md.add("`" + q.name() + "`: " + time);
                    md.add("");
                    List<Map<String, Object>> plan = jdbc.queryForList("EXPLAIN " + q.sql(), q.params());
                    md.addAll(markdown(plan));
                    md.add("");
                }
                say.accept("   explain: " + variant[0] + ": " + times);
            }
            md.add("### Summary (time of one execution, as above)");
            md.add("");
            md.add("| query | contract indexes | FK index only | no index on order_id |");
            md.add("| --- | ---: | ---: | ---: |");
            summary.forEach((q, t) -> md.add("| `" + q + "` | " + String.join(" | ", t) + " |"));
            md.add("");
        }
        return md;
    }

    /** Best of five, each statement on its own; the writer's in their real order inside one rolled-back transaction. */
    private static Map<String, Double> time(Connection c, NamedParameterJdbcTemplate jdbc, List<Query> queries)
            throws SQLException {
        Map<String, Double> best = new LinkedHashMap<>();
        for (int round = 0; round < 5; round++) {
            c.setAutoCommit(false);
            try {
                for (Query q : queries) {
                    if (best.containsKey(q.name()) && best.get(q.name()) == null) {
                        continue; // timed out before: do not wait another minute
                    }
                    long t0 = System.nanoTime();
                    try {
                        if (q.writes() && q.sql().stripLeading().startsWith("UPDATE")) {
                            jdbc.update(q.sql(), q.params());
                        } else {
                            jdbc.queryForList(q.sql(), q.params());
                        }
                    } catch (org.springframework.dao.DataAccessException e) {
                        if (String.valueOf(e.getMessage()).contains("max_statement_time")
                                || String.valueOf(e.getMessage()).contains("interrupted")) {
                            best.put(q.name(), null);
                            continue;
                        }
                        throw e;
                    }
                    double ms = (System.nanoTime() - t0) / 1e6;
                    best.merge(q.name(), ms, Math::min);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return best;
    }

    private static String sql(String owner, String field) {
        return new Query("", owner, field, Map.of(), false).sql();
    }

    private static List<String> markdown(List<Map<String, Object>> rows) {
        List<String> md = new ArrayList<>();
        if (rows.isEmpty()) {
            return md;
        }
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        md.add("| " + String.join(" | ", columns) + " |");
        md.add("|" + " --- |".repeat(columns.size()));
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String col : columns) {
                Object v = row.get(col);
                cells.add(v == null ? "" : String.valueOf(v).replace("|", "\\|"));
            }
            md.add("| " + String.join(" | ", cells) + " |");
        }
        return md;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
