package shop.reconciler.bench;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.ShopIndexes;
import shop.reconciler.db.SqlText;
import shop.reconciler.db.TableNames;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.reconcile.OrderRules;

/**
 * {@code EXPLAIN} of every statement on the job's hot path, with the contract's two indexes, with
 * neither of them (the foreign key then keeps a plain index on {@code download_tasks.order_id}, as
 * MySQL and MariaDB require one), and with no index on {@code download_tasks.order_id} at all. Each
 * statement is also run (those that write inside a transaction that is rolled back), best of five,
 * with a 60 s cap per statement.
 *
 * <p>The statements are the application's own {@code static final} SQL constants, read by
 * reflection (most are package-private), and completed as the application completes them: the
 * rules' fragments by {@link OrderRules#fill} (the configuration's defaults), the dialect's by
 * {@link Dialect} (detected on the connection), the table names by {@link TableNames}, the index
 * hint by {@link ShopIndexes} as the reader finds it (so it is gone where the index is dropped),
 * the chunk's ids as literals by {@link SqlText#withIds}. A constant that is not there, or whose
 * statement cannot be completed or run, is a line of the report ("not found: Class.NAME"), not a
 * failed benchmark.
 */
final class ExplainReport {

    private ExplainReport() {}

    private static final String READER = "shop.reconciler.reconcile.ProcessingOrderReader";
    private static final String COMPLETION = "shop.reconciler.reconcile.ChunkCompletion";
    private static final String STORE = "shop.reconciler.outbox.NotificationStore";
    private static final String COURSES = "shop.reconciler.mail.CourseQuery";

    /**
     * One statement of the job.
     *
     * @param sql its text as the application runs it: complete (a plain statement, {@code params}
     *     empty) or with {@code :name} values bound from {@code params}; null when {@code problem}
     *     says why there is none
     */
    record Query(String step, String name, String sql, Map<String, Object> params, String problem) {
        boolean plain() {
            return params.isEmpty();
        }

        boolean select() {
            return sql.stripLeading().regionMatches(true, 0, "SELECT", 0, 6);
        }
    }

    /** What the statements run on: the parameters, read once from the shop's state. */
    private record Setting(
            OrderRules rules,
            Dialect dialect,
            TableNames tables,
            ReconcilerProperties properties,
            long afterId,
            List<Long> page,
            List<Long> chunk,
            List<Long> notificationIds,
            List<Long> notificationOrders) {}

    static List<String> capture(BenchDb.Db db, long n, Consumer<String> say) throws SQLException {
        List<String> md = new ArrayList<>();
        try (Connection c = db.open()) {
            SingleConnectionDataSource ds = new SingleConnectionDataSource(c, true);
            NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(ds);
            // the application's defaults (reconciler.chunk-size, terminal statuses, max-age, ...)
            ReconcilerProperties properties = ReconcilerProperties.bind(new Binder());
            Dialect dialect = Dialect.detectOnFirstUse(ds);
            OrderRules rules = new OrderRules(properties, dialect);
            // the bench's schema has no prefixes (BenchDb migrates with them): the store's tables()
            TableNames tables = TableNames.DEFAULT;
            // The send step's queries need queued notifications: the floor's temporary table and
            // INSERT ... SELECT make them (the orders stay processing, so the reconcile step's queries still find
            // work).
            BenchDb.execute(c, ScenarioRunner.FLOOR_SESSION_SQL);
            try (var p = c.prepareStatement(ScenarioRunner.FLOOR_FINISHED_SQL)) {
                p.setString(1, ScenarioRunner.EMAIL_REGEXP);
                p.setString(2, ScenarioRunner.EMAIL_REGEXP);
                p.setLong(3, properties.mail().maxAge().toSeconds());
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
            // The parameters, by the bench's own queries (the rules' fragments), so that a statement
            // missing below does not take them with it: the reader's page in the middle of the
            // processing orders, the chunk the writer gets (its finished orders), the send step's
            // first page of queued notifications.
            int pageSize = properties.chunkSize();
            List<Long> page = jdbc.getJdbcTemplate()
                    .queryForList(
                            rules.fill(
                                    "SELECT o.id FROM orders o WHERE {{orderIsCandidate}} AND o.id > ? ORDER BY o.id LIMIT ?"),
                            Long.class,
                            afterId,
                            pageSize);
            List<Long> chunk = page.isEmpty()
                    ? List.of()
                    : jdbc.getJdbcTemplate()
                            .queryForList(
                                    SqlText.withIds(
                                            rules.fill("SELECT o.id FROM orders o WHERE o.id IN ({{ids}})"
                                                    + " AND {{orderIsFinished}} ORDER BY o.id"),
                                            page),
                                    Long.class);
            List<Long> notificationIds = new ArrayList<>();
            List<Long> notificationOrders = new ArrayList<>();
            jdbc.query(
                    tables.fill("SELECT id, order_id FROM {{notifications}} WHERE status = :queued ORDER BY id"
                            + " LIMIT :pageSize"),
                    Map.of(
                            "queued",
                            NotificationStatus.QUEUED.code(),
                            "pageSize",
                            properties.mail().chunkSize()),
                    rs -> {
                        notificationIds.add(rs.getLong("id"));
                        notificationOrders.add(rs.getLong("order_id"));
                    });
            long queued = BenchDb.queryLong(c, "SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'");
            long notifications = BenchDb.queryLong(c, "SELECT COUNT(*) FROM order_notifications");
            Setting setting = new Setting(
                    rules, dialect, tables, properties, afterId, page, chunk, notificationIds, notificationOrders);

            List<Query> queries = queries(setting, indexHint(dialect, ds));
            md.add("## EXPLAIN of the hot-path queries (N = " + String.format(Locale.ROOT, "%,d", n) + ")");
            md.add("");
            md.add("State: a fresh copy of the shop (" + processing + " processing orders) plus " + notifications
                    + " notification rows (" + queued + " queued) written by the floor's INSERT ... SELECT, orders left"
                    + " processing. Database: " + dialect + ". Parameters: the reader's page of " + page.size()
                    + " orders (reconciler.chunk-size) after order id " + afterId
                    + " (the middle of the processing orders); the writer's chunk: the " + chunk.size()
                    + " finished orders of that page (the skipped rows' INSERT ... SELECT is shown for all of them;"
                    + " their rows exist already, so the inserts change nothing); the send step: the first page of "
                    + notificationIds.size() + " queued notifications (reconciler.mail.chunk-size), their orders'"
                    + " tasks, the claim of the page, the charge and the record of the first one. Times: the"
                    + " statement run on its own, best of 5, in the order listed (writes inside a transaction"
                    + " rolled back: the reader's tally takes its shared locks, the writer's careful path"
                    + " (recount, lock) runs before the guarded UPDATE that both paths share, then the"
                    + " notification rows).");
            md.add("");
            md.add("### The queries");
            md.add("");
            int missing = 0;
            for (Query q : queries) {
                if (q.problem() != null) {
                    md.add(q.problem());
                    md.add("");
                    missing++;
                    continue;
                }
                md.add("`" + q.name() + "` (" + q.step() + (q.plain() ? ", a plain statement" : "") + "):");
                md.add("```sql");
                md.add(shorten(q.sql()).stripTrailing());
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
            int failed = 0;
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
                // as the application would build them on this schema (the reader's index hint)
                List<Query> built = queries(setting, indexHint(dialect, ds));
                Map<String, String> errors = new LinkedHashMap<>();
                Map<String, Double> times = time(c, jdbc, built, errors);
                for (int i = 0; i < built.size(); i++) {
                    Query q = built.get(i);
                    if (q.problem() != null) {
                        summary.computeIfAbsent(q.name(), k -> new ArrayList<>())
                                .add("not found");
                        continue;
                    }
                    String error = errors.get(q.name());
                    Double ms = times.get(q.name());
                    String time = error != null
                            ? "failed: " + error
                            : ms == null
                                    ? "stopped after 60 s (max_statement_time)"
                                    : String.format(Locale.ROOT, "%.1f ms", ms);
                    summary.computeIfAbsent(q.name(), k -> new ArrayList<>())
                            .add(error != null ? "failed" : ms == null ? "> 60 s" : time);
                    md.add("`" + q.name() + "`: " + time);
                    md.add("");
                    if (!q.sql().equals(queries.get(i).sql())) {
                        md.add("On this schema:");
                        md.add("```sql");
                        md.add(shorten(q.sql()).stripTrailing());
                        md.add("```");
                    }
                    try {
                        List<Map<String, Object>> plan = q.plain()
                                ? jdbc.getJdbcTemplate().queryForList("EXPLAIN " + q.sql())
                                : jdbc.queryForList("EXPLAIN " + q.sql(), q.params());
                        md.addAll(markdown(plan));
                    } catch (DataAccessException e) {
                        md.add("EXPLAIN failed: " + oneLine(e));
                        errors.putIfAbsent(q.name(), oneLine(e));
                    }
                    md.add("");
                }
                failed += errors.size();
                say.accept("   explain: " + variant[0] + ": " + times);
            }
            md.add("### Summary (time of one execution, as above)");
            md.add("");
            md.add("| query | contract indexes | FK index only | no index on order_id |");
            md.add("| --- | ---: | ---: | ---: |");
            summary.forEach((q, t) -> md.add("| `" + q + "` | " + String.join(" | ", t) + " |"));
            md.add("");
            if (missing > 0 || failed > 0) {
                say.accept("   explain: " + missing + " statement(s) not found, " + failed
                        + " failed to run or EXPLAIN (see explain-" + n + ".md)");
            }
        }
        return md;
    }

    /** The reader's {@code {{indexHint}}}, as {@code ProcessingOrderReader} fills it. */
    private static String indexHint(Dialect dialect, SingleConnectionDataSource ds) {
        return dialect.isMySqlFamily() ? dialect.forceIndex(ShopIndexes.ordersByStatusAndId(ds)) : "";
    }

    /** The job's statements in the order it runs them, completed as the application completes them. */
    private static List<Query> queries(Setting s, String indexHint) {
        OrderRules rules = s.rules();
        TableNames tables = s.tables();
        String shareLock = s.dialect().shareLockClause();
        List<Long> chunk = nonEmpty(s.chunk());
        List<Long> page = nonEmpty(s.page());
        List<Query> queries = new ArrayList<>();

        // reconcile: the reader (ProcessingOrderReader's constructor and readTallies, under lock)
        queries.add(query(
                "reconcile",
                READER,
                "PAGE_SQL",
                sql -> SqlText.fill(rules.fill(sql), Map.of("indexHint", indexHint)),
                Map.of(
                        "afterId",
                        s.afterId(),
                        "upToId",
                        Long.MAX_VALUE,
                        "pageSize",
                        s.properties().chunkSize())));
        String tasksOfPage = tasksOfPage(page);
        queries.add(query(
                "reconcile",
                READER,
                "TALLY_SQL",
                sql -> SqlText.withIds(
                        SqlText.fill(
                                rules.fill(sql),
                                Map.of(
                                        "shareLock",
                                        shareLock,
                                        "tasksOfPage",
                                        tasksOfPage == null ? "t.order_id IN ({{ids}})" : tasksOfPage)),
                        page),
                Map.of()));
        if (tasksOfPage == null) {
            queries.add(missing("reconcile", READER, "tasksOfPage (the tally above reads its ids as a list)"));
        }
        // reconcile: the writer (ChunkCompletion's constructor): the careful path's recount and
        // lock, the guarded UPDATE of both paths, the usual path's UPDATE where gaps are locked
        queries.add(query(
                "reconcile",
                COMPLETION,
                "RECOUNT_TASKS_SQL",
                sql -> SqlText.withIds(SqlText.fill(rules.fill(sql), Map.of("shareLock", shareLock)), chunk),
                Map.of()));
        queries.add(query(
                "reconcile",
                COMPLETION,
                "LOCK_SQL",
                sql -> SqlText.withIds(tables.fill(rules.fill(sql)), chunk),
                Map.of()));
        queries.add(query(
                "reconcile",
                COMPLETION,
                "COMPLETE_SQL",
                sql -> SqlText.withIds(tables.fill(rules.fill(sql)), chunk),
                Map.of()));
        queries.add(query(
                "reconcile",
                COMPLETION,
                "COMPLETE_COUNTED_SQL",
                sql -> SqlText.withIds(tables.fill(rules.fill(sql)), chunk),
                Map.of()));
        // reconcile: the notification rows (NotificationStore: notifiedAmong, insertSkipped, insert)
        queries.add(query(
                "reconcile", STORE, "NOTIFIED_AMONG_SQL", sql -> SqlText.withIds(tables.fill(sql), chunk), Map.of()));
        queries.add(query(
                "reconcile",
                STORE,
                "INSERT_SKIPPED_SQL",
                sql -> SqlText.withIds(
                        SqlText.fill(
                                tables.fill(sql),
                                Map.of(
                                        "skipped",
                                        SqlText.literal(NotificationStatus.SKIPPED.code()),
                                        "reason",
                                        SqlText.literal(rules.backlogReason()),
                                        "jobExecutionId",
                                        "0")),
                        chunk),
                Map.of()));
        Map<String, Object> row = new HashMap<>();
        row.put("orderId", chunk.get(0));
        row.put("orderCode", "bench-" + chunk.get(0));
        row.put("recipient", "buyer@example.com");
        row.put("status", NotificationStatus.QUEUED.code());
        row.put("lastError", null);
        row.put("messageId", "<bench@order-reconciler.local>");
        row.put("jobExecutionId", 0L);
        queries.add(query("reconcile", STORE, "INSERT_SQL", tables::fill, row));

        // send: the reader (queuedPage), the courses (CourseQuery), the claims (NotificationStore.Claims)
        List<Long> ids = nonEmpty(s.notificationIds());
        List<Long> orders = nonEmpty(s.notificationOrders());
        queries.add(query(
                "send",
                STORE,
                "PAGE_SQL",
                tables::fill,
                statuses(Map.of("afterId", 0L, "pageSize", s.properties().mail().chunkSize()))));
        queries.add(query("send", COURSES, "COUNTS_SQL", rules::fill, Map.of("orderIds", orders)));
        queries.add(query(
                "send",
                COURSES,
                "LISTED_SQL",
                UnaryOperator.identity(),
                Map.of(
                        "orderIds",
                        orders,
                        "titleChars",
                        intConstant(COURSES, "TITLE_CHARS", 600),
                        "linkChars",
                        intConstant(COURSES, "LINK_CHARS", 1100),
                        "errorChars",
                        intConstant(COURSES, "ERROR_CHARS", 1000),
                        "maxListed",
                        s.properties().mail().maxListedCourses())));
        Map<String, Object> claimant = Map.of(
                "claimant",
                "bench",
                "executionId",
                0L,
                "claimSeconds",
                s.properties().mail().claimTimeout().toSeconds());
        queries.add(query("send", STORE, "CLAIM_SQL", tables::fill, statuses(claimant, Map.of("ids", ids))));
        queries.add(query("send", STORE, "CLAIMED_SQL", tables::fill, statuses(claimant, Map.of("ids", ids))));
        queries.add(query(
                "send",
                STORE,
                "MARK_SQL",
                tables::fill,
                statuses(claimant, Map.of("ids", List.of(ids.get(0)), "charge", 1))));
        Map<String, Object> settle = new HashMap<>();
        settle.put("ids", List.of(ids.get(0)));
        settle.put("status", NotificationStatus.SENT.code());
        settle.put("error", null);
        settle.put("sentNow", 1);
        settle.put("uncertain", 0);
        queries.add(query("send", STORE, "SETTLE_SQL", tables::fill, statuses(claimant, settle)));
        return queries;
    }

    /** A statement from {@code owner}'s constant {@code field}, completed by {@code complete}. */
    private static Query query(
            String step, String owner, String field, UnaryOperator<String> complete, Map<String, Object> params) {
        String name = simpleName(owner) + "." + field;
        Object value;
        try {
            Field f = Class.forName(owner).getDeclaredField(field);
            f.setAccessible(true);
            value = f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return missing(step, owner, field);
        }
        if (!(value instanceof String text)) {
            return missing(step, owner, field);
        }
        try {
            return new Query(step, name, complete.apply(text), params, null);
        } catch (RuntimeException e) {
            // a marker nobody here fills (a statement changed since this report was written)
            return new Query(step, name, null, params, "not completed: " + name + ": " + e.getMessage());
        }
    }

    private static Query missing(String step, String owner, String member) {
        String name = simpleName(owner) + "." + member;
        return new Query(step, name, null, Map.of(), "not found: " + name);
    }

    /** {@code ProcessingOrderReader.tasksOfPage}: which of the tasks the tally reads; null if gone. */
    private static String tasksOfPage(List<Long> ids) {
        try {
            Method m = Class.forName(READER).getDeclaredMethod("tasksOfPage", List.class);
            m.setAccessible(true);
            return (String) m.invoke(null, ids);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static int intConstant(String owner, String field, int otherwise) {
        try {
            Field f = Class.forName(owner).getDeclaredField(field);
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return otherwise;
        }
    }

    /** As {@code NotificationStore} binds them: every status under its own code, and {@code more}. */
    @SafeVarargs
    private static Map<String, Object> statuses(Map<String, Object>... more) {
        Map<String, Object> params = new HashMap<>();
        for (NotificationStatus status : NotificationStatus.values()) {
            params.put(status.code(), status.code());
        }
        for (Map<String, Object> m : more) {
            params.putAll(m);
        }
        return params;
    }

    /** An empty list would make {@code IN ()}: an id no row has instead. */
    private static List<Long> nonEmpty(List<Long> ids) {
        return ids.isEmpty() ? List.of(0L) : ids;
    }

    /**
     * Best of five, each statement on its own, in their order inside one rolled-back transaction;
     * a statement that fails is noted in {@code errors} and not run again.
     */
    private static Map<String, Double> time(
            Connection c, NamedParameterJdbcTemplate jdbc, List<Query> queries, Map<String, String> errors)
            throws SQLException {
        Map<String, Double> best = new LinkedHashMap<>();
        for (int round = 0; round < 5; round++) {
            c.setAutoCommit(false);
            try {
                for (Query q : queries) {
                    if (q.problem() != null || errors.containsKey(q.name())) {
                        continue;
                    }
                    if (best.containsKey(q.name()) && best.get(q.name()) == null) {
                        continue; // timed out before: do not wait another minute
                    }
                    long t0 = System.nanoTime();
                    try {
                        run(jdbc, q);
                    } catch (DataAccessException e) {
                        if (String.valueOf(e.getMessage()).contains("max_statement_time")
                                || String.valueOf(e.getMessage()).contains("interrupted")) {
                            best.put(q.name(), null);
                        } else {
                            errors.put(q.name(), oneLine(e));
                        }
                        continue;
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

    /** As the application runs it: a complete text as a plain statement, else prepared with its values bound. */
    private static void run(NamedParameterJdbcTemplate jdbc, Query q) {
        if (q.plain()) {
            if (q.select()) {
                jdbc.getJdbcTemplate().queryForList(q.sql());
            } else {
                jdbc.getJdbcTemplate().update(q.sql());
            }
        } else if (q.select()) {
            jdbc.queryForList(q.sql(), q.params());
        } else {
            jdbc.update(q.sql(), q.params());
        }
    }

    /** The statement with each long list of id literals cut short, for reading. */
    private static String shorten(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            int end = i;
            while (end < sql.length() && (Character.isDigit(sql.charAt(end)) || sql.charAt(end) == ',')) {
                end++;
            }
            if (end == i) {
                out.append(sql.charAt(i++));
                continue;
            }
            String run = sql.substring(i, end);
            String[] ids = run.split(",", -1);
            out.append(
                    ids.length > 7
                            ? String.join(",", ids[0], ids[1], ids[2]) + ",...(" + ids.length + " ids)...,"
                                    + ids[ids.length - 1]
                            : run);
            i = end;
        }
        return out.toString();
    }

    private static String oneLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                String.valueOf(root.getMessage()).replaceAll("\\s+", " ").strip();
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    private static String simpleName(String owner) {
        return owner.substring(owner.lastIndexOf('.') + 1);
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
